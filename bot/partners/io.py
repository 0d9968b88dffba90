"""Partner files: validate a whole CSV before importing any of it, import in one transaction, export all."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlmodel import Session

from bot.runtime import Runtime
from bot.statuses import ORDER, Status, parse_status
from bot.text import clean
from storage import partners as store

log = logging.getLogger(__name__)

REQUIRED = ("partner_id", "name", "country", "owner_email")
OPTIONAL = ("status",)
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
ID_MAX, NAME_MAX, COUNTRY_MAX, EMAIL_MAX = 64, 300, 64, 320
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
WRITE_BATCH = 2000
LOOKUP_THREADS = 4
STATUSES = ", ".join(s.value for s in ORDER)

Progress = Callable[[str, int, int], None]
"""Called with (stage, done, total) as a long import advances."""


@dataclass(frozen=True)
class LineError:
    """A line of the file that cannot be imported, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Row:
    """One valid line of a partner file."""

    line: int
    partner_id: str
    name: str
    country: str
    owner_email: str
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
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def _shown(value: str, limit: int = 60) -> str:
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(value)


def read_rows(text: str) -> tuple[list[Row], list[LineError]]:
    """Validate every line of a partner CSV; return the good rows and every bad line with its reason."""
    errors: list[LineError] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [LineError(1, "the file is empty; the first line must name the columns " + ",".join(REQUIRED))]
    except csv.Error as exc:
        return [], [LineError(1, f"cannot be read as CSV ({exc})")]
    names = [clean(h).lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        return [], [
            LineError(
                1,
                f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                f"(the header must name {','.join(REQUIRED)}; status is optional)",
            )
        ]
    where = {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    line = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(LineError(line, f"cannot be read as CSV ({exc}); nothing after it was checked"))
            break
        start, line = line, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        problems: list[str] = []
        # A short line may leave out trailing optional columns, never a required one; a long line
        # usually means an unquoted comma that shifted every value after it.
        if len(values) > len(names) or len(values) <= max(where[c] for c in REQUIRED):
            problems.append(f"has {len(values)} values but the header has {len(names)} columns")
        values = values + [""] * (len(names) - len(values))
        partner_id = clean(values[where["partner_id"]])
        name = " ".join(clean(values[where["name"]]).split())
        country = clean(values[where["country"]])
        email = clean(values[where["owner_email"]]).lower()
        raw_status = clean(values[where["status"]]) if "status" in where else ""
        if not partner_id:
            problems.append("partner_id is empty")
        elif len(partner_id) > ID_MAX:
            problems.append(f"partner_id is longer than {ID_MAX} characters")
        elif any(ch.isspace() or ch == "|" for ch in partner_id):
            problems.append(f"partner_id {_shown(partner_id)} contains spaces or '|'")
        if not name:
            problems.append("name is empty")
        elif len(name) > NAME_MAX:
            problems.append(f"name is longer than {NAME_MAX} characters")
        if len(country) > COUNTRY_MAX:
            problems.append(f"country is longer than {COUNTRY_MAX} characters")
        if not email:
            problems.append("owner_email is empty")
        elif len(email) > EMAIL_MAX or not _EMAIL.match(email):
            problems.append(f"owner_email {_shown(email)} is not an e-mail address")
        status = parse_status(raw_status) if raw_status else None
        if raw_status and status is None:
            problems.append(f"status {_shown(raw_status)} is not one of {STATUSES} (or their French names)")
        key = partner_id.upper()
        if partner_id and key in first_line:
            problems.append(f"partner_id {_shown(partner_id)} already appears on line {first_line[key]}")
        elif partner_id:
            first_line[key] = start
        if problems:
            errors.append(LineError(start, "; ".join(problems)))
            continue
        rows.append(Row(start, partner_id, name, country, email, status))
    return rows, errors


def decode_file(data: bytes) -> tuple[str, list[LineError]]:
    """The file's text (UTF-8, with or without BOM), or the line where it stops being UTF-8."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return "", [LineError(line, "is not UTF-8 text; save the file as “CSV UTF-8” and try again")]


def lookup_owners(
    rt: Runtime, emails: Iterable[str], *, progress: Progress | None = None
) -> tuple[dict[str, str | None], list[str]]:
    """Each distinct owner e-mail's Slack user ID (None when Slack does not know it), asked once each."""
    distinct = sorted(set(emails))
    found: dict[str, str | None] = {}
    failures: list[str] = []

    def ask(email: str) -> tuple[str, str | None, bool]:
        try:
            person = rt.directory.by_email(email)
        except Exception as exc:  # one unreachable lookup must not stop the whole import
            log.warning("owner lookup failed: %s", type(exc).__name__)
            return email, None, False
        return email, person.user_id if person else None, True

    # A few lookups in flight hide the round trips; Slack's rate limit (honoured by the client's
    # retry handler) is what bounds a large import, not this pool.
    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS, thread_name_prefix="lookup") as pool:
        for i, (email, user_id, answered) in enumerate(pool.map(ask, distinct), 1):
            found[email] = user_id
            if not answered:
                failures.append(email)
            if progress:
                progress("owners", i, len(distinct))
    return found, failures


def import_partners(
    rt: Runtime,
    data: bytes,
    *,
    source_name: str = "file",
    dry_run: bool = False,
    resolve_owners: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the whole file, then import all of it in one transaction, or nothing when a line is bad."""
    report = ImportReport(dry_run=dry_run)
    text, report.errors = decode_file(data)
    if report.errors:
        return report
    rows, report.errors = read_rows(text)
    report.rows = len(rows) + len(report.errors)
    if report.errors:
        return report
    lines_of: dict[str, list[int]] = {}
    for row in rows:
        lines_of.setdefault(row.owner_email, []).append(row.line)
    owners: dict[str, str | None] = {}
    if resolve_owners:
        owners, failures = lookup_owners(rt, lines_of, progress=progress)
        for email in sorted(lines_of):
            if owners.get(email) is None:
                lines = lines_of[email]
                where = ", ".join(map(str, lines[:5])) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
                why = "Slack could not be asked about" if email in failures else "no Slack user has the e-mail"
                report.warnings.append(
                    f"{why} {email} (line{'s' if len(lines) > 1 else ''} {where}): imported with the e-mail kept, "
                    "matched to the person when they use the bot"
                )
    by = f"import:{source_name}"[:320]
    now = rt.clock.now()
    with rt.db.session(write=not dry_run) as session:
        existing = store.rows_for_import(session=session)
        inserts: list[dict[str, Any]] = []
        new_history: list[tuple[str, dict[str, Any]]] = []
        updates: list[dict[str, Any]] = []
        history: list[dict[str, Any]] = []
        for row in rows:
            owner_id = owners.get(row.owner_email)
            old = existing.get(row.key)
            if old is None:
                status = (row.status or Status.NOT_CONTACTED).value
                inserts.append(
                    {
                        "partner_id": row.partner_id,
                        "partner_key": row.key,
                        "name": row.name,
                        "name_folded": store.fold_name(row.name),
                        "country": row.country,
                        "owner_email": row.owner_email,
                        "owner_user_id": owner_id,
                        "status": status,
                        "note": "",
                        "updated_at": now,
                        "updated_by": by,
                        "snoozed_until": None,
                        "revision": 1,
                    }
                )
                new_history.append((row.key, _entry(now, by, None, status, None, owner_id or row.owner_email, "")))
                continue
            change, entry = _diff(old, row, owner_id, now, by)
            if change is None:
                report.unchanged += 1
            elif entry is None:
                updates.append(change)  # only a newly matched owner: not a change anyone made
                report.unchanged += 1
            else:
                updates.append(change)
                history.append(entry)
                report.updated += 1
        report.created = len(inserts)
        if dry_run:
            return report
        _write(session, inserts, new_history, updates, history, progress)
    log.info("imported %s partners: %s new, %s updated", len(rows), report.created, report.updated)
    return report


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
    old: store.PartnerRow, row: Row, owner_id: str | None, now: Any, by: str
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The update and the history entry a re-imported row makes (None, None when nothing differs)."""
    update: dict[str, Any] = {"id": old.id}
    changed: list[str] = []
    if row.partner_id != old.partner_id:
        update["partner_id"] = row.partner_id
    if row.name != old.name:
        update["name"], update["name_folded"] = row.name, store.fold_name(row.name)
        changed.append("name")
    if row.country != old.country:
        update["country"] = row.country
        changed.append("country")
    owner_changed = row.owner_email != old.owner_email
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
        f"changed by import: {', '.join(changed)}" if changed else "",
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


def export_partners(rt: Runtime, out: TextIO) -> int:
    """Write every partner as CSV (EXPORT_COLUMNS) to `out`; return how many."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    with rt.db.session() as session:
        for p in store.iter_partners(session=session):
            writer.writerow(
                [
                    p.partner_id,
                    p.name,
                    p.country,
                    p.owner_email,
                    p.owner_user_id or "",
                    p.status,
                    p.updated_at.isoformat(),
                    p.updated_by,
                    p.note,
                    p.revision,
                ]
            )
            count += 1
    return count
