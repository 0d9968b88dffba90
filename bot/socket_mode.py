"""Socket Mode on the websocket-client adapter: reconnects at once after a drop, logs connections, closes on SIGTERM.

slack_sdk's built-in client notices an abrupt drop (a TCP reset, no close frame) only through its
monitor, spinning a core until then (about a minute); websocket-client's `run_forever` ends on the
reset itself, the SDK's on_close reconnects at once through apps.connections.open, and its ping
every PING_INTERVAL_S keeps proxies from idling the connection out. The async adapters (aiohttp,
websockets) would need an async Bolt app.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import signal
import socket
import threading
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler
from websocket import ABNF, WebSocketApp, WebSocketException

log = logging.getLogger(__name__)

PING_INTERVAL_S = 5.0
"""Also how often the SDK's monitor checks that a session exists, so a failed reconnect is retried this often."""

PONG_WITHIN = 0.6
"""A pong later than this share of the ping interval ends the connection, which then reconnects. The same bound
caps how long the reading thread sleeps in select() after the SDK closes a session from another thread, as it
does on Slack's refresh_requested: websocket-client would otherwise sleep out its 10 s there before the new
connection may start."""

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class ClosingSocketModeHandler(SocketModeHandler):
    """The websocket-client adapter whose close() sends a close frame even on a connection still opening.

    The SDK's close() closes the session from the calling thread. While websocket-client is still
    reading the server's handshake answer, that sends nothing and forgets the socket, which then
    opens and dies with the process (the server sees 1006); on an open connection, it closes the
    socket under the session thread's select(), which then sleeps out its 10 s timeout. Here the
    session's own thread does the closing: at once for a connection that opens once closing has
    begun, and after a ping's answer wakes it for one already open.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.Lock()
        self._closing = False
        self._opened: WebSocketApp | None = None
        self.client.on_open_listeners.insert(0, self._on_open)
        # The runner looks its target up on every turn; it has run none yet (no session before connect()).
        self.client.current_session_runner.target = self._run_session

    @property
    def closing(self) -> bool:
        """Whether close() has begun (a connection ending now is not lost)."""
        return self._closing

    def _on_open(self, ws: WebSocketApp) -> None:
        # On the session's thread, after the handshake and before it starts reading.
        with self._lock:
            if not self._closing:
                self._opened = ws
                return
        ws.close()

    def _run_session(self) -> None:
        """Read the current session until it ends: the SDK's own loop, with a pong deadline."""
        client = self.client
        session = client.current_session
        if session is None:
            return
        try:
            session.run_forever(
                ping_interval=client.ping_interval,
                ping_timeout=client.ping_interval * PONG_WITHIN,
                http_proxy_host=client.http_proxy_host,
                http_proxy_port=client.http_proxy_port,
                http_proxy_auth=client.http_proxy_auth,
                proxy_type=client.proxy_type,
            )
        except Exception as exc:  # as the SDK does: the monitor reconnects once this session is closed
            log.warning("Socket Mode session failed: %s", type(exc).__name__)
            with contextlib.suppress(Exception):
                session.close()

    def close(self) -> None:
        """Close the connection with a close frame, open or still opening, then stop the client's threads."""
        with self._lock:
            self._closing = True
            opened = self._opened
        self.client.auto_reconnect_enabled = False
        if opened is not None:
            # Its thread checks keep_running before reading a frame, so the pong is left unread and it
            # closes with a close frame and waits for the server's; the SDK's on_close sees no reconnect.
            opened.keep_running = False
            with contextlib.suppress(WebSocketException, OSError):
                opened.send(b"", ABNF.OPCODE_PING)  # fails only if that session has already ended
        # Its end means no socket is left open: it also closes a connection that opens from now on.
        self.client.current_session_runner.shutdown()
        super().close()


def socket_mode_handler(
    app: App, app_token: str, *, ping_interval: float = PING_INTERVAL_S
) -> ClosingSocketModeHandler:
    """A Socket Mode handler for `app` that logs each connection and reconnection on one line."""
    handler = ClosingSocketModeHandler(
        app, app_token, ping_interval=ping_interval, logger=logging.getLogger("slack_sdk")
    )
    count = itertools.count(1)

    def opened(_ws: Any) -> None:
        n = next(count)
        log.info("Socket Mode %s (connection %d)", "connected" if n == 1 else "reconnected", n)

    def closed(_ws: Any) -> None:
        if not handler.closing:
            log.info("Socket Mode connection lost; reconnecting")

    handler.client.on_open_listeners.append(opened)
    handler.client.on_close_listeners.append(closed)
    return handler


def _ignore(_signum: int, _frame: Any) -> None:
    """Keep the default action away; the wakeup fd tells the main thread."""


def serve_socket_mode(handler: SocketModeHandler) -> None:
    """Connect and serve until SIGTERM or SIGINT, then close the socket with a close frame."""
    # A Python signal handler runs only when the main thread runs bytecode; one blocked in
    # Event.wait() is not woken when the signal lands on another thread (or just before the
    # wait), so SIGTERM could be lost. The wakeup fd is written by the C-level handler itself,
    # whichever thread it runs on, and a blocking recv() on it always returns.
    wake_r, wake_w = socket.socketpair()
    wake_w.setblocking(False)
    previous = {signum: signal.signal(signum, _ignore) for signum in STOP_SIGNALS}
    previous_fd = signal.set_wakeup_fd(wake_w.fileno(), warn_on_full_buffer=False)
    try:
        handler.connect()
        while (signum := wake_r.recv(1)[0]) not in STOP_SIGNALS:
            pass
        log.info("signal %d: closing the Socket Mode connection", signum)
        handler.close()
    finally:
        signal.set_wakeup_fd(previous_fd)
        for stop_signal, action in previous.items():
            signal.signal(stop_signal, action)
        wake_r.close()
        wake_w.close()
    log.info("Socket Mode connection closed")
