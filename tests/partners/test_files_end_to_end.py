"""Partner files in Slack over HTTP: dropped into the bot's DM, checked, imported on a click; exports read back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import openpyxl

from bot.ids import Action
from bot.nudges.rounds import Mode, plan_round, since_yesterday
from storage import partners as store
from storage.nudges import registered_recently
from tests.conftest import ADMIN, RunningBot
from tests.partners.conftest import ALICE, Book
from tests.slack_standin import SlackStandIn, text_of

ADMIN_DM = "D" + ADMIN[1:]


def posts_to(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return [c.args for c in standin.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def wait_post(standin: SlackStandIn, channel: str, words: str, timeout: float = 10.0) -> dict[str, Any]:
    """The first message the bot posted to `channel` whose text holds `words`."""

    def found(s: SlackStandIn) -> dict[str, Any] | None:
        return next((p for p in posts_to(s, channel) if words in text_of(p)), None)

    return dict(standin.wait_for(found, timeout))


def send_file(
    bot: RunningBot, standin: SlackStandIn, name: str, data: bytes, user: str = ADMIN, kind: str = "csv"
) -> None:
    status, _, _ = bot.sender.file_share(user, standin.host_file(name, data, user, kind))
    assert status == 200


def button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return str(element["value"])
    raise AssertionError(f"no {action_id} button")


def click(bot: RunningBot, standin: SlackStandIn, action: str, value: str, user: str = ADMIN) -> str:
    status, _, key = bot.sender.click(user, action, value, channel=ADMIN_DM)
    assert status == 200
    return key


FRENCH_BAD = (
    "Identifiant;Nom;Pays;Email du responsable;Statut\r\n"
    "LNK-7001;Réseaux Müller & Cie;FR;alice@example.com;contacté\r\n"
    "LNK-7002;Télécom Sud;FR;pas-un-email;\r\n"
    "LNK-0000;Alice Partner 0 SARL;FR;alice@example.com;en cours\r\n"
)


def test_a_french_excel_csv_with_a_bad_line_then_fixed_and_imported(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    send_file(bot, standin, "partenaires.csv", FRENCH_BAD.encode("cp1252"))
    report = wait_post(standin, ADMIN_DM, "bad line")
    assert "line 3" in text_of(report) and "pas-un-email" in text_of(report)
    assert "Import" not in [b.get("text", {}).get("text") for b in report.get("blocks", [])]
    errors = standin.wait_for(lambda s: s.uploaded("partenaires-errors.csv"))
    assert list(csv.reader(io.StringIO(errors.decode("utf-8-sig"))))[1][0] == "3"

    fixed = FRENCH_BAD.replace("pas-un-email", "bruno@example.com")
    send_file(bot, standin, "partenaires-ok.csv", fixed.encode("cp1252"))
    report = wait_post(standin, ADMIN_DM, "partenaires-ok.csv checked")
    assert "2 new, 1 updated, 0 unchanged" in text_of(report)
    assert book.partner("LNK-0000").status == "not_contacted"  # nothing written before the click
    with book.db.session() as session:
        assert store.get_partner(session=session, key="LNK-7001") is None

    click(bot, standin, Action.IMPORT_RUN, button_value(report, Action.IMPORT_RUN))
    result = wait_post(standin, ADMIN_DM, "Imported")
    assert "2 new, 1 updated" in text_of(result)
    created = book.partner("LNK-7001")
    assert (created.name, created.status, created.owner_user_id) == ("Réseaux Müller & Cie", "contacted", ALICE)
    assert book.partner("LNK-7002").owner_user_id == "U0BRUNO01"
    entry = book.history("LNK-0000")[-1]
    assert (entry.source, entry.by, entry.to_status) == ("import", ADMIN, "in_progress")
    assert "partenaires-ok.csv" in entry.note
    # One progress message, edited, never a second one.
    updates = standin.wait_for(lambda s: s.calls_to("chat.update"))
    assert len({u.args["ts"] for u in updates}) == 1
    assert len([p for p in posts_to(standin, ADMIN_DM) if "Importing" in p["text"]]) == 1
    assert "finished" in updates[-1].args["text"]
    assert not standin.problems


def test_an_xlsx_file_is_imported(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Partner ID", "Name", "Country", "Owner e-mail", "Status"])
    sheet.append(["LNK-8001", "Excel Réseaux", "BE", "chloe@example.com", "registered"])
    sheet.append(["LNK-8002", '\'=HYPERLINK("x")', "BE", "chloe@example.com", None])
    out = io.BytesIO()
    workbook.save(out)
    send_file(bot, standin, "partners.xlsx", out.getvalue(), kind="xlsx")
    report = wait_post(standin, ADMIN_DM, "partners.xlsx checked")
    assert "2 new" in text_of(report) and "1 partner will become registered" in text_of(report)
    click(bot, standin, Action.IMPORT_RUN, button_value(report, Action.IMPORT_RUN))
    wait_post(standin, ADMIN_DM, "Imported")
    assert book.partner("LNK-8001").status == "registered"
    assert book.partner("LNK-8002").name == '=HYPERLINK("x")'  # the escaping quote is taken off


def test_a_registration_list_applies_statuses_only_and_owners_see_it_in_their_digest(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    listing = (
        "partner_id,status,registered_on\nLNK-0000,registered,2008-09-01\nlnk-0001,inscrit,\nCSCO-99,registered,\n"
    )
    send_file(bot, standin, "cisco-registrations.csv", listing.encode())
    report = wait_post(standin, ADMIN_DM, "cisco-registrations.csv checked")
    assert "registration list" in text_of(report) and "2 partners will become registered" in text_of(report)
    assert "CSCO-99" in text_of(report)
    click(bot, standin, Action.IMPORT_RUN, button_value(report, Action.IMPORT_RUN))
    result = wait_post(standin, ADMIN_DM, "Imported")
    assert "2 partners became registered" in text_of(result)
    assert book.partner("LNK-0000").status == "registered" and book.partner("LNK-0001").status == "registered"
    untouched = book.partner("LNK-0002")
    assert (untouched.status, untouched.name, untouched.revision) == ("not_contacted", "Alice Partner 2 SARL", 1)

    bot.rt.clock.set(dt.datetime(2008, 9, 3, 7, 0, tzinfo=dt.UTC))  # type: ignore[attr-defined]
    planned, _ = plan_round(bot.rt, mode=Mode.NOW, with_chart=False)
    digest = next(p for p in planned if p.recipient == ALICE)
    shown = text_of({"blocks": digest.reply.blocks})
    assert "Registered since yesterday" in shown and "LNK-0000" in shown and "LNK-0001" in shown
    # LNK-1000 was registered two days before the import: old news is not repeated.
    with book.db.session() as session:
        recent = registered_recently(session=session, since=since_yesterday(bot.rt))
    assert recent == {ALICE: ["Alice Partner 0 SARL (LNK-0000)", "Alice Partner 1 SARL (LNK-0001)"]}


def test_a_file_from_someone_not_an_admin_is_refused_unopened(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    send_file(bot, standin, "partners.csv", FRENCH_BAD.encode("cp1252"), user=ALICE)
    refusal = wait_post(standin, "D" + ALICE[1:], "Only admins")
    assert "did not open" in refusal["text"]
    assert standin.downloads == [] and not standin.calls_to("files.info")
    assert book.partner("LNK-0000").status == "not_contacted"


def test_a_second_click_a_stale_report_and_cancel_change_nothing_and_say_why(
    bot: RunningBot, standin: SlackStandIn, book: Book
) -> None:
    first = "partner_id,status\nLNK-0000,contacted\n"
    second = "partner_id,status\nLNK-0000,declined\n"
    send_file(bot, standin, "one.csv", first.encode())
    one = wait_post(standin, ADMIN_DM, "one.csv checked")
    send_file(bot, standin, "two.csv", second.encode())
    two = wait_post(standin, ADMIN_DM, "two.csv checked")

    click(bot, standin, Action.IMPORT_RUN, button_value(one, Action.IMPORT_RUN))
    wait_post(standin, ADMIN_DM, "Imported")
    again = click(bot, standin, Action.IMPORT_RUN, button_value(one, Action.IMPORT_RUN))
    assert "already imported" in text_of(standin.wait_response(again))
    stale = click(bot, standin, Action.IMPORT_RUN, button_value(two, Action.IMPORT_RUN))
    assert "out of date" in text_of(standin.wait_response(stale))
    assert book.partner("LNK-0000").status == "contacted"
    assert [h.to_status for h in book.history("LNK-0000")] == ["not_contacted", "contacted"]

    send_file(bot, standin, "three.csv", second.encode())
    three = wait_post(standin, ADMIN_DM, "three.csv checked")
    someone = click(bot, standin, Action.IMPORT_RUN, button_value(three, Action.IMPORT_RUN), user=ALICE)
    assert "Only the admin who sent" in text_of(standin.wait_response(someone))
    cancelled = click(bot, standin, Action.IMPORT_CANCEL, button_value(three, Action.IMPORT_CANCEL))
    assert "Cancelled" in text_of(standin.wait_response(cancelled))
    late = click(bot, standin, Action.IMPORT_RUN, button_value(three, Action.IMPORT_RUN))
    assert "cancelled" in text_of(standin.wait_response(late))
    forged = click(bot, standin, Action.IMPORT_RUN, "99999999999999")
    assert "no partner file" in text_of(standin.wait_response(forged))
    assert book.partner("LNK-0000").status == "contacted"
    assert not [p for p in posts_to(standin, ADMIN_DM) if "Something went wrong" in p["text"]]
    assert not standin.problems


def test_limits_get_clear_replies(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    bot.rt.settings.import_max_rows = 2
    send_file(
        bot,
        standin,
        "big.csv",
        ("partner_id,status\n" + "LNK-0000,contacted\nLNK-0001,contacted\nLNK-0002,contacted\n").encode(),
    )
    assert "more than 2 partners" in text_of(wait_post(standin, ADMIN_DM, "bad line"))
    bot.rt.settings.import_max_bytes = 1_000
    send_file(bot, standin, "huge.csv", b"partner_id,status\n" + b"LNK-0000,contacted\n" * 100)
    assert "IMPORT_MAX_BYTES" in wait_post(standin, ADMIN_DM, "bytes")["text"]
    send_file(bot, standin, "broken.xlsx", b"PK\x03\x04 not really a workbook", kind="xlsx")
    assert "not a readable .xlsx" in text_of(wait_post(standin, ADMIN_DM, "could not read"))
    assert book.partner("LNK-0000").status == "not_contacted"


def test_a_text_file_named_xlsx_is_refused_as_a_workbook_in_the_admins_language(
    bot: RunningBot, standin: SlackStandIn
) -> None:
    status, _, key = bot.sender.command("/transition", "langue fr", ADMIN)
    assert status == 200 and "français" in text_of(standin.wait_response(key))
    send_file(bot, standin, "fake.xlsx", b"not a zip\n", kind="xlsx")
    refused = text_of(wait_post(standin, ADMIN_DM, "fake.xlsx"))
    assert "ce n'est pas un classeur .xlsx lisible" in refused and "colonnes" not in refused


def partner_command(bot: RunningBot, standin: SlackStandIn, text: str, user: str) -> str:
    status, _, key = bot.sender.command("/partner", text, user)
    assert status == 200
    return text_of(standin.wait_response(key))


def test_both_exports_read_back(bot: RunningBot, standin: SlackStandIn, book: Book) -> None:
    with book.db.session(write=True) as session:
        partner = store.get_partner(session=session, key="LNK-0002")
        assert partner is not None
        partner.name = "=1+2 Networks"
        session.add(partner)

    assert "I sent 7 partners" in partner_command(bot, standin, "export", ADMIN)
    name = "partners-2008-09-02.csv"
    data = standin.wait_for(lambda s: s.uploaded(name))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 7 and {r["partner_id"] for r in rows} >= {"LNK-0000", "LNK-9001", "LNK-5000"}
    by_id = {r["partner_id"]: r for r in rows}
    assert by_id["LNK-9001"]["name"] == "Réseaux Dupont & Fils" and by_id["LNK-0002"]["name"] == "'=1+2 Networks"
    upload = next(c for c in standin.calls_to("files.completeUploadExternal") if c.args.get("channel_id") == ADMIN_DM)
    # written for its reader, in the team's zone
    assert re.search(r"7 partners, as of 2 Sep 2008 \d\d:\d\d CEST\.", upload.args["initial_comment"])

    assert "I sent 7 partners" in partner_command(bot, standin, "export xlsx", ADMIN)
    sheet = openpyxl.load_workbook(
        io.BytesIO(standin.wait_for(lambda s: s.uploaded("partners-2008-09-02.xlsx")))
    ).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["partner_id", "name", "country", "owner_email"] and len(values) == 8
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)  # no formula survives

    assert "I sent 4 partners" in partner_command(bot, standin, "export mine", ALICE)
    mine = standin.wait_for(lambda s: s.uploaded("my-partners-2008-09-02.csv"))
    ids = {r["partner_id"] for r in csv.DictReader(io.StringIO(mine.decode("utf-8-sig")))}
    assert ids == {"LNK-0000", "LNK-0001", "LNK-0002", "LNK-9001"}

    assert "Only admins can export every partner" in partner_command(bot, standin, "export", ALICE)
    assert "drop a CSV or Excel" in partner_command(bot, standin, "import", ALICE)
    assert not standin.problems
