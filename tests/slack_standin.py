"""A local stand-in for Slack's Web API and response_url endpoints, for end-to-end tests.

It records every call, answers the methods the bot uses the way Slack documents them, checks
the Block Kit limits the bot must respect, and can inject faults (429 with Retry-After, 5xx,
hangs). It also plays Slack's side of the conversation: it signs and sends slash commands,
events and interactions to the bot exactly as Slack does.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_USER_ID = "UBOTSTAND1"
TEAM_ID = "T0STANDIN"
TOKEN = "xoxb-standin-token"
APP_TOKEN = "xapp-1-A0STANDIN-1-standin"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100


@dataclass
class ApiCall:
    """One Web API call as the stand-in received it."""

    method: str
    args: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class Person:
    """A user of the pretend workspace."""

    user_id: str
    name: str
    email: str
    tz: str = "Europe/Paris"
    deleted: bool = False
    locale: str = "en-US"

    def as_slack(self, *, include_locale: bool = False) -> dict[str, Any]:
        user: dict[str, Any] = {
            "id": self.user_id,
            "team_id": TEAM_ID,
            "name": self.name,
            "deleted": self.deleted,
            "tz": self.tz,
            "is_bot": False,
            "profile": {"email": self.email, "real_name": self.name.title(), "display_name": self.name},
        }
        if include_locale:  # as Slack does: the locale only when asked for
            user["locale"] = self.locale
        return user


@dataclass
class Fault:
    """What to answer instead of success: an HTTP status (429 with Retry-After, 5xx) or a hang.

    `status=200` with `hang_s` is a slow Slack: the call goes through, late (after a client
    timeout it is done although the client saw no answer).
    """

    status: int = 500
    retry_after: int = 1
    hang_s: float = 0.0


class SlackStandIn:
    """The pretend Slack: start(), point SLACK_API_URL at `api_url`, then read `calls`."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.calls: list[ApiCall] = []
        self.responses: list[dict[str, Any]] = []
        self.uploads: dict[str, bytes] = {}
        self.hosted: dict[str, tuple[dict[str, Any], bytes]] = {}
        self.downloads: list[str] = []
        self._upload_names: dict[str, str] = {}
        self.problems: list[str] = []
        self.faults: dict[str, list[Fault]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.in_flight = 0
        self.revoked: set[str] = set()
        self.socket_url = ""  # where apps.connections.open sends Socket Mode clients (tests/socket_standin.py)
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None

    # ---- lifecycle ---------------------------------------------------------
    def start(self) -> SlackStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def do_GET(self) -> None:
                self.do_POST()

            def do_POST(self) -> None:
                url = urllib.parse.urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if url.path.startswith("/files-pri/"):
                    status, data, headers = standin.serve_file(url.path, dict(self.headers))
                    self.send_response(status)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                    return
                status, payload, headers = standin.route(url.path, url.query, dict(self.headers), body)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{key}"

    def add_person(
        self,
        user_id: str,
        name: str,
        email: str | None = None,
        tz: str = "Europe/Paris",
        locale: str = "en-US",
        *,
        deleted: bool = False,
    ) -> Person:
        """A member of the workspace; `deleted` makes it a deactivated account, as users.info reports one."""
        person = Person(user_id, name, email or f"{name}@example.com", tz, deleted=deleted, locale=locale)
        self.people[user_id] = person
        return person

    def host_file(self, name: str, content: bytes, user: str, filetype: str = "csv") -> dict[str, Any]:
        """A file `user` shared: its object as Slack puts it in events, downloadable with the bot token only."""
        file_id = f"F{next(self._ts):08d}"
        url = f"http://127.0.0.1:{self.port}/files-pri/{file_id}/{urllib.parse.quote(name)}"
        file = {
            "id": file_id,
            "created": int(time.time()),
            "name": name,
            "title": name,
            "mimetype": "text/csv" if filetype == "csv" else "application/octet-stream",
            "filetype": filetype,
            "user": user,
            "size": len(content),
            "mode": "hosted",
            "url_private": url,
            "url_private_download": url + "?dl=1",
        }
        with self._lock:
            self.hosted[file_id] = (file, content)
        return file

    def serve_file(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        """A hosted file's bytes for the bot token; Slack's redirect to its login page for anyone else."""
        file_id = path.split("/")[2]
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        with self._changed:
            self.downloads.append(file_id)
            hosted = self.hosted.get(file_id)
            self._changed.notify_all()
        if auth != f"Bearer {TOKEN}":
            return 302, b"", {"Location": "/login"}
        if hosted is None:
            return 404, b"not found", {}
        return 200, hosted[1], {}

    def uploaded(self, filename: str) -> bytes | None:
        """The bytes of the last file the bot uploaded (files_upload_v2) under `filename`, once completed."""
        with self._lock:
            done = [c for c in self.calls if c.method == "files.completeUploadExternal"]
            ids = [f.get("id") for c in done for f in (c.args.get("files") or [])]
            found = [i for i in ids if self._upload_names.get(i) == filename and i in self.uploads]
            return self.uploads[found[-1]] if found else None

    def fail_next(self, method: str, *faults: Fault) -> None:
        """Answer the next calls of `method` with `faults`, in order."""
        with self._lock:
            self.faults.setdefault(method, []).extend(faults)

    # ---- routing -----------------------------------------------------------
    def route(self, path: str, query: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, dict[str, str]]:
        with self._changed:
            self.in_flight += 1
        try:
            return self._route(path, query, headers, body)
        finally:
            with self._changed:
                self.in_flight -= 1
                self._changed.notify_all()

    def _route(self, path: str, query: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, dict[str, str]]:
        if path.startswith("/api/"):
            return self.api(path[len("/api/") :], parse_args(query, headers, body))
        if path.startswith("/response/"):
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                payload = {"_raw": body.decode(errors="replace")}
            self._check_blocks(payload.get("blocks"), "response_url", MESSAGE_BLOCKS_MAX)
            with self._changed:
                self.responses.append({"key": path.rsplit("/", 1)[-1], "payload": payload, "at": time.time()})
                self._changed.notify_all()
            return 200, b"ok", {}
        if path.startswith("/upload/"):
            with self._lock:
                self.uploads[path.rsplit("/", 1)[-1]] = body
            return 200, b"OK", {}
        return 404, {"ok": False, "error": "not_found"}, {}

    def api(self, method: str, args: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            queue = self.faults.get(method) or []
            fault = queue.pop(0) if queue else None
        if fault is not None and fault.status == 200:
            time.sleep(fault.hang_s)
            fault = None
        if fault is not None:
            self._record(ApiCall(method, args, time.time(), fault.status))
            if fault.hang_s:
                time.sleep(fault.hang_s)
            if fault.status == 429:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.retry_after)}
            return fault.status, {"ok": False, "error": "internal_error"}, {}
        self._record(ApiCall(method, args, time.time()))
        if method == "apps.connections.open":
            if args.get("token") != APP_TOKEN or not self.socket_url:
                return 200, {"ok": False, "error": "invalid_auth"}, {}
            return 200, {"ok": True, "url": self.socket_url}, {}
        if args.get("token") in self.revoked:
            return 200, {"ok": False, "error": "token_revoked"}, {}
        if args.get("token") != TOKEN:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        if handler is None:
            self._problem(method, "method not modelled by the stand-in")
            return 200, {"ok": False, "error": "unknown_method"}, {}
        return 200, handler(args), {}

    def _record(self, call: ApiCall) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _problem(self, where: str, what: str) -> None:
        with self._lock:
            self.problems.append(f"{where}: {what}")

    # ---- checks Slack would make ---------------------------------------------
    def _check_blocks(self, blocks: Any, where: str, limit: int) -> None:
        if blocks is None:
            return
        if not isinstance(blocks, list):
            self._problem(where, "blocks is not a list")
            return
        if len(blocks) > limit:
            self._problem(where, f"{len(blocks)} blocks > {limit}")
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind is None:
                self._problem(where, "block without type")
                continue
            if kind == "section":
                text = (block.get("text") or {}).get("text", "")
                if len(text) > 3000:
                    self._problem(where, "section text > 3000")
                if not block.get("text") and not block.get("fields"):
                    self._problem(where, "section without text or fields")
            if kind == "header" and len((block.get("text") or {}).get("text", "")) > 150:
                self._problem(where, "header text > 150")
            if kind == "actions":
                for element in block.get("elements") or []:
                    if element.get("type") == "button" and len(element["text"]["text"]) > 75:
                        self._problem(where, "button text > 75")
                    if len(str(element.get("value", ""))) > 2000:
                        self._problem(where, "button value > 2000")

    def _check_message(self, method: str, args: dict[str, Any]) -> dict[str, Any] | None:
        if not args.get("channel"):
            self._problem(method, "no channel")
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("text") and not args.get("blocks"):
            self._problem(method, "no text or blocks")
            return {"ok": False, "error": "no_text"}
        if args.get("blocks") and not args.get("text"):
            self._problem(method, "blocks without fallback text")
        if len(args.get("text") or "") > 40000:
            return {"ok": False, "error": "msg_too_long"}
        self._check_blocks(args.get("blocks"), method, MESSAGE_BLOCKS_MAX)
        return None

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    # ---- Web API methods ---------------------------------------------------
    def api_auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "user_id": BOT_USER_ID,
            "bot_id": "BSTANDIN1",
            "team_id": TEAM_ID,
            "user": "transition-bot",
            "team": "Stand-in",
            "url": "https://standin.test/",
        }

    def api_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message("chat.postMessage", args)
        if error:
            return error
        channel = args["channel"]
        if channel.startswith("U"):
            channel = "D" + channel[1:]
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": "BSTANDIN1",
            "ts": ts,
            "text": args.get("text", ""),
        }
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        with self._lock:
            self.history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def api_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        error = self._check_message("chat.postEphemeral", args)
        if error:
            return error
        if not args.get("user"):
            self._problem("chat.postEphemeral", "no user")
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def api_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("ts"):
            self._problem("chat.update", "no ts")
            return {"ok": False, "error": "message_not_found"}
        return self._check_message("chat.update", args) or {"ok": True, "channel": args["channel"], "ts": args["ts"]}

    def api_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}

    def api_conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel", ""))
        oldest = float(args.get("oldest") or 0)
        limit = int(args.get("limit") or 100)
        with_meta = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        with self._lock:
            found = [dict(m) for m in self.history.get(channel, []) if float(m["ts"]) > oldest]
        found = list(reversed(found))[:limit]
        if not with_meta:
            for message in found:
                message.pop("metadata", None)
        return {"ok": True, "messages": found, "has_more": False}

    def api_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        person = self.people.get(str(args.get("user")))
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        include_locale = str(args.get("include_locale", "")).lower() in ("1", "true")
        return {"ok": True, "user": person.as_slack(include_locale=include_locale)}

    def api_users_lookupByEmail(self, args: dict[str, Any]) -> dict[str, Any]:
        email = str(args.get("email", "")).lower()
        for person in self.people.values():
            if person.email.lower() == email:
                return {"ok": True, "user": person.as_slack()}
        return {"ok": False, "error": "users_not_found"}

    def api_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view") or {}
        if not args.get("user_id") or view.get("type") != "home":
            self._problem("views.publish", "needs user_id and a home view")
        self._check_blocks(view.get("blocks"), "views.publish", VIEW_BLOCKS_MAX)
        return {"ok": True, "view": {"id": "VHOME", **view}}

    def api_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        view = args.get("view") or {}
        if not args.get("trigger_id") or view.get("type") != "modal":
            self._problem("views.open", "needs trigger_id and a modal view")
        if len((view.get("title") or {}).get("text", "")) > 24:
            self._problem("views.open", "modal title > 24 characters")
        self._check_blocks(view.get("blocks"), "views.open", VIEW_BLOCKS_MAX)
        return {"ok": True, "view": {"id": "VMODAL" + self._next_ts(), **view}}

    api_views_update = api_views_open
    api_views_push = api_views_open

    def api_files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            hosted = self.hosted.get(str(args.get("file") or ""))
        return {"ok": True, "file": hosted[0]} if hosted else {"ok": False, "error": "file_not_found"}

    def api_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = f"F{next(self._ts)}"
        with self._lock:
            self._upload_names[file_id] = str(args.get("filename") or "")
        return {"ok": True, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def api_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files") or []
        return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}

    # ---- reading what happened ------------------------------------------------
    def calls_to(self, method: str, *, ok_only: bool = True) -> list[ApiCall]:
        with self._lock:
            return [c for c in self.calls if c.method == method and (c.status == 200 or not ok_only)]

    def responses_to(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r["payload"] for r in self.responses if r["key"] == key]

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> Any:
        """Wait until `predicate(self)` is truthy; return its value or raise AssertionError."""
        deadline = time.time() + timeout
        with self._changed:
            while True:
                self._lock.release()
                try:
                    value = predicate(self)
                finally:
                    self._lock.acquire()
                if value:
                    return value
                remaining = deadline - time.time()
                if remaining <= 0:
                    raise AssertionError("the bot did not do what was expected in time")
                self._changed.wait(min(remaining, 0.05))

    def wait_settled(self, timeout: float = 30.0) -> None:
        """Wait until every request received has been answered (a hung one included)."""
        self.wait_for(lambda s: s.in_flight == 0, timeout)

    def wait_response(self, key: str, timeout: float = 5.0) -> dict[str, Any]:
        """The first response_url payload for `key`."""
        payloads = self.wait_for(lambda s: s.responses_to(key), timeout)
        return dict(payloads[0])


