"""`/partner`, its buttons, the form and the App Home, driven over HTTP as Slack drives them."""

from __future__ import annotations

import json
import time
from typing import Any

from bot.ids import Action, Block, Field, View
from bot.partners.builders import NOTE_MAX, FormOrigin
from tests.conftest import ADMIN, RunningBot
from tests.nudges.conftest import add
from tests.partners.conftest import ALICE, BRUNO, GONE, OTHER, Book
from tests.slack_standin import TEAM_ID, SlackStandIn, text_of


def command(bot: RunningBot, standin: SlackStandIn, text: str, user: str = ALICE) -> dict[str, Any]:
    status, _body, key = bot.sender.command("/partner", text, user)
    assert status == 200
    return standin.wait_response(key)


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in payload.get("blocks") or []:
        found.extend(e for e in block.get("elements", []) if isinstance(e, dict) and e.get("type") == "button")
        if (block.get("accessory") or {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def form_values(key: str, status: str, note: str) -> dict[str, Any]:
    return {
        Block.PARTNER: {Field.PARTNER: {"type": "external_select", "selected_option": {"value": key}}},
        Block.STATUS: {Field.STATUS: {"type": "static_select", "selected_option": {"value": status}}},
        Block.NOTE: {Field.NOTE: {"type": "plain_text_input", "value": note}},
    }


def submit_form(bot: RunningBot, user: str, values: dict[str, Any], origin: FormOrigin) -> tuple[int, bytes]:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "name": user.lower()},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "trigger_id": "1.trigger",
        "view": {
            "id": "VMODAL1",
            "type": "modal",
            "callback_id": View.PARTNER_UPDATE,
            "private_metadata": origin.dump(),
            "state": {"values": values},
        },
    }
    status, body, _ = bot.sender.interaction(payload)
    return status, body


