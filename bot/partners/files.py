"""Partner files in Slack: an admin's file checked then imported on a click, and exports to the asker's DM."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.errors import BadInput, NotAllowed
from bot.i18n import number, short_datetime, t, tn
from bot.partners import file_builders as build
from bot.partners import io as partner_io
from bot.replies import Reply
from bot.runtime import Runtime
from bot.slack_text import escape
from storage import imports as store

log = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
SPREADSHEET_TYPES = frozenset({"csv", "tsv", "xlsx", "text"})
DOWNLOAD_TIMEOUT_S = 30
KEEP_CHECKED = dt.timedelta(days=1)
"""How long a checked file waits for its Import click before it is dropped."""
LONGEST_RUN = dt.timedelta(minutes=30)
"""Longer than any import runs (a million rows take minutes): one still running after this was cut off by a crash."""
PROGRESS_EVERY_S = 3.0
"""How often the progress message is edited: often enough to see it move, far under chat.update's rate limit."""

Send = Callable[[Reply], None]


@dataclass(frozen=True)
class SharedFile:
    """A file someone dropped into their DM with the bot, as the event describes it."""

    user_id: str
    channel: str
    file_id: str
    name: str


def is_partner_file(file: dict[str, Any]) -> bool:
    """Say whether a shared file looks like a partner list (CSV, TSV, text or .xlsx)."""
    name = str(file.get("name") or "").lower()
    return name.endswith(SPREADSHEET_SUFFIXES) or str(file.get("filetype") or "").lower() in SPREADSHEET_TYPES


