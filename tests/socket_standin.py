"""A local stand-in for Slack's Socket Mode: the WebSocket end that apps.connections.open points to.

Each connection gets `hello`, then whatever envelopes the test sends; acks are recorded by
envelope_id. The test can ask for a refresh (a `disconnect` message), close cleanly (a close frame),
drop the TCP connection abruptly (a reset, no close frame) as a proxy or load balancer does, or hold
the server's answers back so that a client is still waiting for its handshake's answer.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from tests.faults.proxy import TcpProxy


@dataclass
class Link:
    """One WebSocket connection from the bot."""

    number: int
    conn: ServerConnection
    opened_at: float
    close_code: int | None = None
    closed_at: float | None = None


@dataclass
class SocketStandIn:
    """Start it, give `url` to the Web API stand-in's apps.connections.open, then send envelopes."""

    links: list[Link] = field(default_factory=list)
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _server: Server | None = None
    _proxy: TcpProxy | None = None

    def start(self) -> SocketStandIn:
        self._server = serve(self._serve, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        # Clients reach it through a TCP proxy, which can reset their connections as a load balancer does.
        self._proxy = TcpProxy("127.0.0.1", int(self._server.socket.getsockname()[1])).start()
        return self

    def stop(self) -> None:
        if self._proxy is not None:
            self._proxy.stop()
        if self._server is not None:
            self._server.shutdown()

    @property
    def url(self) -> str:
        assert self._proxy is not None
        return f"ws://127.0.0.1:{self._proxy.port}/link"

    def _serve(self, conn: ServerConnection) -> None:
        link = Link(next(self._numbers), conn, time.monotonic())
        with self._changed:
            self.links.append(link)
            self._changed.notify_all()
        conn.send(json.dumps({"type": "hello", "num_connections": 1, "debug_info": {"host": "standin"}}))
        try:
            for raw in conn:
                message = json.loads(raw)
                with self._changed:
                    self.acks[str(message.get("envelope_id"))] = message
                    self._changed.notify_all()
        except ConnectionClosed:
            pass
        with self._changed:
            link.close_code = conn.close_code
            link.closed_at = time.monotonic()
            self._changed.notify_all()

    # ---- what the test does ----------------------------------------------------------------------
    def wait_for(self, predicate: Any, timeout: float = 10.0) -> Any:
        """Wait until `predicate(self)` is truthy; return its value or raise AssertionError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (value := predicate(self)):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError("the Socket Mode client did not do what was expected in time")
                self._changed.wait(remaining)
            return value

    def current(self, timeout: float = 10.0) -> Link:
        """The open connection (waiting for one)."""
        return self.wait_for(lambda s: next((x for x in reversed(s.links) if x.closed_at is None), None), timeout)

    def send(self, kind: str, payload: dict[str, Any], *, envelope_id: str, retry_attempt: int = 0) -> None:
        """Send an envelope on the open connection, as Slack does."""
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        self.current().conn.send(json.dumps(envelope))

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        return dict(self.wait_for(lambda s: s.acks.get(envelope_id), timeout))

    def refresh(self) -> None:
        """Ask the client to move to a new connection, as Slack does every few hours."""
        self.current().conn.send(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

    def close_cleanly(self) -> Link:
        link = self.current()
        link.conn.close(code=1001, reason="going away")
        return link

    def drop(self) -> Link:
        """Reset the TCP connection: no close frame, as a proxy or load balancer that gives up does."""
        link = self.current()
        assert self._proxy is not None
        self._proxy.reset()
        return link

    def hold_answers(self) -> None:
        """Let clients' bytes reach the server but keep its answers back, the upgrade's included."""
        assert self._proxy is not None
        self._proxy.hold()

    def release_answers(self) -> None:
        assert self._proxy is not None
        self._proxy.restore()

    def wait_new_link(self, after: Link, timeout: float = 10.0) -> Link:
        """The first connection opened after `after`."""
        return self.wait_for(lambda s: next((x for x in s.links if x.number > after.number), None), timeout)
