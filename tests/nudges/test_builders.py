"""The digest and the summary, built without any Slack: limits, fallback text, escaping, tone."""

from __future__ import annotations

import datetime as dt

from bot.i18n import Lang, reading
from bot.ids import Action
from bot.nudges.builders import build_digest, build_summary, digest_headline, read_status_button
from bot.progress import Progress
from bot.statuses import Status
from storage.nudges import Backlog, OpenPartner
from tests.slack_standin import text_of

NOW = dt.datetime(2008, 9, 6, 7, 0, tzinfo=dt.UTC)
DEADLINE = dt.date(2008, 9, 16)


def partner(i: int, *, name: str | None = None, status: str = "not_contacted", age_days: int = 10) -> OpenPartner:
    return OpenPartner(
        partner_key=f"LNK-{i:04d}",
        partner_id=f"LNK-{i:04d}",
        name=name or f"Partner {i}",
        status=status,
        updated_at=NOW - dt.timedelta(days=age_days),
    )


def digest(backlog: Backlog, days_left: int = 10, max_shown: int = 10) -> dict:
    reply = build_digest(backlog=backlog, days_left=days_left, deadline=DEADLINE, now=NOW, max_shown=max_shown)
    return {"text": reply.text, "blocks": reply.blocks}


def buttons(message: dict) -> list[dict]:
    return [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_digest_names_partners_with_days_left_and_one_click_buttons() -> None:
    message = digest(Backlog("U1", 2, (partner(1, name="Réseaux Dupont & Fils", age_days=12), partner(2))))
    text = text_of(message)
    assert "10 days left" in text
    assert "Réseaux Dupont &amp; Fils" in text
    assert "untouched for 12 days" in text
    assert "Dupont" in message["text"]  # the notification text names them too
    ids = [b["action_id"] for b in buttons(message)]
    assert ids.count(Action.NUDGE_CONTACTED) == 2
    assert ids.count(Action.NUDGE_REGISTERED) == 2
    assert ids.count(Action.NUDGE_SNOOZE) == 2
    # Status buttons carry the status the owner saw, to refuse a click on a partner changed since.
    assert {read_status_button(b["value"]) for b in buttons(message)} == {
        ("LNK-0001", Status.NOT_CONTACTED),
        ("LNK-0002", Status.NOT_CONTACTED),
        ("LNK-0001", None),
        ("LNK-0002", None),
    }


def test_action_ids_are_unique_within_each_block() -> None:
    message = digest(Backlog("U1", 3, (partner(1), partner(2, status="contacted"), partner(3))))
    for block in message["blocks"]:
        if block["type"] == "actions":
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids))


def test_contacted_is_offered_only_while_not_contacted() -> None:
    message = digest(Backlog("U1", 1, (partner(1, status="in_progress"),)))
    assert [b["action_id"] for b in buttons(message)] == [Action.NUDGE_REGISTERED, Action.NUDGE_SNOOZE]


def test_a_long_backlog_shows_the_first_and_counts_the_rest_within_50_blocks() -> None:
    first = tuple(partner(i) for i in range(20))
    message = digest(Backlog("U1", 500, first), max_shown=20)
    assert len(message["blocks"]) <= 50
    shown = [b for b in buttons(message) if b["action_id"] == Action.NUDGE_SNOOZE]
    assert len(shown) == 20
    text = text_of(message)
    assert "480 more" in text
    assert "/partner mine" in text
    assert "Home" in text
    assert "500" in message["text"]


def test_user_text_cannot_ping_anyone() -> None:
    message = digest(Backlog("U1", 1, (partner(1, name="<!channel> Evil & Co"),)))
    assert "<!channel>" not in text_of(message)
    assert "<!channel>" not in message["text"]


def test_the_tone_steps_up_as_the_deadline_nears() -> None:
    headlines = [digest_headline(n) for n in (20, 5, 2, 0)]
    assert len(set(headlines)) == 4
    assert ":calendar:" in headlines[0]
    assert ":rotating_light:" in headlines[2]
    assert "Last day" in headlines[3]


def test_the_urgent_headlines_read_well_in_both_languages() -> None:
    with reading(Lang.FR):
        assert digest_headline(2) == ":rotating_light: Il reste 2 jours : vos partenaires doivent s'inscrire maintenant"
        assert digest_headline(1).startswith(":rotating_light: Il reste 1 jour (demain est le dernier jour) : vos")
    with reading(Lang.EN):
        assert digest_headline(2) == ":rotating_light: Only 2 days left: your partners must register now"


def test_summary_gives_progress_counts_owners_and_days_left() -> None:
    counts = {s: 0 for s in Status}
    counts.update({Status.NOT_CONTACTED: 8, Status.CONTACTED: 1, Status.REGISTERED: 4})
    progress = Progress(counts=counts, days_left=10, deadline=DEADLINE)
    reply = build_summary(progress=progress, top_owners=[("alice", 5), ("<@U0BAD>", 4)], chart_follows=True)
    text = text_of({"text": reply.text, "blocks": reply.blocks})
    assert "4 of 13" in text
    assert "31%" in text
    assert "10 days left" in text
    assert "Not contacted: *8*" in text
    assert "alice: *5* open" in text
    assert "<@U0BAD>" not in text
    assert "chart below" in text
    assert reply.blocks is not None and len(reply.blocks) <= 50


def test_the_closing_summary_says_registration_is_closed() -> None:
    counts = {s: 0 for s in Status}
    counts.update({Status.REGISTERED: 9, Status.DECLINED: 1})
    progress = Progress(counts=counts, days_left=-1, deadline=DEADLINE)
    reply = build_summary(progress=progress, top_owners=[], closing=True)
    assert "Registration closed" in text_of({"blocks": reply.blocks})
    assert "9 of 10" in reply.text
    assert "closed" in reply.text
