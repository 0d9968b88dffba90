"""`transition-bot console`: the real app (same listeners, storage and builders) against a simulated Slack."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.emoji import Emoji, NoEmoji
from slack_bolt import App, BoltResponse
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from bot.clock import OffsetClock, SystemClock
from bot.config import Settings
from bot.demo import DEMO_USERS, load_demo
from bot.i18n import Lang, set_reader, t, tn
from bot.slack_text import unescape
from storage.db import Database

BOT_USER_ID = "UCONSOLEBOT"
CONSOLE_CHANNEL = "C0CONSOLE1"
DEFAULT_USER = DEMO_USERS[0].user_id


class InlineExecutor(Executor):
    """Runs submitted work at once in the caller's thread, so each console line finishes before the next."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


_EMOJI_CODE = re.compile(r":([a-z0-9_+-]{1,60}):")


def _terminal_emoji(code: re.Match[str]) -> str:
    """Slack's name of an emoji as the terminal's (Rich's) table knows it: Slack calls 🟡 `large_yellow_circle`."""
    for name in (code[1], code[1].removeprefix("large_")):
        try:
            return str(Emoji(name))
        except NoEmoji:
            continue
    return code[0]


def render_text(text: str) -> str:
    """Slack mrkdwn made readable in a terminal: entities decoded, emoji drawn, user mentions kept as @ID."""
    return _EMOJI_CODE.sub(_terminal_emoji, unescape(text))


def render_element(element: dict[str, Any]) -> str:
    """One interactive element as text."""
    kind = element.get("type")
    label = (element.get("text") or element.get("placeholder") or {}).get("text", "")
    if kind == "button":
        return f"[{label}]"
    if kind in ("static_select", "external_select", "users_select", "conversations_select"):
        return f"[{label or 'choose'} ▾]"
    if kind == "overflow":
        return "[⋯]"
    return f"[{kind}]"


def render_blocks(blocks: list[dict[str, Any]]) -> str:
    """Block Kit as plain text, one block after another."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {block['text']['text']} ==")
        elif kind == "section":
            if block.get("text"):
                lines.append(render_text(block["text"].get("text", "")))
            for field in block.get("fields") or []:
                lines.append("  " + render_text(field.get("text", "")))
            if block.get("accessory"):
                lines.append("  " + render_element(block["accessory"]))
        elif kind == "context":
            lines.append(
                "  "
                + " ".join(render_text(e.get("text", "")) for e in block.get("elements", []) if isinstance(e, dict))
            )
        elif kind == "actions":
            lines.append("  " + " ".join(render_element(e) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "input":
            lines.append(f"{block.get('label', {}).get('text', '')}: {render_element(block.get('element', {}))}")
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
    return "\n".join(lines)


def render_message(args: dict[str, Any]) -> str:
    """A message payload as text: its blocks if any, else its text."""
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if blocks:
        return render_blocks(blocks)
    return render_text(str(args.get("text", "")))


class Screen:
    """The terminal: prints what the bot says and remembers the last message's buttons for `!click`."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.buttons: list[dict[str, Any]] = []
        self.buttons_channel: str | None = None
        """Where the message holding `buttons` was posted (None for views and replies to a request)."""
        self.last_view_id: str | None = None

    def show(self, where: str, blocks: list[dict[str, Any]] | None, text: str = "", channel: str | None = None) -> None:
        """Print one message or view and keep its buttons, and the channel they were posted to."""
        self.out.print(f"\n[bold]bot[/bold] ({where}):", highlight=False)
        self.out.print(render_blocks(blocks) if blocks else render_text(text), markup=False, highlight=False)
        found = [
            {**element, "block_id": block.get("block_id", "")}
            for block in blocks or []
            for element in [*(block.get("elements") or []), *([block["accessory"]] if block.get("accessory") else [])]
            if isinstance(element, dict) and element.get("type") == "button"
        ]
        if found:
            self.buttons, self.buttons_channel = found, channel

    def find_button(self, label: str) -> dict[str, Any] | None:
        """The remembered button whose label starts with `label` (case-insensitive)."""
        wanted = label.strip().casefold()
        for button in self.buttons:
            if button["text"]["text"].casefold().startswith(wanted):
                return button
        return None


