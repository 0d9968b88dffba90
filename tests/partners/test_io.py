"""Partner files: whole-file validation with line numbers, dry runs, re-imports into history, export, the CLI."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.cli import cli
from bot.i18n import Lang, reading
from bot.partners import io as partner_io
from bot.partners.builders import history_line
from bot.runtime import Runtime
from storage import partners as store
from tests.partners.conftest import Book
from tests.slack_standin import SlackStandIn

TZ = ZoneInfo("Europe/Paris")

GOOD = """partner_id,name,country,owner_email,status,region
LNK-0000,Alice Partner 0 SARL,FR,alice@example.com,,West
LNK-0001,Alice Partner 1 SARL,FR,Alice@Example.com,contacté,West
LNK-9001,"Réseaux Dupont & Fils",FR,alice@example.com,en cours,
LNK-1000,Bruno Partner 0 SARL,FR,bruno@example.com,registered,East
LNK-5000,Orphan Networks,BE,newcomer@example.com,,
"""


def do_import(rt: Runtime, text: str, **kw: object) -> partner_io.ImportReport:
    return partner_io.import_partners(rt, text.encode("utf-8"), source_name="test.csv", **kw)  # type: ignore[arg-type]


def count(rt: Runtime) -> int:
    with rt.db.session() as session:
        return sum(store.count_by_status(session=session).values())


def test_import_creates_partners_with_owners_resolved_by_email(rt: Runtime, standin: SlackStandIn) -> None:
    report = do_import(rt, GOOD)
    assert report.ok and (report.created, report.updated, report.rows) == (5, 0, 5)
    book = Book(rt.db)
    first = book.partner("lnk-0001")
    assert (first.owner_user_id, first.owner_email, first.status) == ("U0ALICE01", "alice@example.com", "contacted")
    assert book.partner("LNK-0000").status == "not_contacted"
    orphan = book.partner("LNK-5000")
    assert (orphan.owner_user_id, orphan.owner_email) == (None, "newcomer@example.com")
    assert len(report.warnings) == 1 and "newcomer@example.com" in report.warnings[0] and "line 6" in report.warnings[0]
    lookups = [c.args["email"] for c in standin.calls_to("users.lookupByEmail", ok_only=False)]
    assert sorted(lookups) == sorted(set(lookups))  # each distinct e-mail asked once
    entry = book.history("LNK-9001")[0]
    assert (entry.source, entry.by, entry.from_status, entry.to_status) == (
        "import",
        "import:test.csv",
        None,
        "in_progress",
    )


def test_an_imports_history_reads_in_the_readers_language(rt: Runtime) -> None:
    do_import(rt, GOOD)
    do_import(rt, GOOD.replace("Alice Partner 0 SARL,FR", "Alice Partner Zero SARL,BE"))
    created, changed = Book(rt.db).history("LNK-0000")
    with reading(Lang.FR):
        french = [history_line(entry, TZ) for entry in (created, changed)]
    english = [history_line(entry, TZ) for entry in (created, changed)]
    assert french[0].endswith("_import_ — “fichier test.csv”")
    assert french[1].endswith("_import_ — “fichier test.csv ; modifié par l'import : nom, pays”")
    assert english[0].endswith("_import_ — “file test.csv”")
    assert english[1].endswith("_import_ — “file test.csv; changed by import: name, country”")


def test_every_bad_line_is_reported_with_its_number_and_nothing_is_imported(rt: Runtime) -> None:
    text = (
        "partner_id,name,country,owner_email,status\n"
        "LNK-1,Good One,FR,a@example.com,\n"
        ",No Id,FR,a@example.com,\n"  # line 3
        "LNK-3,,FR,a@example.com,\n"  # line 4
        "LNK-4,Bad Mail,FR,not-an-email,\n"  # line 5
        "LNK-5,Bad Status,FR,a@example.com,flying\n"  # line 6
        "lnk-1,Duplicate,FR,a@example.com,\n"  # line 7
        'LNK-8,"Multi\nline name",FR,a@example.com,\n'  # lines 8-9: a quoted line break is fine
        "LNK-10,Short,FR\n"  # line 10
    )
    report = do_import(rt, text)
    assert not report.ok
    by_line = {e.line: e.reason for e in report.errors}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 10]
    assert "partner_id is empty" in by_line[3]
    assert "name is empty" in by_line[4]
    assert "'not-an-email' is not an e-mail address" in by_line[5]
    assert "'flying'" in by_line[6]
    assert "already appears on line 2" in by_line[7]
    assert "3 values" in by_line[10]
    assert count(rt) == 0


def test_missing_columns_empty_files_and_bad_encodings_are_reported(rt: Runtime) -> None:
    report = do_import(rt, "partner_id,name,owner_email\nLNK-1,A,a@example.com\n")
    assert [(e.line, "country" in e.reason) for e in report.errors] == [(1, True)]
    assert do_import(rt, "").errors[0].line == 1
    # 0x81 is neither UTF-8 nor Windows-1252: the line is named.
    bad = partner_io.import_partners(rt, b"partner_id,name,country,owner_email\nLNK-1,R\x81seau,FR,a@x.fr\n")
    assert bad.errors[0].line == 2 and "UTF-8" in bad.errors[0].reason
    assert count(rt) == 0


def test_a_byte_order_mark_and_extra_columns_are_fine(rt: Runtime) -> None:
    report = partner_io.import_partners(rt, ("\ufeff" + GOOD).encode("utf-8"))
    assert report.ok and report.created == 5


def test_dry_run_reports_without_writing(rt: Runtime) -> None:
    report = do_import(rt, GOOD, dry_run=True)
    assert report.ok and report.dry_run and report.created == 5
    assert count(rt) == 0


def test_reimport_updates_by_id_and_records_what_changed(rt: Runtime) -> None:
    do_import(rt, GOOD)
    again = GOOD.replace(
        "LNK-0000,Alice Partner 0 SARL,FR,alice@example.com,,",
        "lnk-0000,Alice Partner Zero SARL,FR,bruno@example.com,registered,",
    )
    report = do_import(rt, again)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 4)
    book = Book(rt.db)
    partner = book.partner("LNK-0000")
    assert (partner.name, partner.owner_user_id, partner.status, partner.revision) == (
        "Alice Partner Zero SARL",
        "U0BRUNO01",
        "registered",
        2,
    )
    entry = book.history("LNK-0000")[-1]
    assert (entry.source, entry.from_status, entry.to_status, entry.from_owner, entry.to_owner) == (
        "import",
        "not_contacted",
        "registered",
        "U0ALICE01",
        "U0BRUNO01",
    )
    assert "name" in entry.note
    assert len(book.history("LNK-0001")) == 1  # unchanged partners get no entry
    # An empty status keeps the status people set since.
    do_import(rt, again.replace(",registered,", ",,"))
    assert book.partner("LNK-0000").status == "registered"


def test_export_has_one_row_per_partner_with_the_contract_columns(rt: Runtime) -> None:
    do_import(rt, GOOD)
    out = io.StringIO()
    assert partner_io.export_partners(rt, out) == 5
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert {"partner_id", "name", "country", "owner_email", "status", "updated_at", "updated_by", "note"} <= set(
        rows[0]
    )
    by_id = {r["partner_id"]: r for r in rows}
    assert by_id["LNK-9001"]["name"] == "Réseaux Dupont & Fils"
    assert by_id["LNK-9001"]["status"] == "in_progress"
    assert by_id["LNK-1000"]["updated_by"] == "import:test.csv"
    # The export imports back as it is, changing nothing.
    report = do_import(rt, out.getvalue())
    assert report.ok and (report.created, report.updated) == (0, 0)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, standin: SlackStandIn) -> Path:
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-standin-token",
        "SLACK_API_URL": standin.api_url,
        "LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def test_cli_import_exit_codes_dry_run_and_export(cli_env: Path) -> None:
    runner = CliRunner()
    good = cli_env / "partners.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad = cli_env / "bad.csv"
    bad.write_text(GOOD + "LNK-X,,FR,nope,maybe\n", encoding="utf-8")

    result = runner.invoke(cli, ["import-partners", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv: line 7: name is empty" in result.output and "nothing was imported" in result.output

    result = runner.invoke(cli, ["import-partners", str(good), "--dry-run"])
    assert result.exit_code == 0 and "dry run" in result.output

    result = runner.invoke(cli, ["import-partners", str(good)])
    assert result.exit_code == 0, result.output
    assert "5 new" in result.output and "newcomer@example.com" in result.output

    out = cli_env / "export.csv"
    result = runner.invoke(cli, ["export-partners", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(out.open(encoding="utf-8")))) == 5

    folder = cli_env / "a-folder.csv"
    folder.mkdir()
    result = runner.invoke(cli, ["export-partners", str(folder)])
    assert result.exit_code == 2 and "a-folder.csv: cannot write the file" in result.output
    assert not list(cli_env.glob("*.partial"))  # no half export left beside it


def test_cli_import_leaves_a_deactivated_owner_out_and_warns(cli_env: Path, standin: SlackStandIn, rt: Runtime) -> None:
    standin.add_person("U0GONE001", "gone", "gone@example.com", deleted=True)
    runner = CliRunner()
    first = cli_env / "partners.csv"
    first.write_text(GOOD, encoding="utf-8")
    assert runner.invoke(cli, ["import-partners", str(first)]).exit_code == 0
    # LNK-0000 moves to the deactivated owner; LNK-7000 is new and theirs.
    moved = GOOD.replace(
        "LNK-0000,Alice Partner 0 SARL,FR,alice@example.com", "LNK-0000,Alice Partner 0 SARL,FR,gone@example.com"
    )
    again = cli_env / "again.csv"
    again.write_text(moved + "LNK-7000,Gone Networks,FR,GONE@example.com,,\n", encoding="utf-8")
    result = runner.invoke(cli, ["import-partners", str(again)])
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if "gone@example.com" in line)
    assert warning.startswith("warning: ") and "deactivated" in warning and "lines 2, 7" in warning
    book = Book(rt.db)
    for key in ("LNK-0000", "LNK-7000"):
        partner = book.partner(key)
        assert (partner.owner_user_id, partner.owner_email) == (None, "gone@example.com")
    assert book.history("LNK-0000")[-1].to_owner == "gone@example.com"  # the e-mail, as for owners Slack lacks
    report = do_import(rt, again.read_text(encoding="utf-8"), dry_run=True)
    assert report.deactivated_owners == ["gone@example.com"] and report.unmatched_owners == ["newcomer@example.com"]


def test_cli_export_to_an_xlsx_name_writes_a_workbook_that_imports_back(cli_env: Path) -> None:
    runner = CliRunner()
    good = cli_env / "partners.csv"
    good.write_text(GOOD, encoding="utf-8")
    assert runner.invoke(cli, ["import-partners", str(good)]).exit_code == 0
    out = cli_env / "Out.XLSX"
    result = runner.invoke(cli, ["export-partners", str(out)])
    assert result.exit_code == 0, result.output
    assert "exported 5 partners" in result.output
    sheet = openpyxl.load_workbook(out, read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["partner_id", "name", "country", "owner_email"] and len(rows) == 6
    assert ["LNK-9001", "Réseaux Dupont & Fils"] in [r[:2] for r in rows]
    again = runner.invoke(cli, ["import-partners", str(out)])
    assert again.exit_code == 0 and "0 new, 0 updated, 5 unchanged" in again.output, again.output
    assert not list(cli_env.glob("*.partial"))


def test_cli_import_without_a_token_skips_lookups_and_says_so(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    good = cli_env / "partners.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-partners", str(good)])
    assert result.exit_code == 0, result.output
    assert "SLACK_BOT_TOKEN is not set" in result.output
    missing = CliRunner().invoke(cli, ["import-partners", str(cli_env / "nope.csv")])
    assert missing.exit_code != 0 and "cannot read" in missing.output


# ---- formats people actually have -------------------------------------------------------


FRENCH = (
    "Identifiant;Nom;Pays;E-mail du responsable;Statut;Région\r\n"
    "LNK-0000;Réseaux Dupont;FR;alice@example.com;contacté;Ouest\r\n"
    'LNK-0001;"Télécom; Sud";FR;bruno@example.com;en cours;\r\n'
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_french_excel_csv_in_every_encoding_with_semicolons_is_read(encoding: str) -> None:
    rows, errors = partner_io.check_records(partner_io.file_records(FRENCH.encode(encoding)))
    assert not errors
    assert [(r.partner_id, r.name, r.owner_email, r.status) for r in rows] == [
        ("LNK-0000", "Réseaux Dupont", "alice@example.com", "contacted"),
        ("LNK-0001", "Télécom; Sud", "bruno@example.com", "in_progress"),
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_excel_unicode_text_in_utf16_with_tabs_is_read(encoding: str) -> None:
    bom = {"utf-16": b"", "utf-16-be": codecs.BOM_UTF16_BE}[encoding]  # Python's utf-16 writes its own BOM
    data = bom + FRENCH.replace(";", "\t").replace('"Télécom\t Sud"', "Télécom Sud").encode(encoding)
    rows, errors = partner_io.check_records(partner_io.file_records(data))
    assert not errors
    assert [(r.partner_id, r.name, r.status) for r in rows] == [
        ("LNK-0000", "Réseaux Dupont", "contacted"),
        ("LNK-0001", "Télécom Sud", "in_progress"),
    ]


def test_tabs_are_detected_and_headers_ignore_case_accents_and_spaces() -> None:
    text = "PARTNER ID\tNom\tpays\tEmail du Responsable\n LNK-1\tA\tFR\ta@example.com\n"
    rows, errors = partner_io.read_rows(text)
    assert not errors and rows[0].partner_id == "LNK-1"
    assert partner_io.detect_delimiter('"a,b";c;d\n1,2') == ";"
    assert partner_io.detect_delimiter("only\n") == ","


def test_an_xlsx_first_sheet_is_read_with_excel_line_numbers() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["partner_id", "name", "country", "owner_email", "status"])
    sheet.append(["LNK-1", "Excel SARL", "FR", "a@example.com", "registered"])
    sheet.append([42, "Numbered", "FR", "not-an-email", None])
    book.create_sheet("ignored").append(["nothing", "here"])
    out = io.BytesIO()
    book.save(out)
    rows, errors = partner_io.check_records(partner_io.file_records(out.getvalue()))
    assert [(r.partner_id, r.status) for r in rows] == [("LNK-1", "registered")]
    assert [e.line for e in errors] == [3] and "not-an-email" in errors[0].reason


def test_broken_and_bomb_workbooks_are_refused_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(partner_io.FileRefused):
        list(partner_io.file_records(b"PK\x03\x04 broken"))
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 2_000_000)
    monkeypatch.setattr(partner_io, "XLSX_UNPACKED_MAX", 1_000_000)
    with pytest.raises(partner_io.FileRefused, match="unpacks to too much"):
        list(partner_io.file_records(out.getvalue()))


def test_a_registration_list_carries_only_ids_and_statuses() -> None:
    rows, errors = partner_io.read_rows("partner_id,statut,other\nLNK-1,inscrit,x\nLNK-2,,y\nLNK-3,nope,\n")
    assert [(r.partner_id, r.status, r.name) for r in rows] == [("LNK-1", "registered", None)]
    assert [(e.line, "status" in e.reason) for e in errors] == [(3, True), (4, True)]


def test_the_row_limit_stops_reading() -> None:
    text = "partner_id,status\n" + "".join(f"LNK-{i},contacted\n" for i in range(10))
    rows, errors = partner_io.read_rows(text, max_rows=3)
    assert len(rows) == 3 and errors[-1].line == 5 and "more than 3" in errors[-1].reason


def test_formula_cells_are_escaped_on_export_and_unescaped_on_import() -> None:
    for value in ("=1+2", "+33 1 23", "-x", "@SUM(A1)", "\tx", "\rx"):
        assert partner_io.spreadsheet_safe(value) == "'" + value
        assert partner_io.spreadsheet_unsafe(partner_io.spreadsheet_safe(value)) == value
    for value in ("Dupont", "'quoted", "", "LNK-1"):
        assert partner_io.spreadsheet_safe(value) == value
        assert partner_io.spreadsheet_unsafe(value) == value


def test_a_huge_header_line_is_read_in_linear_time() -> None:
    import time

    line = ";" * 200_000 + "\n"
    started = time.perf_counter()
    _, errors = partner_io.read_rows(line + line * 10)
    assert errors and time.perf_counter() - started < 2.0


def test_cli_imports_french_excel_csv_and_xlsx_and_refuses_past_the_limits(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    runner = CliRunner()
    french = cli_env / "partenaires.csv"
    french.write_bytes(FRENCH.encode("cp1252"))
    result = runner.invoke(cli, ["import-partners", str(french)])
    assert result.exit_code == 0, result.output
    assert "2 new" in result.output

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["partner_id", "status"])
    sheet.append(["LNK-0000", "registered"])
    book.save(cli_env / "registrations.xlsx")
    result = runner.invoke(cli, ["import-partners", str(cli_env / "registrations.xlsx")])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output

    (cli_env / "broken.xlsx").write_bytes(b"PK\x03\x04 nope")
    result = runner.invoke(cli, ["import-partners", str(cli_env / "broken.xlsx")])
    assert result.exit_code == 1 and "not a readable .xlsx" in result.output
    # The name says workbook: text is not read as CSV, even a good one (the reply says to save it as CSV).
    for text in ("not a zip\n", FRENCH):
        (cli_env / "fake.xlsx").write_text(text, encoding="utf-8")
        result = runner.invoke(cli, ["import-partners", str(cli_env / "fake.xlsx")])
        assert result.exit_code == 1 and "not a readable .xlsx" in result.output
        assert "missing columns" not in result.output
    monkeypatch.setenv("IMPORT_MAX_BYTES", "1000")
    (cli_env / "big.csv").write_bytes(b"partner_id,status\n" + b"LNK-0000,contacted\n" * 100)
    result = runner.invoke(cli, ["import-partners", str(cli_env / "big.csv")])
    assert result.exit_code == 1 and "IMPORT_MAX_BYTES" in result.output


@given(st.text(max_size=30) | st.sampled_from(["=1+2", "+33", "-x", "@SUM(A1)", "\tx", "\rx", "'=x", "''-x", "'a"]))
def test_spreadsheet_safe_cells_are_never_formulas_and_come_back_whole(value: str) -> None:
    safe = partner_io.spreadsheet_safe(value)
    assert not safe.startswith(partner_io.FORMULA_STARTS)
    assert partner_io.spreadsheet_unsafe(safe) == value