def parse_args(query: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """Web API arguments from the query string, a form, JSON or multipart body, and the bearer token."""
    args: dict[str, Any] = {k: v[-1] for k, v in urllib.parse.parse_qs(query).items()}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if body:
        if "json" in content_type:
            args.update(json.loads(body))
        elif "multipart" in content_type:
            message = BytesParser(policy=default_policy).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name:
                    args[str(name)] = part.get_content()
        else:
            args.update({k: v[-1] for k, v in urllib.parse.parse_qs(body.decode()).items()})
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if auth.startswith("Bearer "):
        args.setdefault("token", auth[len("Bearer ") :])
    for key in ("blocks", "view", "files", "metadata"):
        if isinstance(args.get(key), str):
            with contextlib.suppress(ValueError):
                args[key] = json.loads(args[key])
    return args


def text_of(payload: dict[str, Any]) -> str:
    """All human-visible text of a message or view payload, for assertions."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title", "value", "placeholder", "alt_text") and isinstance(value, str):
                    parts.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(payload)
    return "\n".join(parts)


# ---- Slack's side of requests to the bot ---------------------------------------
def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 request signature."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class SlackSender:
    """Sends signed requests to the bot as Slack does."""

    bot_url: str
    standin: SlackStandIn
    secret: str = SIGNING_SECRET
    _n: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: str | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, bytes, float]:
        timestamp = timestamp or str(int(time.time()))
        signature = sign(self.secret, timestamp, body) if signature is None else signature
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, **(headers or {})}
        if signature:  # an empty signature means: send none at all
            all_headers["X-Slack-Signature"] = signature
        request = urllib.request.Request(self.bot_url, data=body, headers=all_headers, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read(), time.perf_counter() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read(), time.perf_counter() - started

    def command(
        self, command: str, text: str, user: str, *, channel: str = "C0SALES01", **kw: Any
    ) -> tuple[int, bytes, str]:
        """Send a slash command; return status, body and the response_url key."""
        key = f"r{next(self._n)}"
        form = {
            "token": "unused",
            "team_id": TEAM_ID,
            "team_domain": "standin",
            "channel_id": channel,
            "channel_name": "sales",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0STANDIN",
            "response_url": self.standin.response_url(key),
            "trigger_id": f"{next(self._n)}.{int(time.time())}.trigger",
        }
        status, body, _ = self.post(urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded", **kw)
        return status, body, key

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None, **kw: Any
    ) -> tuple[int, bytes, float]:
        body = {
            "token": "unused",
            "team_id": TEAM_ID,
            "api_app_id": "A0STANDIN",
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{next(self._n):010d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        return self.post(json.dumps(body).encode(), "application/json", headers=headers, **kw)

    def direct_message(self, user: str, text: str, **kw: Any) -> tuple[int, bytes, float]:
        ts = f"{int(time.time())}.{next(self._n):06d}"
        return self.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": "D" + user[1:],
                "user": user,
                "text": text,
                "ts": ts,
                "event_ts": ts,
            },
            **kw,
        )

    def file_share(self, user: str, file: dict[str, Any], text: str = "", **kw: Any) -> tuple[int, bytes, float]:
        """`user` drops a file (hosted with SlackStandIn.host_file) into their DM with the bot."""
        ts = f"{int(time.time())}.{next(self._n):06d}"
        event = {
            "type": "message",
            "subtype": "file_share",
            "channel_type": "im",
            "channel": "D" + user[1:],
            "user": user,
            "text": text,
            "files": [file],
            "upload": False,
            "ts": ts,
            "event_ts": ts,
        }
        return self.event(event, **kw)

    def mention(self, user: str, text: str, *, channel: str = "C0SALES01", **kw: Any) -> tuple[int, bytes, float]:
        ts = f"{int(time.time())}.{next(self._n):06d}"
        return self.event(
            {
                "type": "app_mention",
                "channel": channel,
                "user": user,
                "text": f"<@{BOT_USER_ID}> {text}",
                "ts": ts,
                "event_ts": ts,
            },
            **kw,
        )

    def interaction(self, payload: dict[str, Any], **kw: Any) -> tuple[int, bytes, float]:
        """Send a block_actions / view_submission / block_suggestion payload as a signed form."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kw)

    def click(
        self,
        user: str,
        action_id: str,
        value: str,
        *,
        channel: str = "C0SALES01",
        response_key: str | None = None,
        message_ts: str = "1.000001",
        block_id: str = "b",
        **kw: Any,
    ) -> tuple[int, bytes, str]:
        """Click a button (in the block `block_id`); return status, body and the response_url key."""
        key = response_key or f"r{next(self._n)}"
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID},
            "user": {"id": user, "name": user.lower()},
            "api_app_id": "A0STANDIN",
            "token": "unused",
            "trigger_id": f"{next(self._n)}.trigger",
            "channel": {"id": channel},
            "container": {"type": "message", "message_ts": message_ts},
            "message": {"ts": message_ts, "text": ""},
            "response_url": self.standin.response_url(key),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
        status, body, _ = self.interaction(payload, **kw)
        return status, body, key
