"""The partner builders, checked without any Slack: limits, escaping, the form, the App Home."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks import VIEW_BLOCKS_MAX
from bot.home import build_home
from bot.i18n import Lang, reading
from bot.ids import Block, Field, View
from bot.partners import builders
from bot.partners.builders import NOTE_MAX, FormOrigin, read_update_form
from bot.partners.resolver import Candidate
from bot.statuses import ORDER, Status
from storage.models import Partner, StatusChange

TZ = ZoneInfo("Europe/Paris")
AT = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def partner(i: int = 0, *, status: str = "contacted", note: str = "", name: str = "") -> Partner:
    return Partner(
        id=i + 1,
        partner_id=f"LNK-{i:05d}",
        partner_key=f"LNK-{i:05d}",
        name=name or f"Partner {i} <!here> & Co",
        name_folded="",
        country="FR",
        owner_email="alice@example.com",
        owner_user_id="U0ALICE01",
        status=status,
        note=note,
        updated_at=AT,
        updated_by="U0ALICE01",
        revision=2,
    )


def change(i: int, *, note: str = "") -> StatusChange:
    return StatusChange(
        id=i,
        partner_pk=1,
        at=AT,
        by="U0ALICE01",
        source="command",
        from_status="not_contacted",
        to_status="contacted",
        note=note,
    )


def check_limits(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    """What Slack would refuse: too many blocks, long texts, duplicate action IDs in a block, long buttons."""
    assert len(blocks) <= max_blocks
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
            accessory = block.get("accessory") or {}
            if accessory.get("type") == "overflow":
                assert len(accessory["options"]) <= 5
        if block["type"] == "actions":
            ids = Counter(e["action_id"] for e in block["elements"])
            assert max(ids.values()) == 1, ids
            for element in block["elements"]:
                assert len(element["text"]["text"]) <= 75
                assert len(element.get("value", "")) <= 2000


def test_card_shows_everything_escaped_and_within_limits() -> None:
    long_note = "<!channel> " + "n" * (NOTE_MAX - 11)
    entries = [change(i, note="x" * NOTE_MAX) for i in range(5)]
    reply = builders.build_card(partner(note=long_note), entries, tz=TZ)
    assert reply.blocks is not None
    check_limits(reply.blocks, 50)
    text = "\n".join(b["text"]["text"] for b in reply.blocks if b["type"] == "section")
    assert "<!here>" not in text and "&lt;!here&gt;" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "n" * (NOTE_MAX - 11) in text  # the last note whole
    assert "<!channel>" not in reply.text
    assert "2 Sep 2008 09:30 CEST" in text


def test_update_confirmation_has_undo_and_the_change() -> None:
    reply = builders.build_update_done(
        partner(), change(7, note="called"), undo_until=AT + dt.timedelta(minutes=5), tz=TZ
    )
    assert reply.blocks is not None
    check_limits(reply.blocks, 50)
    undo = [e for b in reply.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in undo] == [("partner_undo", "7")]
    assert "09:35 CEST" in str(reply.blocks)
    assert "Not contacted → Contacted" in reply.text


def test_choice_buttons_carry_the_whole_request_within_limits() -> None:
    note = "|" * NOTE_MAX
    candidates = [Candidate(f"K{i}", f"K{i}", "N" * 300) for i in range(5)]
    reply = builders.build_choice(verb="update", query="N", candidates=candidates, total=9, arg="registered", note=note)
    assert reply.blocks is not None
    check_limits(reply.blocks, 50)
    values = [b["accessory"]["value"] for b in reply.blocks if "accessory" in b]
    assert len(values) == 5 and all(len(v) <= 2000 for v in values)
    assert "4 more" in str(reply.blocks)


def test_update_form_limits_and_initial_values() -> None:
    view = builders.build_update_form(partner=partner(3, status="in_progress"), origin=FormOrigin("home"))
    assert view["type"] == "modal" and view["callback_id"] == View.PARTNER_UPDATE
    assert len(view["title"]["text"]) <= 24
    picker, status, note = (b["element"] for b in view["blocks"])
    assert picker["type"] == "external_select" and picker["action_id"] == Field.PARTNER
    assert picker["initial_option"]["value"] == "LNK-00003"
    assert status["initial_option"]["value"] == "in_progress"
    assert note["max_length"] == NOTE_MAX
    assert FormOrigin.load(view["private_metadata"]) == FormOrigin("home")
    assert "initial_option" not in builders.build_update_form()["blocks"][0]["element"]


def test_reading_the_submitted_form() -> None:
    def values(key: str | None, status: str | None, note: str | None) -> dict[str, Any]:
        return {
            Block.PARTNER: {Field.PARTNER: {"selected_option": {"value": key} if key else None}},
            Block.STATUS: {Field.STATUS: {"selected_option": {"value": status} if status else None}},
            Block.NOTE: {Field.NOTE: {"value": note}},
        }

    ok = read_update_form(values("LNK-1", "registered", "done"), FormOrigin("command", "C1").dump())
    assert (ok.partner_key, ok.status, ok.note, ok.errors, ok.origin.channel) == (
        "LNK-1",
        Status.REGISTERED,
        "done",
        {},
        "C1",
    )
    bad = read_update_form(values(None, "flying", "x" * (NOTE_MAX + 1)))
    assert set(bad.errors) == {Block.PARTNER, Block.STATUS, Block.NOTE}
    assert f"{NOTE_MAX:,}" in bad.errors[Block.NOTE]
    assert read_update_form({}, "not json").origin == FormOrigin()


def test_partner_options_fit_slack() -> None:
    options = builders.build_partner_options([partner(i, name="Ü" * 300) for i in range(120)])["options"]
    assert len(options) == 100
    assert all(len(o["text"]["text"]) <= 75 and o["value"].startswith("LNK-") for o in options)
    assert options[0]["text"]["text"].endswith("(LNK-00000)")


def test_app_home_stays_within_100_blocks_however_many_partners() -> None:
    mine = [partner(i, status=ORDER[i % 5].value, note="<@U0BRUNO01> " * 40) for i in range(2000)]
    groups = {s: [p for p in mine if p.status == s.value] for s in ORDER}
    counts = {s: len(groups[s]) for s in ORDER}
    view = build_home(
        groups=groups,
        counts=counts,
        days_left=14,
        deadline=dt.date(2008, 9, 16),
        tz=TZ,
        team={s: 4000 for s in ORDER},
        top_owners=[("U0ALICE01", 12), ("someone@example.com", 3)],
    )
    assert view["type"] == "home"
    check_limits(view["blocks"], VIEW_BLOCKS_MAX)
    text = str(view["blocks"])
    assert "14 days left" in text and "392 more" in text and "Team totals" in text
    assert "4,000 of 20,000" in text
    assert "<@U0BRUNO01>" not in text  # notes are escaped


def test_app_home_for_someone_with_no_partners() -> None:
    view = build_home(groups={}, counts={}, days_left=0, deadline=dt.date(2008, 9, 16), tz=TZ)
    text = str(view["blocks"])
    assert "Today is the last day" in text and "no partners yet" in text
    assert "Team totals" not in text


def test_import_notes_written_in_english_before_read_in_the_readers_language() -> None:
    entry = change(1, note="file reg.csv; changed by import: name, country")
    entry.source = "import"
    with reading(Lang.FR):
        assert builders.history_line(entry, TZ).endswith("“fichier reg.csv ; modifié par l'import : nom, pays”")
    assert builders.history_line(entry, TZ).endswith("“file reg.csv; changed by import: name, country”")
    entry.note = "file my; file.csv"
    with reading(Lang.FR):
        assert builders.history_line(entry, TZ).endswith("“fichier my; file.csv”")


def test_a_long_list_of_mine_says_where_to_get_them_all() -> None:
    """The list and the App Home each show some: the rest come as a file, in the reader's language."""
    shown = [partner(i) for i in range(3)]
    counts = {Status.CONTACTED: 40}
    for lang, hint in ((Lang.EN, "`/partner export mine` sends"), (Lang.FR, "`/partner exporter mes` vous les")):
        with reading(lang):
            reply = builders.build_mine(shown, total_open=40, counts=counts, days_left=5, tz=ZoneInfo("Europe/Paris"))
        assert hint in str(reply.blocks), lang


def test_the_notification_of_a_search_says_what_its_message_says() -> None:
    tz = ZoneInfo("Europe/Paris")
    loose = builders.build_found("unicode", [partner(1)], total=1, tz=tz, loose=True)
    assert loose.text.startswith("No partner ID or name contains `unicode`. The closest names: ")
    assert "matches" not in loose.text
    found = builders.build_found("acme", [partner(1), partner(2)], total=2, tz=tz)
    assert found.text.startswith("2 partners match: ")