def test_update_confirms_with_undo_and_undo_works_over_http(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    reply = command(bot, standin, "update LNK-0000 contacted called their CEO, meeting Tuesday")
    assert reply["response_type"] == "ephemeral"
    assert "Not contacted" in text_of(reply) and "meeting Tuesday" in text_of(reply)
    undo = next(b for b in buttons(reply) if b["action_id"] == Action.PARTNER_UNDO)
    assert book.partner("LNK-0000").status == "contacted"

    status, _, key = bot.sender.click(ALICE, Action.PARTNER_UNDO, undo["value"])
    assert status == 200
    done = standin.wait_response(key)
    assert done["replace_original"] is True and "Undone" in text_of(done)
    assert book.partner("LNK-0000").status == "not_contacted"
    assert [h.source for h in book.history("LNK-0000")] == ["import", "command", "undo"]
    # A second click (a stale copy, or a double click) is told what happened, not that something changed since.
    _, _, again = bot.sender.click(ALICE, Action.PARTNER_UNDO, undo["value"])
    said = text_of(standin.wait_response(again))
    assert "was undone already" in said and "changed since" not in said
    assert [h.source for h in book.history("LNK-0000")] == ["import", "command", "undo"]
    assert not standin.problems


def test_undo_by_someone_else_over_http_is_refused(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    reply = command(bot, standin, "update LNK-0000 contacted")
    undo = next(b for b in buttons(reply) if b["action_id"] == Action.PARTNER_UNDO)
    _, _, key = bot.sender.click(OTHER, Action.PARTNER_UNDO, undo["value"])
    assert "Only the person who made this change" in text_of(standin.wait_response(key))
    assert book.partner("LNK-0000").status == "contacted"


def test_non_owner_gets_a_plain_refusal_and_nothing_changes(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    reply = command(bot, standin, "update LNK-2000 registered", user=OTHER)
    assert "not allowed" in text_of(reply)
    assert book.partner("LNK-2000").status == "in_progress"
    command(bot, standin, "update LNK-2000 registered", user=ADMIN)
    assert book.partner("LNK-2000").status == "registered"


def test_assigning_to_a_deactivated_account_is_refused_in_the_senders_language(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    standin.add_person(GONE, "gone", "gone@example.com", deleted=True)
    reply = command(bot, standin, f"assign LNK-0001 <@{GONE}|gone>")
    assert "deactivated" in text_of(reply) and "now belongs to" not in text_of(reply)
    standin.people[ADMIN].locale = "fr-FR"
    reply = command(bot, standin, "attribuer LNK-0002 gone@example.com", user=ADMIN)
    assert "désactivé" in text_of(reply) and "confié" not in text_of(reply)
    for key in ("LNK-0001", "LNK-0002"):
        partner = book.partner(key)
        assert (partner.owner_user_id, partner.owner_email, partner.revision) == (ALICE, "alice@example.com", 1)
        assert [h.source for h in book.history(key)] == ["import"]
    assert not standin.problems


def test_mentions_in_notes_never_ping(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    reply = command(bot, standin, "update LNK-0000 contacted ping <!channel> and <@U0BRUNO01> &lt;!here&gt;")
    card = command(bot, standin, "show LNK-0000", user=ADMIN)
    for payload in (reply, card):
        shown = json.dumps(payload)
        assert "<!channel>" not in shown and "<@U0BRUNO01>" not in shown and "<!here>" not in shown
        assert "ping @channel and @U0BRUNO01 &lt;!here&gt;" in shown


def test_what_slack_marked_up_in_a_command_is_read_as_typed(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    # The manifest asks Slack to escape: e-mails, links, people and channels arrive marked up.
    reply = command(bot, standin, "assign LNK-0000 <mailto:bruno@example.com|bruno@example.com>", user=ADMIN)
    assert "not a person" not in text_of(reply)
    assert book.partner("LNK-0000").owner_user_id == BRUNO
    typed = (
        "handed to <@U0BRUNO01|bruno> in <#C0SALES01|ventes>, see <https://www.cisco.com/go/partner> &amp; "
        "<mailto:x@y.fr|x@y.fr>"
    )
    reply = command(bot, standin, f"update LNK-0001 in progress {typed}")
    note = "handed to @bruno in #ventes, see https://www.cisco.com/go/partner & x@y.fr"
    assert book.partner("LNK-0001").note == note
    assert "handed to @bruno in #ventes, see https://www.cisco.com/go/partner &amp; x@y.fr" in text_of(reply)
    assert "&lt;" not in json.dumps(reply)


def test_ambiguous_name_choice_then_pick_over_http(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    choice = command(bot, standin, "update Alice registered signed today")
    picks = [b for b in buttons(choice) if b["action_id"] == Action.PARTNER_PICK]
    assert len(picks) == 3
    chosen = next(b for b in picks if "LNK-0002" in b["value"])
    _, _, key = bot.sender.click(ALICE, Action.PARTNER_PICK, chosen["value"])
    done = standin.wait_response(key)
    assert done["replace_original"] is True
    partner = book.partner("LNK-0002")
    assert (partner.status, partner.note) == ("registered", "signed today")
    assert book.partner("LNK-0001").status == "contacted"


def test_an_id_no_partner_has_is_not_found_with_the_nearest_ids(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    for text in ("update LNK-0009 registered", "show LNK-0010", "assign LNK-0003 <@U0BRUNO01>"):
        reply = command(bot, standin, text)
        shown = text_of(reply)
        assert "No partner has ID `LNK-00" in shown and "Did you mean `LNK-0000`" in shown, text
        assert "match" not in shown, text
        assert not [b for b in buttons(reply) if b["action_id"] == Action.PARTNER_PICK], text
    assert [c.status for c in map(book.partner, ("LNK-0000", "LNK-0001", "LNK-0002", "LNK-1000"))] == [
        "not_contacted",
        "contacted",
        "not_contacted",
        "registered",
    ]


def test_card_buttons_update_in_one_click(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    card = command(bot, standin, "show LNK-0001")
    registered = next(b for b in buttons(card) if b["action_id"].endswith(".registered"))
    _, _, key = bot.sender.click(ALICE, registered["action_id"], registered["value"])
    assert "Registered" in text_of(standin.wait_response(key))
    assert book.partner("LNK-0001").status == "registered"
    assert book.history("LNK-0001")[-1].source == "button"


def test_update_alone_opens_the_form_and_its_submission_saves(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    status, _, _ = bot.sender.command("/partner", "update", ALICE)
    assert status == 200
    opened = standin.wait_for(lambda s: s.calls_to("views.open"))
    view = opened[0].args["view"]
    assert opened[0].args["trigger_id"] and view["callback_id"] == View.PARTNER_UPDATE

    status, body = submit_form(
        bot,
        ALICE,
        form_values("LNK-9001", "in_progress", "devis envoyé <!here>"),
        FormOrigin.load(view["private_metadata"]),
    )
    assert status == 200 and not body.strip(b"{} ")  # an empty ack closes the form
    dm = standin.wait_for(lambda s: s.calls_to("chat.postMessage"))[0].args
    assert dm["channel"] == ALICE and "Réseaux Dupont" in text_of(dm) and "&lt;!here&gt;" in text_of(dm)
    partner = book.partner("LNK-9001")
    assert (partner.status, partner.note) == ("in_progress", "devis envoyé <!here>")
    assert book.history("LNK-9001")[-1].source == "modal"
    assert not standin.problems


def test_form_errors_come_back_inline_and_change_nothing(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    status, body = submit_form(bot, ALICE, form_values("LNK-9001", "registered", "x" * (NOTE_MAX + 1)), FormOrigin())
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors" and f"{NOTE_MAX:,}" in answer["errors"][Block.NOTE]
    time.sleep(0.3)
    assert book.partner("LNK-9001").status == "not_contacted"


def test_a_form_for_a_partner_not_yours_or_gone_stays_open_with_the_error(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    before = book.history("LNK-0000")
    for user, key, expected in (
        (OTHER, "LNK-0000", "Only its owner or an admin may change Alice Partner 0 SARL (LNK-0000)"),
        (ALICE, "NOPE-9", "There is no partner NOPE-9 (any more)"),
    ):
        status, body = submit_form(bot, user, form_values(key, "registered", "x"), FormOrigin())
        assert status == 200
        answer = json.loads(body)
        assert answer["response_action"] == "errors", key
        assert expected in answer["errors"][Block.PARTNER], key
    time.sleep(0.3)
    assert not standin.calls_to("chat.postMessage")  # the form said it; no DM says it again
    assert book.partner("LNK-0000").status == "not_contacted"
    assert book.history("LNK-0000") == before


def test_a_form_for_an_unmatched_owners_partner_is_checked_when_saved(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    # Whether it is the sender's depends on their e-mail in Slack: the save decides, and refuses by DM.
    status, body = submit_form(bot, OTHER, form_values("LNK-5000", "registered", ""), FormOrigin())
    assert status == 200 and not body.strip(b"{} ")
    dm = standin.wait_for(lambda s: s.calls_to("chat.postMessage"))[0].args
    assert dm["channel"] == OTHER and "not allowed" in dm["text"]
    assert book.partner("LNK-5000").status == "not_contacted"


def test_a_form_for_a_partner_nobody_owns_stays_open_for_anyone_but_an_admin(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    # No Slack owner and no e-mail: it can be nobody's but an admin's, and the form can say so at once.
    add(bot.rt, "LNK-5001", "Nobody's Networks", None, email="")
    status, body = submit_form(bot, OTHER, form_values("LNK-5001", "registered", "called them"), FormOrigin())
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors"
    assert "Only its owner or an admin may change Nobody's Networks (LNK-5001)" in answer["errors"][Block.PARTNER]
    status, body = submit_form(bot, ADMIN, form_values("LNK-5001", "registered", ""), FormOrigin())
    assert status == 200 and not body.strip(b"{} ")
    standin.wait_for(lambda s: s.calls_to("chat.postMessage"))
    assert book.partner("LNK-5001").status == "registered"


def test_lone_surrogates_in_a_form_or_a_message_are_dropped(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    # JSON may carry "\\ud800", which no database or encoder can write: the rest of the text is kept.
    status, body = submit_form(bot, ALICE, form_values("LNK-0000", "contacted", "called\ud800 them"), FormOrigin())
    assert status == 200 and not body.strip(b"{} ")
    standin.wait_for(lambda s: s.calls_to("chat.postMessage"))
    assert book.partner("LNK-0000").note == "called them"
    bot.sender.direct_message(ALICE, "When is the deadline?\udcff")
    reply = standin.wait_for(lambda s: [c for c in s.calls_to("chat.postMessage") if c.args["channel"] == "D0ALICE01"])
    assert "16 September" in text_of(reply[0].args)


def test_an_admin_form_for_anyones_partner_is_accepted(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    status, body = submit_form(bot, ADMIN, form_values("LNK-2000", "registered", ""), FormOrigin())
    assert status == 200 and not body.strip(b"{} ")
    standin.wait_for(lambda s: s.calls_to("chat.postMessage"))
    assert book.partner("LNK-2000").status == "registered"


def test_partner_picker_options_come_from_the_database(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    def suggest(value: str) -> list[dict[str, Any]]:
        payload = {
            "type": "block_suggestion",
            "user": {"id": ALICE},
            "team": {"id": TEAM_ID},
            "api_app_id": "A0STANDIN",
            "token": "unused",
            "action_id": Field.PARTNER,
            "block_id": Block.PARTNER,
            "value": value,
            "view": {"id": "VMODAL1", "type": "modal", "callback_id": View.PARTNER_UPDATE},
        }
        status, body, _ = bot.sender.interaction(payload)
        assert status == 200
        return list(json.loads(body)["options"])

    assert [o["value"] for o in suggest("dupo")] == ["LNK-9001"]
    assert [o["value"] for o in suggest("lnk-000")] == ["LNK-0000", "LNK-0001", "LNK-0002"]
    assert {o["value"] for o in suggest("")} == {"LNK-0000", "LNK-0001", "LNK-0002", "LNK-9001"}  # her open ones


def home_opened(bot: RunningBot, user: str) -> None:
    status, _, _ = bot.sender.event(
        {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home", "event_ts": "1.1"}
    )
    assert status == 200


def test_app_home_is_published_with_groups_and_days_left(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    home_opened(bot, ALICE)
    call = standin.wait_for(lambda s: s.calls_to("views.publish"))[0]
    assert call.args["user_id"] == ALICE
    view = call.args["view"]
    text = text_of(view)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "14 days left" in text and "Not contacted* — 3" in text and "Contacted* — 1" in text
    assert "Team totals" not in text
    assert not standin.problems


def test_admins_also_see_team_totals(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    home_opened(bot, ADMIN)
    text = text_of(standin.wait_for(lambda s: s.calls_to("views.publish"))[0].args["view"])
    assert "Team totals" in text and "1 of 7" in text and "<@U0ALICE01>: 4 open" in text


def test_app_home_menu_sets_a_status_and_republishes(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": ALICE},
        "api_app_id": "A0STANDIN",
        "token": "unused",
        "trigger_id": "2.trigger",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home"},
        "actions": [
            {
                "type": "overflow",
                "action_id": Action.PARTNER_MENU,
                "block_id": "b",
                "selected_option": {"value": "status|LNK-0002|contacted"},
                "action_ts": "1.2",
            }
        ],
    }
    status, _, _ = bot.sender.interaction(payload)
    assert status == 200
    dm = standin.wait_for(lambda s: s.calls_to("chat.postMessage"))[0].args
    assert dm["channel"] == ALICE and "Contacted" in text_of(dm)
    standin.wait_for(lambda s: s.calls_to("views.publish"))
    assert book.partner("LNK-0002").status == "contacted"

    payload["actions"][0]["selected_option"] = {"value": "form|LNK-0002"}  # type: ignore[index]
    bot.sender.interaction(payload)
    view = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "LNK-0002"
    assert FormOrigin.load(view["private_metadata"]).surface == "home"


def test_hostile_inputs_get_replies_and_change_nothing(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    for text in (
        "update LNK-0000 registered " + "x" * 5000,
        "update LNK-0000'; DROP TABLE partner;-- registered",
        "update <@U0BRUNO01|bruno> registered",
        "update LNK-0000 flying",
        "delete everything",
        "show",
    ):
        reply = command(bot, standin, text)
        assert text_of(reply).strip(), text
        assert "<@U0BRUNO01" not in json.dumps(reply)
    assert book.partner("LNK-0000").status == "not_contacted"
    assert len(book.history("LNK-0000")) == 1
