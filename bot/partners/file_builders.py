"""Messages of partner files in Slack: the checked report, progress, results, exports. Pure: data in, Reply out."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from bot.blocks import Block, actions, button, context, header, section
from bot.i18n import number, percent, t, tn
from bot.ids import Action
from bot.partners.io import ImportReport, LineError, spreadsheet_safe
from bot.replies import Reply
from bot.slack_text import escape, truncate

ERRORS_SHOWN = 20
OWNERS_SHOWN = 10
UNKNOWN_SHOWN = 10


def errors_csv(errors: Sequence[LineError]) -> bytes:
    """Every bad line as CSV (line, reason), for the attachment beside the report."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["line", "reason"])
    for error in errors:
        writer.writerow([error.line, spreadsheet_safe(error.reason)])
    return out.getvalue().encode("utf-8-sig")


def counts_line(report: ImportReport, *, done: bool) -> str:
    """`3 new, 1 updated, 12 unchanged; 2 partners became registered`, in the reader's language."""
    registered = tn("files.became" if done else "files.will_become", report.registered)
    return t(
        "files.counts",
        created=tn("files.created", report.created),
        updated=tn("files.updated", report.updated),
        unchanged=tn("files.unchanged", report.unchanged),
        registered=registered,
    )


def _listed(key: str, items: list[str], shown: int, placeholder: str) -> Block:
    """The message `key` naming the first `shown` of `items` (already written as mrkdwn), then how many more."""
    hidden = len(items) - shown
    more = " " + tn("files.and_more", hidden) if hidden > 0 else ""
    return section(tn(key, len(items), **{placeholder: ", ".join(items[:shown])}, more=more))


def build_import_report(*, name: str, report: ImportReport, import_id: int | None) -> Reply:
    """The checked file: what would change, owners not found, bad lines; Import/Cancel when it can run."""
    shown_name = escape(truncate(name, 100))
    blocks = [header(t("files.checked_title", name=truncate(name, 100)))]
    if report.errors:
        bad = len(report.errors)
        lines = "\n".join(f"• {escape(str(e))}" for e in report.errors[:ERRORS_SHOWN])
        blocks += [section(tn("files.bad_lines", bad, name=shown_name)), section(truncate(lines, 2900))]
        if bad > ERRORS_SHOWN:
            blocks.append(context(tn("files.bad_lines_more", bad - ERRORS_SHOWN)))
        return Reply(text=tn("files.bad_lines_plain", bad, name=shown_name), blocks=blocks, ephemeral=False)
    kind = t("files.kind_statuses" if report.statuses_only else "files.kind_partners")
    counts = counts_line(report, done=False)
    blocks.append(section(tn("files.summary", report.rows, name=shown_name, kind=kind, counts=counts)))
    if report.unknown:
        ids = [f"`{escape(i)}`" for i in report.unknown]
        blocks.append(_listed("files.unknown_ids", ids, UNKNOWN_SHOWN, "ids"))
    if report.unmatched_owners:
        owners = [escape(e) for e in report.unmatched_owners]
        blocks.append(_listed("files.unmatched_owners", owners, OWNERS_SHOWN, "owners"))
    if report.deactivated_owners:
        owners = [escape(e) for e in report.deactivated_owners]
        blocks.append(_listed("files.deactivated_owners", owners, OWNERS_SHOWN, "owners"))
    if import_id is not None:
        blocks.append(
            actions(
                button(t("files.import"), Action.IMPORT_RUN, str(import_id), style="primary"),
                button(t("form.cancel"), Action.IMPORT_CANCEL, str(import_id)),
            )
        )
        blocks.append(context(t("files.nothing_until_import")))
    return Reply(text=t("files.checked_plain", name=shown_name, counts=counts), blocks=blocks, ephemeral=False)


def build_progress(*, name: str, stage: str, done: int, total: int) -> Reply:
    """The one progress message, edited as the import advances."""
    if stage not in ("owners", "writing") or not total:
        text = t("files.importing", name=truncate(name, 100))
    else:
        share = f"{number(done)}/{number(total)} ({percent(done / total)})"
        text = t(f"files.importing_{stage}", name=truncate(name, 100), share=share)
    return Reply(text=escape(text), blocks=[section(escape(text))], ephemeral=False)


def build_progress_done(*, name: str, ok: bool) -> Reply:
    """The progress message once the import has ended."""
    shown = escape(truncate(name, 100))
    text = t("files.finished" if ok else "files.stopped_import", name=shown)
    return Reply(text=text, blocks=[section(text)], ephemeral=False)


def build_import_result(*, name: str, report: ImportReport) -> Reply:
    """What an import did."""
    text = t("files.imported", name=escape(truncate(name, 100)), counts=counts_line(report, done=True))
    if report.unknown:
        text += " " + tn("files.imported_unknown", len(report.unknown))
    return Reply(text=text, blocks=[section(text)], ephemeral=False)


def build_import_failed(*, name: str, why: str) -> Reply:
    """An import that ran and wrote nothing."""
    text = t("files.import_failed", name=escape(truncate(name, 100)), why=escape(why))
    return Reply(text=text, blocks=[section(text)], ephemeral=False)


def notice(text: str, *, ephemeral: bool = False) -> Reply:
    """One plain sentence."""
    return Reply(text=text, blocks=[section(text)], ephemeral=ephemeral)
