"""Every interaction payload (buttons, menus, modals, options, shortcuts) and event, fuzzed over HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.ids import Action, Block, Field, View
from tests.conftest import RunningBot
from tests.fuzz.conftest import (
    FUZZ,
    PARTNERS,
    STATUS_WORDS,
    STRANGER,
    USERS,
    assert_clean,
    hostile_text,
    seed_partners,
    settle,
    snapshot,
)
from tests.slack_standin import BOT_USER_ID, TEAM_ID, SlackStandIn

ACTION_IDS = [a.value for a in Action]
VIEW_IDS = [v.value for v in View]
BLOCK_IDS = [b.value for b in Block]
FIELD_IDS = [f.value for f in Field]

# Values the bot's own buttons could carry, so the fuzzer reaches past the first parse.
plausible_value = st.one_of(
    hostile_text,
    st.builds(
        lambda p, s, n: json.dumps({"partner_id": p, "status": s, "revision": n, "change": n}),
        st.sampled_from([*PARTNERS, "NOPE-1", ""]),
        st.sampled_from(STATUS_WORDS),
        st.integers(-3, 10**12),
    ),
    st.builds(lambda p, s: f"{p}|{s}", st.sampled_from(list(PARTNERS)), st.sampled_from(STATUS_WORDS)),
    st.builds(str, st.integers(-(10**20), 10**20)),
)


def action(action_id: str, value: str, kind: str) -> dict[str, Any]:
    element: dict[str, Any] = {"type": kind, "action_id": action_id, "block_id": "b", "action_ts": str(time.time())}
    if kind == "button":
        element["value"] = value
    elif kind == "static_select":
        element["selected_option"] = {"text": {"type": "plain_text", "text": "x"}, "value": value}
    elif kind == "overflow":
        element["selected_option"] = {"value": value}
    elif kind == "datepicker":
        element["selected_date"] = value[:10]
    return element


@st.composite
def block_actions(draw: st.DrawFn, user: str | None = None) -> dict[str, Any]:
    container = draw(
        st.sampled_from(
            [
                {"type": "message", "message_ts": "1.000001", "channel_id": "C0SALES01"},
                {"type": "view", "view_id": "VHOME"},
                {"type": "message", "message_ts": "1.000002", "channel_id": "D0ALICE01", "is_ephemeral": True},
            ]
        )
    )
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user or draw(st.sampled_from(USERS)), "name": "someone"},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "trigger_id": "1.trigger",
        "container": container,
        "actions": [
            action(
                draw(st.sampled_from(ACTION_IDS) | st.text(max_size=20)),
                draw(plausible_value),
                draw(st.sampled_from(["button", "static_select", "overflow", "datepicker"])),
            )
        ],
    }
    if container["type"] == "message":
        payload["channel"] = {"id": container["channel_id"]}
        payload["message"] = {"ts": container["message_ts"], "text": draw(hostile_text), "blocks": []}
        payload["response_url"] = "RESPONSE_URL"
    else:
        payload["view"] = {"id": "VHOME", "type": "home", "blocks": [], "state": {"values": {}}, "hash": "h"}
    return payload


@st.composite
def view_submission(draw: st.DrawFn, user: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block_id in draw(st.lists(st.sampled_from(BLOCK_IDS), max_size=len(BLOCK_IDS), unique=True)):
        field = draw(st.sampled_from(FIELD_IDS))
        kind = draw(st.sampled_from(["plain_text_input", "static_select", "users_select", "external_select"]))
        value = draw(plausible_value)
        if kind == "plain_text_input":
            values[block_id] = {field: {"type": kind, "value": value}}
        elif kind == "users_select":
            values[block_id] = {field: {"type": kind, "selected_user": draw(st.sampled_from(USERS))}}
        else:
            selected = draw(
                st.one_of(st.none(), st.just({"text": {"type": "plain_text", "text": "x"}, "value": value}))
            )
            values[block_id] = {field: {"type": kind, "selected_option": selected}}
    return {
        "type": draw(st.sampled_from(["view_submission", "view_closed"])),
        "team": {"id": TEAM_ID},
        "user": {"id": user or draw(st.sampled_from(USERS)), "name": "someone"},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "trigger_id": "1.trigger",
        "view": {
            "id": "VMODAL1",
            "type": "modal",
            "callback_id": draw(st.sampled_from(VIEW_IDS) | st.text(max_size=20)),
            "private_metadata": draw(plausible_value),
            "state": {"values": values},
            "hash": "h",
            "blocks": [],
        },
    }


@st.composite
def other_payload(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["block_suggestion", "shortcut", "message_action", "interactive_message", "nonsense"]))
    return {
        "type": kind,
        "team": {"id": TEAM_ID},
        "user": {"id": draw(st.sampled_from(USERS)), "name": "someone"},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "trigger_id": "1.trigger",
        "action_id": draw(st.sampled_from(ACTION_IDS + FIELD_IDS)),
        "block_id": draw(st.sampled_from(BLOCK_IDS)),
        "callback_id": draw(st.sampled_from(VIEW_IDS) | st.text(max_size=20)),
        "value": draw(hostile_text),
        "channel": {"id": "C0SALES01"},
        "message": {"ts": "1.000001", "text": draw(hostile_text)},
    }


def send(bot: RunningBot, standin: SlackStandIn, payload: dict[str, Any], n: int) -> int:
    if payload.get("response_url"):
        payload["response_url"] = standin.response_url(f"fuzz{n}")
    status, _, _ = bot.sender.interaction(payload)
    return status


def test_a_stranger_clicking_and_submitting_anything_changes_nothing(
    bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)
    before = snapshot(bot.rt)
    counter = iter(range(10**6))

    @FUZZ
    @given(payload=st.one_of(block_actions(user=STRANGER), view_submission(user=STRANGER)))
    def run(payload: dict[str, Any]) -> None:
        assert send(bot, standin, payload, next(counter)) < 500

    run()
    settle(standin)
    assert snapshot(bot.rt) == before
    assert_clean(standin, caplog)


def test_any_interaction_payload_never_breaks_the_bot(
    bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)
    counter = iter(range(10**6))

    @FUZZ
    @given(payload=st.one_of(block_actions(), view_submission(), other_payload()))
    def run(payload: dict[str, Any]) -> None:
        assert send(bot, standin, payload, next(counter)) < 500

    run()
    settle(standin)
    assert_clean(standin, caplog)


def test_malformed_interaction_bodies_are_refused_without_a_5xx(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    @FUZZ
    @given(
        raw=st.one_of(
            st.binary(max_size=2000),
            st.text(max_size=500).map(lambda t: ("payload=" + t).encode()),
            st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20), st.lists, max_leaves=10).map(
                lambda v: ("payload=" + json.dumps(v)).encode()
            ),
        ),
        content_type=st.sampled_from(["application/x-www-form-urlencoded", "application/json", "text/plain", ""]),
    )
    def run(raw: bytes, content_type: str) -> None:
        status, _, _ = bot.sender.post(raw, content_type)
        assert status < 500

    run()
    errors = [r for r in caplog.get_records("call") if r.levelno >= 40]
    assert errors == [], [f"{r.name}: {r.getMessage()[:200]}" for r in errors]


@st.composite
def event(draw: st.DrawFn) -> dict[str, Any]:
    user = draw(st.sampled_from([*USERS, BOT_USER_ID]))
    kind = draw(
        st.sampled_from(["message", "app_mention", "app_home_opened", "member_joined_channel", "reaction_added"])
    )
    channel = draw(st.sampled_from(["D0ALICE01", "C0SALES01", "C0EXPERTS1", ""]))
    body: dict[str, Any] = {"type": kind, "user": user, "channel": channel, "ts": "1.000001", "event_ts": "1.000001"}
    if kind in ("message", "app_mention"):
        prefix = f"<@{BOT_USER_ID}> " if kind == "app_mention" else ""
        body["text"] = prefix + draw(hostile_text)
        body["channel_type"] = "im" if channel.startswith("D") else "channel"
        body.update(draw(st.sampled_from([{}, {"subtype": "bot_message", "bot_id": "B1"}, {"thread_ts": "0.5"}])))
    if kind == "app_home_opened":
        body["tab"] = draw(st.sampled_from(["home", "messages", "nope"]))
    return body


def test_any_event_never_breaks_the_bot(
    bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)

    @FUZZ
    @given(body=event())
    def run(body: dict[str, Any]) -> None:
        status, _, took = bot.sender.event(body)
        assert status < 500
        assert took < 3.0

    run()
    settle(standin)
    assert_clean(standin, caplog)


ODD_VALUES = ["²", "١٢", "-1", "1e3", "", " ", "null", "{}", "[]", '{"partner_id": null}', "9" * 40]


@pytest.mark.parametrize("action_id", ACTION_IDS)
def test_every_button_takes_odd_values_without_an_unhandled_error(
    action_id: str, bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    seed_partners(bot.rt)
    for value in ODD_VALUES:
        status, _, _ = bot.sender.click("U0ALICE01", action_id, value)
        assert status < 500
    settle(standin)
    assert_clean(standin, caplog)


@pytest.mark.parametrize("action_id", [Action.HOME_REFRESH, Action.PARTNER_MENU])
def test_a_click_naming_nobody_publishes_no_home_and_messages_nobody(
    bot: RunningBot, standin: SlackStandIn, caplog: pytest.LogCaptureFixture, action_id: Action
) -> None:
    """Found by the fuzzer: a click whose user ID is empty once published an App Home for nobody."""
    seed_partners(bot.rt)
    before = snapshot(bot.rt)
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": "", "name": "someone"},
        "api_app_id": "A0STANDIN",
        "trigger_id": "1.trigger",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"type": "home", "id": "VHOME"},
        "actions": [action(action_id.value, "refresh", "overflow")],
    }
    assert send(bot, standin, payload, 0) == 200
    settle(standin)
    assert [c.method for c in standin.calls if c.method in ("views.publish", "chat.postMessage")] == []
    assert snapshot(bot.rt) == before
    assert_clean(standin, caplog)