def shared_file(event: dict[str, Any]) -> SharedFile | None:
    """The partner file in a DM `file_share` message event, or None when it is something else."""
    files = event.get("files")
    if event.get("channel_type") != "im" or event.get("bot_id") or not isinstance(files, list) or not files:
        return None
    first = files[0]
    user, channel = event.get("user"), event.get("channel")
    if not isinstance(first, dict) or not is_partner_file(first) or not isinstance(user, str) or not user:
        return None
    if not isinstance(channel, str) or not channel or not isinstance(first.get("id"), str):
        return None
    return SharedFile(user_id=user, channel=channel, file_id=first["id"], name=str(first.get("name") or "file"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Slack answers a download without a valid token with a redirect to its login page: that is a failure."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _slack_host(rt: Runtime, url: str) -> bool:
    """Say whether `url` is Slack's (or SLACK_API_URL's host): the bot token goes nowhere else."""
    parts = urllib.parse.urlsplit(url)
    api = urllib.parse.urlsplit(rt.settings.slack_api_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    same_as_api = parts.scheme == api.scheme and parts.netloc == api.netloc
    return same_as_api or (parts.scheme == "https" and (host == "slack.com" or host.endswith(".slack.com")))


def download(rt: Runtime, url: str, *, limit: int) -> bytes:
    """The file at a Slack `url_private_download`, fetched with the bot token; BadInput past `limit` bytes."""
    own = getattr(rt.client, "download_private_file", None)  # the console's simulated Slack serves its own files
    if callable(own):
        return _within(bytes(own(url, limit)), limit)
    if not _slack_host(rt, url):
        log.warning("file download refused: not a Slack address")
        raise BadInput(t("files.not_downloaded", why=t("files.why_not_slack")))
    token = {"Authorization": f"Bearer {rt.settings.slack_bot_token}"}
    request = urllib.request.Request(url, headers=token)  # noqa: S310 (http(s) only, checked above)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT_S) as response:
            data: bytes = response.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise BadInput(t("files.not_downloaded", why=f"HTTP {exc.code}")) from None
    except (urllib.error.URLError, OSError) as exc:
        log.warning("file download failed: %s", type(exc).__name__)
        raise BadInput(t("files.not_downloaded", why=t("files.why_no_answer"))) from None
    return _within(data, limit)


def _within(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise BadInput(t("files.too_big", size=number(len(data)), limit=number(limit)))
    return data


def receive(rt: Runtime, shared: SharedFile) -> Reply:
    """Check an admin's partner file and keep it for the Import click; refuse anyone else's unopened."""
    if not rt.is_admin(shared.user_id):
        log.info("partner file from a non-admin refused")
        return build.notice(t("files.not_admin_file"))
    limit = rt.settings.import_max_bytes
    try:
        info = rt.client.files_info(file=shared.file_id)["file"]
    except SlackApiError as exc:
        log.warning("files.info failed: %s", exc.response.get("error"))
        why = str(exc.response.get("error") or t("files.why_no_answer"))
        return build.notice(t("files.not_downloaded", why=why))
    if info.get("user") not in (None, shared.user_id):
        raise NotAllowed(t("files.not_yours"))
    size = int(info.get("size") or 0)
    if size > limit:
        return build.notice(t("files.too_big", size=number(size), limit=number(limit)))
    data = download(rt, str(info.get("url_private_download") or ""), limit=limit)
    name = str(info.get("name") or shared.name)
    try:
        report = partner_io.import_partners(
            rt, data, source_name=name, dry_run=True, max_rows=rt.settings.import_max_rows
        )
    except partner_io.FileRefused as exc:
        return build.notice(t("files.unreadable", name=escape(name), why=str(exc)))
    log.info("partner file checked: %s lines, %s bad", report.rows, len(report.errors))
    if report.errors:
        _attach_errors(rt, shared.channel, name, report)
        return build.build_import_report(name=name, report=report, import_id=None)
    with rt.db.session(write=True) as session:
        store.expire_imports(session=session, before=rt.clock.now() - KEEP_CHECKED)
        kept = store.add_import(
            session=session,
            user_id=shared.user_id,
            channel=shared.channel,
            file_id=shared.file_id,
            file_name=name,
            digest=hashlib.sha256(data).hexdigest(),
            data=data,
            at=rt.clock.now(),
        )
        assert kept.id is not None
    return build.build_import_report(name=name, report=report, import_id=kept.id)


def _attach_errors(rt: Runtime, channel: str, name: str, report: partner_io.ImportReport) -> None:
    """Upload every bad line as CSV beside the report (the message shows the first ones)."""
    stem = name.rsplit(".", 1)[0] or "file"
    try:
        rt.client.files_upload_v2(
            channel=channel,
            file=build.errors_csv(report.errors),
            filename=f"{stem}-errors.csv",
            title=t("files.bad_lines_title", name=name),
        )
    except SlackApiError as exc:
        log.warning("bad lines not uploaded: %s", exc.response.get("error"))


def cancel(rt: Runtime, *, actor: str, import_id: int) -> Reply:
    """Cancel a checked file (only its admin may)."""
    _check_owner(rt, actor, import_id)
    with rt.db.session(write=True) as session:
        stopped = store.cancel_import(session=session, import_id=import_id)
        row = store.get_import(session=session, import_id=import_id)
    if stopped is not None:
        return build.notice(t(f"files.stopped.{stopped}"), ephemeral=True)
    name = escape(row.file_name) if row else t("files.the_file")
    return Reply(text=t("files.cancelled", name=name), replace_original=True)


def _check_owner(rt: Runtime, actor: str, import_id: int) -> None:
    with rt.db.session() as session:
        row = store.get_import(session=session, import_id=import_id)
    if row is None:
        raise BadInput(t("files.no_such_import"))
    if row.user_id != actor or not rt.is_admin(actor):
        raise NotAllowed(t("files.not_admin_import"))


def run(rt: Runtime, *, actor: str, import_id: int, send: Send) -> Reply | None:
    """Claim a checked file and import it, editing one progress message; a reply says why when it cannot run."""
    _check_owner(rt, actor, import_id)
    with rt.db.session(write=True) as session:
        now = rt.clock.now()
        stopped = store.claim_import(
            session=session,
            import_id=import_id,
            new_version=uuid.uuid4().hex,
            now=now,
            checked_since=now - KEEP_CHECKED,
            running_since=now - LONGEST_RUN,
        )
        row = store.get_import(session=session, import_id=import_id)
    if stopped is not None or row is None:
        log.info("import %s not run: %s", import_id, stopped)
        return build.notice(t(f"files.stopped.{stopped or 'cancelled'}"), ephemeral=True)
    log.info("import %s claimed", import_id)
    progress = ProgressMessage(rt, channel=row.channel, name=row.file_name)
    progress.start()
    state, outcome = store.ImportState.FAILED, "stopped"
    try:
        report = partner_io.import_partners(
            rt,
            row.data,
            source_name=row.file_name,
            by=actor,
            max_rows=rt.settings.import_max_rows,
            progress=progress.update,
        )
        if report.errors:
            outcome = str(report.errors[0])
            result = build.build_import_failed(name=row.file_name, why=outcome)
        else:
            state, outcome = store.ImportState.DONE, build.counts_line(report, done=True)
            result = build.build_import_result(name=row.file_name, report=report)
    except partner_io.FileRefused as exc:
        outcome = str(exc)
        result = build.build_import_failed(name=row.file_name, why=outcome)
    finally:
        # Recorded whatever happened, so a click after a crash says so instead of running again.
        progress.finish(ok=state is store.ImportState.DONE)
        with rt.db.session(write=True) as session:
            store.finish_import(session=session, import_id=import_id, state=state, outcome=outcome, at=rt.clock.now())
    send(result)
    log.info("import %s %s", import_id, state.value)
    return None


class ProgressMessage:
    """One message edited with chat.update as an import advances, at most every PROGRESS_EVERY_S seconds."""

    def __init__(self, rt: Runtime, *, channel: str, name: str) -> None:
        self.rt, self.channel, self.name = rt, channel, name
        self.ts: str | None = None
        self.last = 0.0

    def start(self) -> None:
        reply = build.build_progress(name=self.name, stage="start", done=0, total=0)
        try:
            answer = self.rt.client.chat_postMessage(channel=self.channel, **reply.as_message_kwargs())
            self.ts, self.channel = answer.get("ts"), answer.get("channel") or self.channel
        except SlackApiError as exc:
            log.warning("progress message not posted: %s", exc.response.get("error"))
        self.last = time.monotonic()

    def update(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if self.ts is None or (now - self.last < PROGRESS_EVERY_S and done < total):
            return
        self.last = now
        self._edit(build.build_progress(name=self.name, stage=stage, done=done, total=total))

    def finish(self, *, ok: bool) -> None:
        if self.ts is not None:
            self._edit(build.build_progress_done(name=self.name, ok=ok))

    def _edit(self, reply: Reply) -> None:
        if self.ts is None:
            return
        try:
            self.rt.client.chat_update(channel=self.channel, ts=self.ts, **reply.as_message_kwargs())
        except SlackApiError as exc:  # progress is a courtesy: the import goes on
            log.warning("progress not updated: %s", exc.response.get("error"))


def export(rt: Runtime, *, actor: str, mine: bool, xlsx: bool) -> Reply:
    """Upload every partner (admins) or the asker's own to the asker's DM, as CSV or .xlsx."""
    if not mine and not rt.is_admin(actor):
        raise NotAllowed(t("files.not_admin_export", command=rt.settings.partner_command))
    owner = actor if mine else None
    data, count = (partner_io.export_xlsx if xlsx else partner_io.export_csv)(rt, owner_user_id=owner)
    if mine and count == 0:
        return build.notice(t("files.export_empty"), ephemeral=True)
    stem = t("files.export_file_mine" if mine else "files.export_file")
    name = f"{stem}-{rt.today().isoformat()}.{'xlsx' if xlsx else 'csv'}"
    channel = rt.client.conversations_open(users=actor)["channel"]["id"]
    rt.client.files_upload_v2(
        channel=channel,
        file=data,
        filename=name,
        title=name,
        initial_comment=tn(
            "files.export_comment", count, when=short_datetime(rt.clock.now().astimezone(rt.settings.tz))
        ),
    )
    log.info("exported %s partners", count)
    return build.notice(tn("files.export_sent", count, name=name), ephemeral=True)
