"""Socket Mode on the websocket-client adapter: reconnects at once after a drop, logs connections, closes on SIGTERM.

slack_sdk's built-in client notices an abrupt drop (a TCP reset, no close frame) only through its
monitor, spinning a core until then (about a minute); websocket-client's `run_forever` ends on the
reset itself, the SDK's on_close reconnects at once through apps.connections.open, and its ping
every PING_INTERVAL_S keeps proxies from idling the connection out. The async adapters (aiohttp,
websockets) would need an async Bolt app.
"""

from __future__ import annotations

import itertools
import logging
import signal
import threading
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.websocket_client import SocketModeHandler

log = logging.getLogger(__name__)

PING_INTERVAL_S = 5.0
"""Also how often the SDK's monitor checks that a session exists, so a failed reconnect is retried this often."""


def socket_mode_handler(app: App, app_token: str, *, ping_interval: float = PING_INTERVAL_S) -> SocketModeHandler:
    """A Socket Mode handler for `app` that logs each connection and reconnection on one line."""
    handler = SocketModeHandler(app, app_token, ping_interval=ping_interval, logger=logging.getLogger("slack_sdk"))
    count = itertools.count(1)

    def opened(_ws: Any) -> None:
        n = next(count)
        log.info("Socket Mode %s (connection %d)", "connected" if n == 1 else "reconnected", n)

    def closed(_ws: Any) -> None:
        if not handler.client.closed:
            log.info("Socket Mode connection lost; reconnecting")

    handler.client.on_open_listeners.append(opened)
    handler.client.on_close_listeners.append(closed)
    return handler


def serve_socket_mode(handler: SocketModeHandler) -> None:
    """Connect and serve until SIGTERM or SIGINT, then close the socket with a close frame."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("signal %d: closing the Socket Mode connection", signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    handler.connect()
    stop.wait()
    handler.close()
    log.info("Socket Mode connection closed")
