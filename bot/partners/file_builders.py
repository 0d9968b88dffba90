"""Messages of partner files in Slack: the checked report, progress, results, exports. Pure: data in, Reply out."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.blocks import actions, button, context, header, section
from bot.ids import Action
from bot.partners.io import ImportReport, LineError, spreadsheet_safe
from bot.replies import Reply
from bot.text import escape, truncate

ERRORS_SHOWN = 20
OWNERS_SHOWN = 10
UNKNOWN_SHOWN = 10

# Every sentence a person reads about partner files, gathered for translation.
IMPORT_HOW = (
    "*Importing partners*: drop a CSV or Excel (.xlsx) file into this DM with me (admins only). "
    "I check every line and answer with a report: new, updated and unchanged partners, owners I could not "
    "find in Slack, and each bad line with its number. Nothing changes until you click *Import*.\n"
    "Columns: `partner_id`, `name`, `country`, `owner_email` and optionally `status` (French headers work: "
    "`identifiant`, `nom`, `pays`, `email du responsable`, `statut`). A file with only `partner_id` and "
    "`status` (the program's registration list) just applies the statuses. CSV may be UTF-8 or Windows-1252, "
    "with commas, semicolons or tabs."
)
NOT_ADMIN_FILE = "Only admins can import partner files, so I did not open this one. Ask an admin to send it."
NOT_YOURS = "I import only files you uploaded yourself."
NOT_ADMIN_IMPORT = "Only the admin who sent this file can import it."
NOT_ADMIN_EXPORT = "Only admins can export every partner. `{command} export mine` gives you your own."
TOO_BIG = "This file is {size:,} bytes; I take partner files up to {limit:,} bytes (IMPORT_MAX_BYTES)."
NOT_DOWNLOADED = "I could not download the file from Slack ({why}). Try sending it again."
UNREADABLE = "I could not read *{name}*: {why}."
STOPPED = {
    "running": "This import is already running; its progress is below.",
    "done": "This file was already imported. Send it again to import it again.",
    "failed": "This import already ran and failed. Send the file again to retry.",
    "cancelled": "This import was cancelled; nothing was imported. Send the file again to import it.",
    "expired": "This report is more than a day old, so I no longer keep its file and nothing was imported. "
    "Send the file again.",
    "stale": "Another import ran after this file was checked, so this report is out of date and nothing was "
    "imported. Send the file again for a fresh report.",
}
CANCELLED = "Cancelled: nothing was imported from *{name}*."
EXPORT_SENT = "I sent {count:,} partner{s} to our direct messages as *{name}*."
EXPORT_EMPTY = "You have no partners to export."
EXPORT_COMMENT = "{count:,} partner{s}, as of {when}. Cells that would start a formula begin with '."
IMPORT_FAILED = "The import of *{name}* failed and nothing was imported: {why}."


def plural(n: int, word: str) -> str:
    """`1 partner`, `2 partners`."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def errors_csv(errors: Sequence[LineError]) -> bytes:
    """Every bad line as CSV (line, reason), for the attachment beside the report."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["line", "reason"])
    for error in errors:
        writer.writerow([error.line, spreadsheet_safe(error.reason)])
    return out.getvalue().encode("utf-8-sig")


def counts_line(report: ImportReport, *, done: bool) -> str:
    """`3 new, 1 updated, 12 unchanged; 2 became registered`."""
    verb = "became" if done else "will become"
    parts = f"{report.created:,} new, {report.updated:,} updated, {report.unchanged:,} unchanged"
    return f"{parts}; {plural(report.registered, 'partner')} {verb} registered"


def build_import_report(*, name: str, report: ImportReport, import_id: int | None) -> Reply:
    """The checked file: what would change, owners not found, bad lines; Import/Cancel when it can run."""
    shown_name = escape(truncate(name, 100))
    blocks = [header(f"Partner file checked: {truncate(name, 100)}")]
    if report.errors:
        summary = (
            f"*{plural(len(report.errors), 'bad line')}* in *{shown_name}*: nothing can be imported. "
            "Fix them and send the file again."
        )
        lines = "\n".join(f"• {escape(str(e))}" for e in report.errors[:ERRORS_SHOWN])
        blocks += [section(summary), section(truncate(lines, 2900))]
        if len(report.errors) > ERRORS_SHOWN:
            blocks.append(context(f"…and {len(report.errors) - ERRORS_SHOWN:,} more: every bad line is in the CSV."))
        text = f"{plural(len(report.errors), 'bad line')} in {shown_name}: nothing can be imported."
        return Reply(text=text, blocks=blocks, ephemeral=False)
    kind = "registration list (statuses only)" if report.statuses_only else "partner list"
    summary = f"*{shown_name}* is a {kind} of {plural(report.rows, 'line')}: {counts_line(report, done=False)}."
    blocks.append(section(summary))
    if report.unknown:
        ids = ", ".join(f"`{escape(i)}`" for i in report.unknown[:UNKNOWN_SHOWN])
        more = f" and {len(report.unknown) - UNKNOWN_SHOWN:,} more" if len(report.unknown) > UNKNOWN_SHOWN else ""
        blocks.append(section(f"{plural(len(report.unknown), 'ID')} not in our list, left out: {ids}{more}."))
    if report.unmatched_owners:
        owners = ", ".join(escape(e) for e in report.unmatched_owners[:OWNERS_SHOWN])
        extra = len(report.unmatched_owners) - OWNERS_SHOWN
        more = f" and {extra:,} more" if extra > 0 else ""
        blocks.append(
            section(
                f"{plural(len(report.unmatched_owners), 'owner')} not found in Slack (kept by e-mail, matched "
                f"when they use the bot): {owners}{more}."
            )
        )
    if import_id is not None:
        blocks.append(
            actions(
                button("Import", Action.IMPORT_RUN, str(import_id), style="primary"),
                button("Cancel", Action.IMPORT_CANCEL, str(import_id)),
            )
        )
        blocks.append(context("Nothing is written until you click Import."))
    return Reply(text=f"{shown_name} checked: {counts_line(report, done=False)}.", blocks=blocks, ephemeral=False)


def build_progress(*, name: str, stage: str, done: int, total: int) -> Reply:
    """The one progress message, edited as the import advances."""
    what = {"owners": "matching owners in Slack", "writing": "writing partners"}.get(stage)
    if what is None or not total:
        text = f":hourglass_flowing_sand: Importing {truncate(name, 100)}…"
    else:
        share = f"{done:,}/{total:,} ({100 * done // total} %)"
        text = f":hourglass_flowing_sand: Importing {truncate(name, 100)}: {what}, {share}"
    return Reply(text=escape(text), blocks=[section(escape(text))], ephemeral=False)


def build_progress_done(*, name: str, ok: bool) -> Reply:
    """The progress message once the import has ended."""
    shown = escape(truncate(name, 100))
    text = f":white_check_mark: Import of {shown} finished." if ok else f":x: Import of {shown} stopped."
    return Reply(text=text, blocks=[section(text)], ephemeral=False)


def build_import_result(*, name: str, report: ImportReport) -> Reply:
    """What an import did."""
    text = f"Imported *{escape(truncate(name, 100))}*: {counts_line(report, done=True)}."
    if report.unknown:
        text += f" {plural(len(report.unknown), 'ID')} not in our list left out."
    return Reply(text=text, blocks=[section(text)], ephemeral=False)


def build_import_failed(*, name: str, why: str) -> Reply:
    """An import that ran and wrote nothing."""
    text = IMPORT_FAILED.format(name=escape(truncate(name, 100)), why=escape(why))
    return Reply(text=text, blocks=[section(text)], ephemeral=False)


def notice(text: str, *, ephemeral: bool = False) -> Reply:
    """One plain sentence."""
    return Reply(text=text, blocks=[section(text)], ephemeral=ephemeral)
