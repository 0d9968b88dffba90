"""Partner files: read CSV or .xlsx as people save them, validate all of it before importing any, export all."""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlmodel import Session

from bot.directory import Person
from bot.i18n import number, t, tn
from bot.runtime import Runtime
from bot.slack_text import clean, fold
from bot.statuses import ORDER, Status, parse_status
from storage import partners as store

log = logging.getLogger(__name__)

REQUIRED = ("partner_id", "name", "country", "owner_email")
OPTIONAL = ("status",)
STATUS_LIST = ("partner_id", "status")
"""The columns of the program's registration list: it only applies statuses."""
EXPORT_COLUMNS = (
    "partner_id",
    "name",
    "country",
    "owner_email",
    "owner_user_id",
    "status",
    "updated_at",
    "updated_by",
    "note",
    "revision",
)
HEADER_NAMES = {
    "partner_id": ("partner_id", "partner id", "id", "identifiant", "identifiant partenaire", "id partenaire"),
    "name": ("name", "partner name", "nom", "nom du partenaire", "raison sociale"),
    "country": ("country", "pays"),
    "owner_email": (
        "owner_email",
        "owner e-mail",
        "email du responsable",
        "e-mail du responsable",
        "courriel du responsable",
        "email responsable",
    ),
    "status": ("status", "statut", "etat"),
}
"""Each column's accepted headers, English and French; compared without case, accents, spaces or punctuation."""
ID_MAX, NAME_MAX, COUNTRY_MAX, EMAIL_MAX = 64, 300, 64, 320
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
WRITE_BATCH = 2000
LOOKUP_THREADS = 4
STATUSES = ", ".join(s.value for s in ORDER)
DELIMITERS = (",", ";", "\t")
XLSX_MAX_COLUMNS = 64
XLSX_UNPACKED_MAX = 200_000_000
"""Bytes an .xlsx may unpack to: 20,000 partners take about 5 MB; a zip bomb takes far more."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""OWASP's CSV-injection triggers: a cell starting with one of these can run as a formula in a spreadsheet."""

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total) as a long import advances."""


def spreadsheet_safe(value: str) -> str:
    """The cell a spreadsheet shows as text: a leading quote before any formula trigger (OWASP CSV injection).

    A value that already starts with quotes before a trigger gets one more, so `spreadsheet_unsafe` gives
    back exactly what was stored.
    """
    return "'" + value if value.lstrip("'").startswith(FORMULA_STARTS) else value


def spreadsheet_unsafe(value: str) -> str:
    """Undo `spreadsheet_safe`, so an exported file imports back unchanged."""
    return value[1:] if value.startswith("'") and value.lstrip("'").startswith(FORMULA_STARTS) else value


def header_key(text: str) -> str:
    """A header's comparison key: case, accents, spaces and punctuation ignored."""
    return "".join(ch for ch in fold(text) if ch.isalnum())


_COLUMN_OF = {header_key(alias): column for column, aliases in HEADER_NAMES.items() for alias in aliases}


@dataclass(frozen=True)
class LineError:
    """A line of the file that cannot be imported, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return t("io.line", line=self.line, reason=self.reason)


@dataclass(frozen=True)
class Row:
    """One valid line of a partner file; a registration list's rows carry only the ID and status."""

    line: int
    partner_id: str
    name: str | None
    country: str | None
    owner_email: str | None
    status: Status | None

    @property
    def key(self) -> str:
        return self.partner_id.upper()


