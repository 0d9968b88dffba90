"""Nudges end to end over HTTP: `/transition nudges …`, `/transition nudge now`, the digest's buttons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.clock import FixedClock
from bot.ids import Action
from bot.nudges import service
from bot.nudges.builders import read_status_button
from bot.statuses import Status
from storage import nudges as store
from storage.partners import get_partner
from tests.conftest import ADMIN, RunningBot
from tests.nudges.conftest import ALICE, BRUNO, CHANNEL, CHLOE, load_book, paris, posts_by_recipient
from tests.slack_standin import SlackStandIn, text_of


def say(bot: RunningBot, standin: SlackStandIn, text: str, user: str, *, command: str = "/transition") -> str:
    status, _, key = bot.sender.command(command, text, user)
    assert status == 200
    return text_of(standin.wait_response(key))


def events(bot: RunningBot) -> list[tuple[str, str, str]]:
    with bot.rt.db.session() as session:
        return [(e.action, e.by, e.subject) for e in reversed(store.recent_events(session=session))]


def test_an_owner_mutes_and_unmutes_their_own_reminders(bot: RunningBot, standin: SlackStandIn) -> None:
    assert "*off*" in say(bot, standin, "nudges off", ALICE)
    with bot.rt.db.session() as session:
        assert store.is_muted(session=session, user_id=ALICE)
    assert "*off*" in say(bot, standin, "nudges", ALICE)
    assert "*actives*" in say(bot, standin, "relances on", ALICE)  # the French word gets a French reply
    assert events(bot) == [("mute", ALICE, ALICE), ("unmute", ALICE, ALICE)]


def test_only_admins_pause_resume_and_run_a_round(bot: RunningBot, standin: SlackStandIn) -> None:
    load_book(bot.rt)
    assert "Only the bot's admins" in say(bot, standin, "nudges pause", ALICE)
    assert "Only the bot's admins" in say(bot, standin, "nudge now", ALICE)
    assert posts_by_recipient(standin) == {}
    assert "*paused*" in say(bot, standin, "nudges pause", ADMIN)
    assert "paused" in say(bot, standin, "nudge now", ADMIN)  # refused while paused
    assert posts_by_recipient(standin) == {}
    assert "*running*" in say(bot, standin, "nudges resume", ADMIN)
    reply = say(bot, standin, "nudge now", ADMIN)
    assert "2 digests and 1 channel summary sent" in reply
    assert posts_by_recipient(standin) == {ALICE: 1, CHLOE: 1, CHANNEL: 1}
    assert "0 digests and 0 channel summaries sent; 3 already sent today" in say(bot, standin, "nudge now", ADMIN)
    assert "2 digests and 1 channel summary sent" in say(bot, standin, "nudge now force", ADMIN)
    assert [a for a, _, _ in events(bot)] == ["pause", "resume", "round_now", "round_now", "round_force"]
    assert "*forced round* — 2 digests" in say(bot, standin, "nudges log", ADMIN)


def test_a_sentence_about_nudges_is_not_taken_for_a_command(bot: RunningBot, standin: SlackStandIn) -> None:
    reply = say(bot, standin, "nudges are they sent every day?", ALICE)
    assert "is not a nudges command" not in reply
    with bot.rt.db.session() as session:
        assert store.recent_events(session=session) == []


def click(bot: RunningBot, standin: SlackStandIn, user: str, action: Action, key: str) -> str:
    status, _, response = bot.sender.click(user, action, key, channel="D0ALICE01")
    assert status == 200
    return text_of(standin.wait_response(response))


def test_snooze_a_week_from_the_digest(bot: RunningBot, standin: SlackStandIn, clock: FixedClock) -> None:
    load_book(bot.rt)
    reply = click(bot, standin, ALICE, Action.NUDGE_SNOOZE, "LNK-9001")
    assert "snoozed" in reply and "10 September" in reply
    refused = click(bot, standin, BRUNO, Action.NUDGE_SNOOZE, "LNK-0000")
    assert "Only the owner" in refused
    with bot.rt.db.session() as session:
        assert get_partner(session=session, key="LNK-9001").snoozed_until == dt.date(2008, 9, 9)  # type: ignore[union-attr]
        assert get_partner(session=session, key="LNK-0000").snoozed_until is None  # type: ignore[union-attr]
    assert events(bot) == [("snooze", ALICE, "LNK-9001")]


def test_registered_and_contacted_buttons_change_the_partner(
    bot: RunningBot, standin: SlackStandIn, clock: FixedClock
) -> None:
    load_book(bot.rt)
    click(bot, standin, ALICE, Action.NUDGE_REGISTERED, "LNK-9001")
    click(bot, standin, ALICE, Action.NUDGE_CONTACTED, "LNK-0000")
    refused = click(bot, standin, BRUNO, Action.NUDGE_REGISTERED, "LNK-0001")
    assert "not" in refused.lower()
    with bot.rt.db.session() as session:
        assert get_partner(session=session, key="LNK-9001").status == "registered"  # type: ignore[union-attr]
        assert get_partner(session=session, key="LNK-0000").status == "contacted"  # type: ignore[union-attr]
        assert get_partner(session=session, key="LNK-0001").status == "not_contacted"  # type: ignore[union-attr]


def first_digest_button(bot: RunningBot, standin: SlackStandIn, clock: FixedClock, action: Action) -> dict[str, Any]:
    """The first `action` button of the digest Alice gets from a round run on the book's Tuesday morning."""
    load_book(bot.rt)
    clock.set(paris(2008, 9, 2, 9, 30).astimezone(dt.UTC))
    say(bot, standin, "nudge now", ADMIN)
    digest = next(c for c in standin.calls_to("chat.postMessage") if c.args["channel"] == ALICE)
    return next(
        e for b in digest.args["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == action
    )


def test_the_digest_buttons_round_trip(bot: RunningBot, standin: SlackStandIn, clock: FixedClock) -> None:
    """Click a button of a digest the bot really sent, and the next digest reflects it."""
    button = first_digest_button(bot, standin, clock, Action.NUDGE_REGISTERED)
    click(bot, standin, ALICE, Action(button["action_id"]), button["value"])
    say(bot, standin, "nudge now force", ADMIN)
    again = [c for c in standin.calls_to("chat.postMessage") if c.args["channel"] == ALICE][-1]
    assert "4 partners" in text_of(again.args)
    key, seen = read_status_button(button["value"])
    assert seen is Status.NOT_CONTACTED
    keys = [
        read_status_button(e["value"])[0] for b in again.args["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert key not in keys  # no longer among the open partners…
    registered = next(b for b in again.args["blocks"] if "Registered since yesterday" in text_of(b))
    assert key in text_of(registered)  # …but named among the good news


def test_a_digest_button_on_a_partner_changed_since_changes_nothing(
    bot: RunningBot, standin: SlackStandIn, clock: FixedClock
) -> None:
    """The morning's digest offers « Contacted »; the partner registers at noon; the click in the afternoon must not
    take the registration back."""
    contacted = first_digest_button(bot, standin, clock, Action.NUDGE_CONTACTED)
    key, _ = read_status_button(contacted["value"])
    say(bot, standin, f"update {key} registered signed at noon", ALICE, command="/partner")
    refused = click(bot, standin, ALICE, Action.NUDGE_CONTACTED, contacted["value"])
    assert "is *Registered* now" in refused and "Nothing was changed" in refused
    with bot.rt.db.session() as session:
        assert get_partner(session=session, key=key).status == "registered"  # type: ignore[union-attr]
    # A button sent before they carried the status still works as it did.
    assert "→" in click(bot, standin, ALICE, Action.NUDGE_CONTACTED, "LNK-0002")


FRANCOISE = "U0FRANC01"


def test_a_nudges_word_with_bad_arguments_says_how_to_write_it(bot: RunningBot, standin: SlackStandIn) -> None:
    standin.add_person(FRANCOISE, "françoise", "francoise@example.com", "Europe/Paris", locale="fr-FR")
    for text in ("nudges maybe", "relances parfois", "nudge now please"):
        reply = say(bot, standin, text, FRANCOISE)
        assert "n'est pas une commande des relances" in reply, text
        assert "`/transition relances off`" in reply, text
    reply = say(bot, standin, "nudges maybe", ALICE)
    assert "`maybe` is not a nudges command" in reply
    assert "`/transition nudges off` or `/transition nudges on`" in reply
    assert "nudges command" not in say(bot, standin, "nudges when?", ALICE)  # a question all the same
    with bot.rt.db.session() as session:
        assert store.recent_events(session=session) == []
        assert not store.is_muted(session=session, user_id=FRANCOISE)


def test_the_nudge_log_reads_in_the_readers_language(bot: RunningBot, standin: SlackStandIn) -> None:
    load_book(bot.rt)
    say(bot, standin, "langue fr", ADMIN)
    say(bot, standin, "relances suspendre", ADMIN)
    say(bot, standin, "relances reprendre", ADMIN)
    service.run_now(bot.rt, actor=ADMIN, chart=None)  # as `relance maintenant` does, without drawing the chart
    say(bot, standin, "nudges off", ALICE)
    click(bot, standin, ALICE, Action.NUDGE_SNOOZE, "LNK-9001")
    log = say(bot, standin, "relances journal", ADMIN)
    for english in ("round_now", "*pause*", "*resume*", "*mute*", "*snooze*", "digests", "sent today", "until"):
        assert english not in log
    assert "*relance immédiate* — 2 messages privés et 1 point dans le canal envoyés ; 0 déjà envoyé aujourd'hui" in log
    assert "*suspension*" in log and "*reprise*" in log
    assert f"*relances coupées* {ALICE}" in log
    assert "*report* LNK-9001 — jusqu'au mardi 9 septembre 2008" in log
    say(bot, standin, "language en", ADMIN)
    english = say(bot, standin, "nudges log", ADMIN)  # the same stored events, read in English
    assert "*round now* — 2 digests and 1 channel summary sent; 0 already sent today" in english
    assert "*snooze* LNK-9001 — until Tuesday 9 September 2008" in english