class ConsoleSlack(WebClient):
    """A WebClient that answers from memory and prints what the bot says."""

    def __init__(self, screen: Screen, users: dict[str, dict[str, Any]]) -> None:
        super().__init__(
            token="xoxb-console",  # noqa: S106
            base_url="http://console.invalid/api/",
        )
        self.screen = screen
        self.users = users
        self.hosted: dict[str, tuple[dict[str, Any], bytes]] = {}
        self._ts = itertools.count(1)

    def __deepcopy__(self, memo: dict[int, Any]) -> ConsoleSlack:
        return self  # Bolt deep-copies requests for lazy listeners; the terminal is shared

    def _say(self, where: str, payload: dict[str, Any], channel: str | None = None) -> None:
        self.screen.show(where, json_loads(payload.get("blocks")), str(payload.get("text", "")), channel)

    def _user(self, user_id: str) -> dict[str, Any] | None:
        return self.users.get(user_id)

    def api_call(
        self,
        api_method: str,
        *,
        http_verb: str = "POST",
        files: dict[str, Any] | None = None,
        data: dict[str, Any] | Any = None,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, Any] | None = None,
        auth: dict[str, Any] | None = None,
    ) -> SlackResponse:
        args: dict[str, Any] = {**(params or {}), **(data if isinstance(data, dict) else {}), **(json or {})}
        payload = self._answer(api_method, args)
        return SlackResponse(
            client=self,
            http_verb=http_verb,
            api_url=api_method,
            req_args=args,
            data=payload,
            headers={},
            status_code=200,
        ).validate()

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"{int(time.time())}.{next(self._ts):06d}"
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": "BCONSOLE",
                "team_id": "TCONSOLE",
                "user": "transition-bot",
                "team": "Console",
            }
        if method in ("chat.postMessage", "chat.update", "chat.scheduleMessage"):
            where = t("console.to_thread" if args.get("thread_ts") else "console.to", channel=args.get("channel"))
            self._say(where, args, args.get("channel"))
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "chat.postEphemeral":
            self._say(t("console.only_visible_to", user=args.get("user")), args)
            return {"ok": True, "message_ts": ts}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).split(",")[0][1:]}}
        if method == "conversations.history":
            return {"ok": True, "messages": [], "has_more": False}
        if method == "users.info":
            user = self._user(str(args.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            email = str(args.get("email", "")).lower()
            for user in self.users.values():
                if user["profile"]["email"] == email:
                    return {"ok": True, "user": user}
            return {"ok": False, "error": "users_not_found"}
        if method in ("views.publish", "views.open", "views.update", "views.push"):
            view = args.get("view")
            view = json_loads(view)
            if method == "views.publish":
                where = t("console.app_home")
            else:
                where = t("console.modal", title=(view.get("title") or {}).get("text", ""))
            self.screen.show(where, view.get("blocks"))
            return {"ok": True, "view": {"id": "V" + ts, **view}}
        if method == "files.info":
            hosted = self.hosted.get(str(args.get("file")))
            return {"ok": True, "file": hosted[0]} if hosted else {"ok": False, "error": "file_not_found"}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": "http://console.invalid/upload", "file_id": "F" + ts}
        if method == "files.completeUploadExternal":
            files = json_loads(args.get("files") or "[]")
            self.screen.show("file", None, ", ".join(f.get("title", "") for f in files))
            return {"ok": True, "files": files}
        return {"ok": True}

    def host_file(self, path: Path, user: str) -> dict[str, Any]:
        """A local file as if `user` had shared it in Slack: its file object, served by files.info and below."""
        data = path.read_bytes()
        file_id = f"F{next(self._ts):08d}"
        file = {
            "id": file_id,
            "name": path.name,
            "title": path.name,
            "filetype": path.suffix.lstrip(".").lower() or "text",
            "user": user,
            "size": len(data),
            "url_private_download": f"console://files/{file_id}",
        }
        self.hosted[file_id] = (file, data)
        return file

    def download_private_file(self, url: str, limit: int) -> bytes:
        """A shared file's bytes (bot.partners.files asks this instead of fetching over HTTP)."""
        hosted = self.hosted.get(url.rsplit("/", 1)[-1])
        return hosted[1][: limit + 1] if hosted else b""

    def _upload_file(self, **_: Any) -> Any:
        from slack_sdk.web.file_upload_v2_result import FileUploadV2Result

        return FileUploadV2Result(status=200, body="OK")


def json_loads(value: Any) -> Any:
    """Parse JSON strings, pass anything else through."""
    return json.loads(value) if isinstance(value, str) else value


class ConsoleRespond:
    """Stands in for Bolt's response_url sender and prints the reply."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.response_url = "console://respond"

    def __deepcopy__(self, memo: dict[int, Any]) -> ConsoleRespond:
        return self

    def __call__(self, text: str = "", blocks: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        ephemeral = kwargs.get("response_type", "ephemeral") == "ephemeral"
        visibility = t("console.only_you") if ephemeral else t("console.in_channel")
        self.screen.show(visibility, blocks, text)


def slack_user(user_id: str, name: str, email: str, tz: str, locale: str | None = None) -> dict[str, Any]:
    """A users.info-shaped user (with the locale that include_locale asks for, when known)."""
    return {
        "id": user_id,
        "name": name,
        "tz": tz,
        **({"locale": locale} if locale else {}),
        "deleted": False,
        "is_bot": False,
        "profile": {"email": email, "real_name": name.title(), "display_name": name},
    }


class ConsoleDriver:
    """Turns typed lines into signed Slack requests and dispatches them to the app."""

    def __init__(self, app: App, secret: str, user_id: str) -> None:
        self.app = app
        self.secret = secret
        self.user_id = user_id
        self._n = itertools.count(1)

    def _request(self, body: str, content_type: str) -> BoltResponse:
        ts = str(int(time.time()))
        signature = "v0=" + hmac.new(self.secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
        headers: dict[str, str | Sequence[str]] = {
            "content-type": [content_type],
            "x-slack-request-timestamp": [ts],
            "x-slack-signature": [signature],
        }
        return self.app.dispatch(BoltRequest(body=body, headers=headers))

    def command(self, line: str) -> BoltResponse:
        name, _, text = line.partition(" ")
        form = {
            "command": name,
            "text": text.strip(),
            "user_id": self.user_id,
            "user_name": self.user_id,
            "channel_id": CONSOLE_CHANNEL,
            "channel_name": "console",
            "team_id": "TCONSOLE",
            "response_url": "console://respond",
            "trigger_id": f"console.{next(self._n)}",
        }
        return self._request(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    def direct_message(self, text: str) -> BoltResponse:
        n = next(self._n)
        ts = f"{int(time.time())}.{n:06d}"
        body = {
            "type": "event_callback",
            "team_id": "TCONSOLE",
            "event_id": f"EvConsole{secrets.token_hex(6)}",
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + self.user_id[1:],
                "user": self.user_id,
                "text": text,
                "ts": ts,
                "event_ts": ts,
            },
        }
        return self._request(json.dumps(body), "application/json")

    def file_share(self, file: dict[str, Any]) -> BoltResponse:
        """Drop a file into the DM with the bot."""
        ts = f"{int(time.time())}.{next(self._n):06d}"
        event = {
            "type": "message",
            "subtype": "file_share",
            "channel_type": "im",
            "channel": "D" + self.user_id[1:],
            "user": self.user_id,
            "text": "",
            "files": [file],
            "ts": ts,
            "event_ts": ts,
        }
        return self._event(event)

    def _event(self, event: dict[str, Any]) -> BoltResponse:
        body = {
            "type": "event_callback",
            "team_id": "TCONSOLE",
            "event_id": f"EvConsole{secrets.token_hex(6)}",
            "event": event,
        }
        return self._request(json.dumps(body), "application/json")

    def open_home(self) -> BoltResponse:
        """Open the App Home tab (app_home_opened)."""
        return self._event(
            {
                "type": "app_home_opened",
                "user": self.user_id,
                "channel": "D" + self.user_id[1:],
                "tab": "home",
                "event_ts": f"{time.time():.6f}",
            }
        )

    def click(self, button: dict[str, Any], channel: str | None = None) -> BoltResponse:
        """Click a button the bot showed (block_actions) in `channel`, where its message was posted."""
        payload = {
            "type": "block_actions",
            "team": {"id": "TCONSOLE"},
            "user": {"id": self.user_id, "name": self.user_id},
            "api_app_id": "ACONSOLE",
            "trigger_id": f"console.{next(self._n)}",
            "channel": {"id": channel or CONSOLE_CHANNEL},
            "container": {"type": "message", "message_ts": "1.000001"},
            "message": {"ts": "1.000001", "text": ""},
            "response_url": "console://respond",
            "actions": [
                {
                    "type": "button",
                    "action_id": button.get("action_id", ""),
                    "block_id": button.get("block_id", ""),
                    "value": button.get("value", ""),
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        return self._request(
            urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
        )


LOCALES = {Lang.EN: "en-US", Lang.FR: "fr-FR"}
"""The Slack locale the console user gets for `--lang`."""


def run_console(
    settings: Settings,
    *,
    db: Database,
    demo: bool,
    as_user: str | None,
    today: dt.date | None,
    stdin: TextIO,
    stdout: TextIO,
    lang: Lang | None = None,
) -> int:
    """Read lines from `stdin` until EOF or `quit`; return the exit code."""
    from bot.app import build_runtime, create_app

    out = Console(file=stdout, highlight=False, soft_wrap=True)
    if today is None and demo:
        today = settings.transition_deadline - dt.timedelta(days=14)
    clock = OffsetClock(dt.datetime.combine(today, dt.time(9, 30), tzinfo=settings.tz)) if today else SystemClock()
    users = {u.user_id: slack_user(u.user_id, u.name, u.email, u.tz, u.locale) for u in DEMO_USERS}
    user_id = as_user or DEFAULT_USER
    users.setdefault(
        user_id,
        slack_user(user_id, user_id.lower(), f"{user_id.lower()}@example.com", settings.transition_timezone),
    )
    if lang is not None:  # as if the console user's Slack were set to that language
        users[user_id] = {**users[user_id], "locale": LOCALES[lang]}
    # The console user administers the simulated workspace unless ADMIN_USER_IDS says otherwise.
    if not settings.admin_user_ids:
        settings = settings.model_copy(update={"admin_user_ids": frozenset({DEFAULT_USER})})
    screen = Screen(out)
    client = ConsoleSlack(screen, users)
    rt = build_runtime(settings, db=db, clock=clock, client=client)
    added = load_demo(db, now=clock.now()) if demo else 0
    if lang is not None:
        rt.directory.by_id(user_id, refresh=True)  # the cached profile learns the locale `--lang` gave
    # The console's own lines speak the console user's language, as the bot's replies do.
    set_reader(rt.language_of(user_id))
    if demo:
        out.print(tn("console.demo_loaded", added) if added else t("console.demo_present"), highlight=False)
    secret = secrets.token_hex(16)
    app = create_app(rt, signing_secret=secret, executor=InlineExecutor())
    console_respond = ConsoleRespond(screen)

    @app.middleware
    def respond_in_console(context: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse:
        # Bolt builds a fresh WebClient per request from the app's settings; in the console every
        # call must reach the simulated Slack instead, and every reply the terminal.
        context["client"] = client
        context["respond"] = console_respond
        return next()

    driver = ConsoleDriver(app, secret, user_id)
    out.print(
        t(
            "console.welcome",
            user=user_id,
            today=rt.today().isoformat(),
            deadline=settings.transition_deadline.isoformat(),
        )
        + " "
        + t("console.help"),
        highlight=False,
    )
    for raw in stdin:
        line = raw.strip()
        if not line:
            continue
        if line in ("quit", "exit"):
            break
        out.print(f"\n> {line}", markup=False, highlight=False)
        if line.startswith("!"):
            verb, _, arg = line[1:].partition(" ")
            if verb == "home":
                response = driver.open_home()
            elif verb == "click" and (button := screen.find_button(arg)):
                response = driver.click(button, screen.buttons_channel)
            elif verb == "upload" and arg:
                try:
                    file = client.host_file(Path(arg).expanduser(), user_id)
                except OSError as exc:
                    out.print(t("console.cannot_read", path=arg, reason=exc.strerror), markup=False, highlight=False)
                    continue
                response = driver.file_share(file)
            else:
                labels = ", ".join(b["text"]["text"] for b in screen.buttons) or t("console.no_buttons")
                out.print(t("console.no_action", buttons=labels), markup=False)
                continue
        elif line.startswith("/"):
            name = line.split()[0]
            known = (settings.partner_command, settings.transition_command)
            if name not in known:  # Slack itself refuses commands no app registered
                out.print(t("console.unknown_command", command=name, known=", ".join(known)), markup=False)
                continue
            response = driver.command(line)
        else:
            response = driver.direct_message(line)
        if response.status >= 400:
            out.print(t("console.failed", status=response.status), highlight=False)
        elif response.body and response.body not in ("{}", ""):
            payload = json_loads(response.body)
            if isinstance(payload, dict) and (payload.get("text") or payload.get("blocks")):
                out.print(render_message(payload), markup=False, highlight=False)
    rt.db.dispose()
    return 0