@dataclass
class ImportReport:
    """What an import found and did (or, in a dry run, would do)."""

    rows: int = 0
    errors: list[LineError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    registered: int = 0
    unknown: list[str] = field(default_factory=list)
    unmatched_owners: list[str] = field(default_factory=list)
    deactivated_owners: list[str] = field(default_factory=list)
    """Owner e-mails whose Slack account is deactivated: kept on the partners, with no owner in Slack."""
    statuses_only: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class FileRefused(Exception):
    """The whole file cannot be read (format, size, rows); the message says why for the person who sent it."""


def _shown(value: str, limit: int = 60) -> str:
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(value)


Record = tuple[int, list[str]] | LineError
"""A line of the table (its number and cells), or why reading stopped there."""


def detect_delimiter(text: str) -> str:
    """The delimiter of the header line: the most frequent of comma, semicolon and tab outside quotes."""
    end = text.find("\n")
    first = text if end < 0 else text[:end]
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def csv_records(text: str) -> Iterator[Record]:
    """The lines of a CSV text with their numbers; the delimiter is detected."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    line = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield LineError(line, t("io.not_csv", why=exc))
            return
        yield line, values
        line = reader.line_num + 1


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def is_xlsx(data: bytes) -> bool:
    """Say whether `data` looks like an Excel workbook (a zip archive)."""
    return data[:4] == b"PK\x03\x04"


def xlsx_records(data: bytes) -> Iterator[Record]:
    """The rows of a workbook's first sheet, numbered as Excel numbers them."""
    import openpyxl  # only files from Excel need it

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FileRefused(t("io.not_xlsx")) from None
    if unpacked > XLSX_UNPACKED_MAX:
        raise FileRefused(t("io.xlsx_too_big"))
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        log.info("unreadable workbook: %s", type(exc).__name__)
        raise FileRefused(t("io.not_xlsx")) from None
    try:
        if not book.worksheets:
            return
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(max_col=XLSX_MAX_COLUMNS, values_only=True), 1):
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def decode_file(data: bytes) -> tuple[str, list[LineError]]:
    """The file's text: UTF-16 when it starts with its BOM (Excel's "Unicode text", tab-separated), UTF-8 (with or
    without BOM), else Windows-1252 as French Excel saves "CSV"."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            return "", [LineError(1, t("io.encoding"))]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", [LineError(line, t("io.encoding"))]


def file_records(data: bytes, name: str = "") -> Iterator[Record]:
    """The table in a partner file, CSV in any of the usual encodings and delimiters, or .xlsx.

    A file named .xlsx is read as a workbook whatever it holds: text under that name is refused as an
    unreadable workbook (not reported as a table with bad columns), even when it is CSV, since the
    name and the content disagree and the person should know which file they sent.
    """
    if is_xlsx(data) or name.lower().endswith(".xlsx"):
        yield from xlsx_records(data)
        return
    text, errors = decode_file(data)
    if errors:
        yield from errors
        return
    yield from csv_records(text)


def read_rows(text: str, *, max_rows: int | None = None) -> tuple[list[Row], list[LineError]]:
    """Validate every line of a partner CSV; return the good rows and every bad line with its reason."""
    return check_records(csv_records(text), max_rows=max_rows)


def check_records(records: Iterable[Record], *, max_rows: int | None = None) -> tuple[list[Row], list[LineError]]:
    """Validate a whole table (header first); return the good rows and every bad line with its reason."""
    errors: list[LineError] = []
    records = iter(records)
    first = next(records, None)
    while isinstance(first, tuple) and not any(v.strip() for v in first[1]):
        first = next(records, None)
    if first is None:
        return [], [LineError(1, t("io.empty", columns=",".join(REQUIRED)))]
    if isinstance(first, LineError):
        return [], [first]
    header_line, header = first
    names = [_COLUMN_OF.get(header_key(spreadsheet_unsafe(h))) for h in header]
    where = {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}
    statuses_only = all(c in where for c in STATUS_LIST) and not any(c in where for c in REQUIRED[1:])
    missing = [c for c in REQUIRED if c not in where]
    if missing and not statuses_only:
        return [], [
            LineError(
                header_line,
                tn("io.missing_columns", len(missing), missing=", ".join(missing), columns=",".join(REQUIRED)),
            )
        ]
    needed = STATUS_LIST if statuses_only else REQUIRED
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    seen = 0
    for record in records:
        if isinstance(record, LineError):
            errors.append(record)
            break
        start, values = record
        if not any(v.strip() for v in values):
            continue
        seen += 1
        if max_rows is not None and seen > max_rows:
            errors.append(LineError(start, t("io.too_many_rows", max=number(max_rows))))
            break
        values = [spreadsheet_unsafe(v) for v in values]
        problems: list[str] = []
        # A short line may leave out trailing optional columns, never a required one; a long line
        # usually means an unquoted delimiter that shifted every value after it.
        long_line = len(values) > len(names) and any(v.strip() for v in values[len(names) :])
        if long_line or len(values) <= max(where[c] for c in needed):
            problems.append(t("io.values_count", values=len(values), columns=len(names)))
        values = values + [""] * (len(names) - len(values))
        partner_id = clean(values[where["partner_id"]])
        raw_status = clean(values[where["status"]]) if "status" in where else ""
        if not partner_id:
            problems.append(t("io.id_empty"))
        elif len(partner_id) > ID_MAX:
            problems.append(t("io.id_long", max=ID_MAX))
        elif any(ch.isspace() or ch == "|" for ch in partner_id):
            problems.append(t("io.id_spaces", id=_shown(partner_id)))
        name = country = email = None
        if not statuses_only:
            name = " ".join(clean(values[where["name"]]).split())
            country = clean(values[where["country"]])
            email = clean(values[where["owner_email"]]).lower()
            if not name:
                problems.append(t("io.name_empty"))
            elif len(name) > NAME_MAX:
                problems.append(t("io.name_long", max=NAME_MAX))
            if len(country) > COUNTRY_MAX:
                problems.append(t("io.country_long", max=COUNTRY_MAX))
            if not email:
                problems.append(t("io.email_empty"))
            elif len(email) > EMAIL_MAX or not _EMAIL.match(email):
                problems.append(t("io.email_bad", email=_shown(email)))
        elif not raw_status:
            problems.append(t("io.status_empty"))
        status = parse_status(raw_status) if raw_status else None
        if raw_status and status is None:
            problems.append(t("io.status_bad", status=_shown(raw_status), statuses=STATUSES))
        key = partner_id.upper()
        if partner_id and key in first_line:
            problems.append(t("io.id_twice", id=_shown(partner_id), line=first_line[key]))
        elif partner_id:
            first_line[key] = start
        if problems:
            errors.append(LineError(start, t("io.problems_join").join(problems)))
            continue
        rows.append(Row(start, partner_id, name, country, email, status))
    return rows, errors


def lookup_owners(
    rt: Runtime, emails: Iterable[str], *, progress: Progress | None = None
) -> tuple[dict[str, str | None], list[str], list[str]]:
    """Each distinct owner e-mail's Slack user ID, asked once each; the e-mails Slack could not be asked
    about; the e-mails of deactivated accounts. An e-mail gets None when its owner is not an active user."""
    distinct = sorted(set(emails))
    found: dict[str, str | None] = {}
    failures: list[str] = []
    deactivated: list[str] = []

    def ask(email: str) -> tuple[str, Person | None, bool]:
        try:
            person = rt.directory.by_email(email)
        except Exception as exc:  # one unreachable lookup must not stop the whole import
            log.warning("owner lookup failed: %s", type(exc).__name__)
            return email, None, False
        return email, person, True

    # A few lookups in flight hide the round trips; Slack's rate limit (honoured by the client's
    # retry handler) is what bounds a large import, not this pool.
    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="lookup") as pool:
        for i, (email, person, answered) in enumerate(pool.map(ask, distinct), 1):
            # A deactivated account would own partners nobody is nudged about: left out as if unknown.
            found[email] = person.user_id if person and not person.deleted else None
            if not answered:
                failures.append(email)
            elif person and person.deleted:
                deactivated.append(email)
            if progress:
                progress("owners", i, len(distinct))
    return found, failures, deactivated


def import_partners(
    rt: Runtime,
    data: bytes,
    *,
    source_name: str = "file",
    dry_run: bool = False,
    resolve_owners: bool = True,
    progress: Progress | None = None,
    by: str | None = None,
    max_rows: int | None = None,
) -> ImportReport:
    """Validate the whole file, then import all of it in one transaction, or nothing when a line is bad.

    `by` is who the history names (an admin importing from Slack); the file's name is kept in each entry.
    Raises FileRefused when the file as a whole cannot be read.
    """
    report = ImportReport(dry_run=dry_run)
    rows, report.errors = check_records(file_records(data, source_name), max_rows=max_rows)
    report.rows = len(rows) + len(report.errors)
    report.statuses_only = bool(rows) and rows[0].owner_email is None
    if report.errors:
        return report
    lines_of: dict[str, list[int]] = {}
    for row in rows:
        if row.owner_email is not None:
            lines_of.setdefault(row.owner_email, []).append(row.line)
    owners: dict[str, str | None] = {}
    if resolve_owners and lines_of:
        owners, failures, deactivated = lookup_owners(rt, lines_of, progress=progress)
        for email in sorted(lines_of):
            if owners.get(email) is None:
                lines = lines_of[email]
                where = ", ".join(map(str, lines[:5])) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
                where = f"line{'s' if len(lines) > 1 else ''} {where}"
                if email in deactivated:
                    report.deactivated_owners.append(email)
                    report.warnings.append(
                        f"the Slack account of {email} is deactivated ({where}): imported with the e-mail kept "
                        "and no owner in Slack, so nobody is nudged about it: give it to someone else"
                    )
                    continue
                report.unmatched_owners.append(email)
                why = "Slack could not be asked about" if email in failures else "no Slack user has the e-mail"
                report.warnings.append(
                    f"{why} {email} ({where}): imported with the e-mail kept, "
                    "matched to the person when they use the bot"
                )
    who = (by or f"import:{source_name}")[:320]
    origin = import_note(source_name)  # language-neutral: read in each reader's language (builders.history_line)
    now = rt.clock.now()
    with rt.db.session(write=not dry_run) as session:
        existing = store.rows_for_import(session=session)
        inserts: list[dict[str, Any]] = []
        new_history: list[tuple[str, dict[str, Any]]] = []
        updates: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for row in rows:
            owner_id = owners.get(row.owner_email) if row.owner_email else None
            old = existing.get(row.key)
            if old is None:
                if row.name is None or row.owner_email is None:
                    report.unknown.append(row.partner_id)  # a registration list names partners we do not follow
                    continue
                status = (row.status or Status.NOT_CONTACTED).value
                report.registered += status == Status.REGISTERED
                inserts.append(
                    {
                        "partner_id": row.partner_id,
                        "partner_key": row.key,
                        "name": row.name,
                        "name_folded": store.fold_name(row.name),
                        "country": row.country or "",
                        "owner_email": row.owner_email,
                        "owner_user_id": owner_id,
                        "status": status,
                        "note": "",
                        "updated_at": now,
                        "updated_by": who,
                        "snoozed_until": None,
                        "revision": 1,
                    }
                )
                new_history.append((row.key, _entry(now, who, None, status, None, owner_id or row.owner_email, origin)))
                continue
            change, entry = _diff(old, row, owner_id, now, who, source_name)
            if change is None:
                report.unchanged += 1
            elif entry is None:
                updates.append(change)  # only a newly matched owner: not a change anyone made
                report.unchanged += 1
            else:
                updates.append(change)
                history.append(entry)
                report.updated += 1
                report.registered += entry["to_status"] == Status.REGISTERED != entry["from_status"]
        report.created = len(inserts)
        if dry_run:
            return report
        store.bump_import_version(session=session)
        _write(session, inserts, new_history, updates, history, progress)
    log.info("imported %s partners: %s new, %s updated", len(rows), report.created, report.updated)
    return report


_OLD_IMPORT_FILE, _OLD_IMPORT_CHANGED = "file ", "; changed by import: "
"""How imports wrote their history notes, in English, before they stored them in no language."""


def import_note(file_name: str, changed: Sequence[str] = ()) -> str:
    """The history note an import leaves, in no language: its file and the columns it changed."""
    return json.dumps({"file": file_name, "changed": list(changed)}, ensure_ascii=False)


def read_import_note(note: str) -> tuple[str, list[str]] | None:
    """The file and changed columns an import's note names (older English notes too); None for other notes."""
    try:
        stored = json.loads(note) if note.startswith("{") else None
    except ValueError:
        stored = None
    if isinstance(stored, dict) and isinstance(stored.get("file"), str):
        return stored["file"], [str(name) for name in stored.get("changed") or []]
    if note.startswith(_OLD_IMPORT_FILE):
        file_name, _, fields = note.removeprefix(_OLD_IMPORT_FILE).partition(_OLD_IMPORT_CHANGED)
        return file_name, fields.split(", ") if fields else []
    return None


