"""The messages of partner files, checked without any Slack."""

from __future__ import annotations

import csv
import io

from bot.i18n import Lang, reading
from bot.ids import Action
from bot.partners import file_builders as build
from bot.partners.files import is_partner_file, shared_file
from bot.partners.io import ImportReport, LineError
from tests.slack_standin import text_of


def action_ids(reply: build.Reply) -> list[str]:
    return [e["action_id"] for b in reply.blocks or [] for e in b.get("elements", []) if "action_id" in e]


def test_a_report_with_bad_lines_shows_the_first_twenty_and_offers_no_import() -> None:
    errors = [LineError(n, f"owner_email '<!channel>{n}' is not an e-mail address") for n in range(2, 27)]
    reply = build.build_import_report(name="list.csv", report=ImportReport(rows=25, errors=errors), import_id=None)
    shown = text_of({"blocks": reply.blocks})
    assert "25 bad lines" in shown and "line 21:" in shown and "line 22:" not in shown and "5 more" in shown
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert action_ids(reply) == []
    rows = list(csv.reader(io.StringIO(build.errors_csv(errors).decode("utf-8-sig"))))
    assert rows[0] == ["line", "reason"] and len(rows) == 26


def test_a_clean_report_counts_and_offers_import_and_cancel() -> None:
    report = ImportReport(rows=5, created=2, updated=1, unchanged=2, registered=1, unmatched_owners=["x@example.com"])
    reply = build.build_import_report(name="list.csv", report=report, import_id=42)
    shown = text_of({"blocks": reply.blocks})
    assert "2 new, 1 updated, 2 unchanged; 1 partner will become registered" in shown
    assert "x@example.com" in shown
    assert action_ids(reply) == [Action.IMPORT_RUN, Action.IMPORT_CANCEL]
    assert all(e.get("value") == "42" for b in reply.blocks or [] for e in b.get("elements", []) if "value" in e)


def test_a_report_names_deactivated_owners_apart_in_both_languages() -> None:
    report = ImportReport(
        rows=3, created=3, unmatched_owners=["new@example.com"], deactivated_owners=["gone@example.com"]
    )
    shown = text_of({"blocks": build.build_import_report(name="l.csv", report=report, import_id=1).blocks})
    deactivated = next(line for line in shown.splitlines() if "gone@example.com" in line)
    assert "deactivated" in deactivated and "new@example.com" not in deactivated
    with reading(Lang.FR):
        shown = text_of({"blocks": build.build_import_report(name="l.csv", report=report, import_id=1).blocks})
    assert "désactivé" in next(line for line in shown.splitlines() if "gone@example.com" in line)


def test_progress_reads_as_a_share() -> None:
    assert (
        "writing partners, 5,000/20,000 (25%)"
        in build.build_progress(name="p.csv", stage="writing", done=5000, total=20000).text
    )


def test_only_spreadsheets_in_a_dm_are_partner_files() -> None:
    csv_file = {"id": "F1", "name": "Partners.CSV", "filetype": "csv"}
    event = {"channel_type": "im", "channel": "D1", "user": "U1", "files": [csv_file]}
    assert shared_file(event) is not None
    assert shared_file({**event, "channel_type": "channel"}) is None
    assert shared_file({**event, "files": [{"id": "F2", "name": "photo.png", "filetype": "png"}]}) is None
    assert shared_file({**event, "files": "nope"}) is None and shared_file({**event, "bot_id": "B1"}) is None
    assert is_partner_file({"name": "x.xlsx"}) and not is_partner_file({"name": "x.pdf", "filetype": "pdf"})


def test_a_file_name_never_pings() -> None:
    name = "<!channel> list.csv"
    replies = [
        build.build_import_report(name=name, report=ImportReport(rows=1, created=1), import_id=1),
        build.build_import_report(name=name, report=ImportReport(rows=1, errors=[LineError(2, "x")]), import_id=None),
        build.build_progress(name=name, stage="writing", done=1, total=2),
        build.build_progress_done(name=name, ok=True),
        build.build_import_result(name=name, report=ImportReport(rows=1)),
        build.build_import_failed(name=name, why="<!here>"),
    ]
    for reply in replies:
        mrkdwn = [b for b in reply.blocks or [] if b["type"] != "header"]  # plain_text headers never ping
        assert "<!" not in reply.text and "<!" not in str(mrkdwn)
