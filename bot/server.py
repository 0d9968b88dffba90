"""The HTTP front: POST /slack/events to Bolt, GET /healthz, GET /metrics, on waitress."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import make_wsgi_app
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from storage.db import Database

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
MAX_BODY_BYTES = 1_000_000


class Router:
    """A tiny WSGI router; everything else answers 404."""

    def __init__(self, app: App, db: Database) -> None:
        self._slack = SlackRequestHandler(app, path="/slack/events")
        self._metrics = make_wsgi_app()
        self._db = db

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > MAX_BODY_BYTES:
                return _plain(start_response, "413 Payload Too Large", "too large")
            return self._slack(environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok = self._db.ping()
            body = json.dumps({"ok": ok, "database": "up" if ok else "down"})
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
            return [body.encode()]
        if path == "/metrics" and method == "GET":
            result: Iterable[bytes] = self._metrics(environ, start_response)
            return result
        return _plain(start_response, "404 Not Found", "not found")


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def serve(
    wsgi_app: Callable[..., Any],
    *,
    port: int,
    threads: int,
    host: str = "0.0.0.0",  # noqa: S104
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT on waitress, a multi-threaded production WSGI server."""
    from waitress.server import create_server

    server = create_server(
        wsgi_app,
        host=host,
        port=port,
        threads=threads,
        connection_limit=500,
        channel_timeout=30,
        ident="transition-bot",
        clear_untrusted_proxy_headers=True,
    )

    def stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: stopping", signum)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    log.info("listening on %s:%d with %d threads", host, port, threads)
    if on_ready:
        on_ready()
    try:
        server.run()
    finally:
        server.close()