def _entry(
    at: Any, by: str, old: str | None, new: str, from_owner: str | None, to_owner: str | None, note: str
) -> dict[str, Any]:
    return {
        "at": at,
        "by": by,
        "source": "import",
        "from_status": old,
        "to_status": new,
        "from_owner": from_owner,
        "to_owner": to_owner,
        "note": note,
        "undoes": None,
    }


def _diff(
    old: store.PartnerRow, row: Row, owner_id: str | None, now: Any, by: str, file_name: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The update and the history entry a re-imported row makes (None, None when nothing differs)."""
    update: dict[str, Any] = {"id": old.id}
    changed: list[str] = []
    if row.partner_id != old.partner_id and row.name is not None:
        update["partner_id"] = row.partner_id
    if row.name is not None and row.name != old.name:
        update["name"], update["name_folded"] = row.name, store.fold_name(row.name)
        changed.append("name")
    if row.country is not None and row.country != old.country:
        update["country"] = row.country
        changed.append("country")
    owner_changed = row.owner_email is not None and row.owner_email != old.owner_email
    if owner_changed:
        update["owner_email"], update["owner_user_id"] = row.owner_email, owner_id
    elif old.owner_user_id is None and owner_id is not None:
        update["owner_user_id"] = owner_id
    status = row.status.value if row.status else old.status
    if status != old.status:
        update["status"], update["updated_at"], update["updated_by"] = status, now, by
    if not changed and not owner_changed and status == old.status:
        return (update if len(update) > 1 else None), None
    update["revision"] = old.revision + 1
    entry = {"partner_pk": old.id} | _entry(
        now,
        by,
        old.status,
        status,
        (old.owner_user_id or old.owner_email) if owner_changed else None,
        (owner_id or row.owner_email) if owner_changed else None,
        import_note(file_name, changed),
    )
    return update, entry


def _write(
    session: Session,
    inserts: list[dict[str, Any]],
    new_history: list[tuple[str, dict[str, Any]]],
    updates: list[dict[str, Any]],
    history: list[dict[str, Any]],
    progress: Progress | None,
) -> None:
    total = len(inserts) + len(updates)
    done = 0
    for start in range(0, len(inserts), WRITE_BATCH):
        batch = inserts[start : start + WRITE_BATCH]
        ids = store.insert_partners(session=session, rows=batch)
        entries = new_history[start : start + WRITE_BATCH]
        store.insert_changes(session=session, rows=[{**entry, "partner_pk": ids[key]} for key, entry in entries])
        done += len(batch)
        if progress:
            progress("writing", done, total)
    for start in range(0, len(updates), WRITE_BATCH):
        batch = updates[start : start + WRITE_BATCH]
        store.update_partners(session=session, rows=batch)
        done += len(batch)
        if progress:
            progress("writing", done, total)
    store.insert_changes(session=session, rows=history)


def export_rows(rt: Runtime, *, owner_user_id: str | None = None) -> Iterator[list[str]]:
    """EXPORT_COLUMNS, then every partner (or one owner's) in ID order, each cell safe from spreadsheet formulas."""
    yield list(EXPORT_COLUMNS)
    with rt.db.session() as session:
        for p in store.iter_partners(session=session, owner_user_id=owner_user_id):
            values = [
                p.partner_id,
                p.name,
                p.country,
                p.owner_email,
                p.owner_user_id or "",
                p.status,
                p.updated_at.isoformat(),
                p.updated_by,
                p.note,
                str(p.revision),
            ]
            yield [spreadsheet_safe(v) for v in values]


def export_partners(rt: Runtime, out: TextIO) -> int:
    """Write every partner as CSV (EXPORT_COLUMNS) to `out`; return how many."""
    writer = csv.writer(out, lineterminator="\n")
    count = -1
    for values in export_rows(rt):
        writer.writerow(values)
        count += 1
    return count


def export_csv(rt: Runtime, *, owner_user_id: str | None = None) -> tuple[bytes, int]:
    """The partners as CSV in UTF-8 with a BOM (so Excel reads the accents), and how many."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    count = -1
    for values in export_rows(rt, owner_user_id=owner_user_id):
        writer.writerow(values)
        count += 1
    return out.getvalue().encode("utf-8-sig"), count


def export_xlsx(rt: Runtime, *, owner_user_id: str | None = None) -> tuple[bytes, int]:
    """The partners as an Excel workbook (one sheet, every cell text), and how many."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("partners")
    count = -1
    for values in export_rows(rt, owner_user_id=owner_user_id):
        sheet.append(values)
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
