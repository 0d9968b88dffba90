"""A TCP proxy a test can cut or stall, standing between the bot and its PostgreSQL server.

Cutting it is what the bot sees when the database stops (every connection closed, new ones
refused at once); stalling it is a database that hangs (connections open, nothing answered).
The machine's real PostgreSQL server is never touched.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading
from dataclasses import dataclass, field

UP, STALLED, HELD, DOWN = "up", "stalled", "held", "down"


@dataclass(eq=False)
class _Pair:
    client: socket.socket
    upstream: socket.socket
    pending: dict[socket.socket, bytes] = field(default_factory=dict)

    def other(self, sock: socket.socket) -> socket.socket:
        return self.upstream if sock is self.client else self.client

    def close(self) -> None:
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.close()


class TcpProxy:
    """Forward 127.0.0.1:`port` to `target`; `cut()`, `stall()`, `hold()` and `restore()` change what it does."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = UP
        self._applied = UP  # the mode the loop has put in place
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self._selector = selectors.DefaultSelector()
        self._pairs: dict[socket.socket, _Pair] = {}
        self._waiting: list[socket.socket] = []  # accepted while stalled, connected on restore
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._stop = False
        self._reset = False
        self._thread = threading.Thread(target=self._loop, name="tcp-proxy", daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def start(self) -> TcpProxy:
        self._selector.register(self._listener, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread.start()
        return self

    def cut(self) -> None:
        """Close every connection and refuse new ones, as a stopped server does."""
        self._set(DOWN)

    def stall(self) -> None:
        """Keep connections open but pass nothing either way, as a hung server does."""
        self._set(STALLED)

    def hold(self) -> None:
        """Pass what clients send but keep the server's answers back until `restore()`, as a slow way back does."""
        self._set(HELD)

    def restore(self) -> None:
        """Forward again."""
        self._set(UP)

    def reset(self) -> None:
        """Reset every open connection (a TCP RST, no goodbye) and keep forwarding new ones, as a load balancer does."""
        with self._lock:
            self._reset = True
        self._wake()

    def stop(self) -> None:
        self._stop = True
        self._wake()
        self._thread.join(timeout=5)
        for pair in set(self._pairs.values()):
            pair.close()
        for sock in self._waiting:
            sock.close()
        self._listener.close()
        self._wake_r.close()
        self._wake_w.close()

    # ---- the loop ------------------------------------------------------------
    def _set(self, mode: str) -> None:
        with self._lock:
            self.mode = mode
        self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def _loop(self) -> None:
        while not self._stop:
            with self._lock:
                mode = self.mode
                reset, self._reset = self._reset, False
            if reset:
                for pair in set(self._pairs.values()):
                    for sock in (pair.client, pair.upstream):
                        with contextlib.suppress(OSError):
                            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self._drop(pair)
            if mode != self._applied:
                self._applied = mode
                self._apply(mode)
            for key, events in self._selector.select(timeout=0.2):
                if key.data == "wake":
                    with contextlib.suppress(OSError):
                        self._wake_r.recv(4096)
                elif key.data == "accept":
                    self._accept(mode)
                else:
                    self._service(key.fileobj, events)  # type: ignore[arg-type]

    def _apply(self, mode: str) -> None:
        if mode == DOWN:
            for pair in set(self._pairs.values()):
                self._drop(pair)
            for sock in self._waiting:
                sock.close()
            self._waiting.clear()
        for sock, pair in list(self._pairs.items()):
            self._watch(sock, pair, active=mode in (UP, HELD))
        if mode == UP:
            waiting, self._waiting = self._waiting, []
            for sock in waiting:
                self._connect(sock)

    def _accept(self, mode: str) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        if mode == DOWN:
            client.close()
        elif mode == STALLED:
            self._waiting.append(client)
        else:
            self._connect(client)

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=2)
        except OSError:
            client.close()
            return
        for sock in (client, upstream):
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pair = _Pair(client, upstream)
        self._pairs[client] = self._pairs[upstream] = pair
        self._watch(client, pair, active=True)
        self._watch(upstream, pair, active=True)

    def _watch(self, sock: socket.socket, pair: _Pair, *, active: bool) -> None:
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if pair.pending.get(sock) else 0)
        if self._applied == HELD and sock is pair.upstream:
            events &= ~selectors.EVENT_READ  # still flush the client's bytes to the server
            active = active and bool(events)
        try:
            if active:
                try:
                    self._selector.modify(sock, events, pair)
                except KeyError:
                    self._selector.register(sock, events, pair)
            else:
                with contextlib.suppress(KeyError):
                    self._selector.unregister(sock)
        except (OSError, ValueError):
            self._drop(pair)

    def _service(self, sock: socket.socket, events: int) -> None:
        pair = self._pairs.get(sock)
        if pair is None:
            return
        if events & selectors.EVENT_WRITE:
            self._flush(sock, pair)
        if events & selectors.EVENT_READ:
            try:
                data = sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._drop(pair)
                return
            target = pair.other(sock)
            pair.pending[target] = pair.pending.get(target, b"") + data
            self._flush(target, pair)

    def _flush(self, sock: socket.socket, pair: _Pair) -> None:
        data = pair.pending.get(sock, b"")
        if data:
            try:
                sent = sock.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                self._drop(pair)
                return
            pair.pending[sock] = data[sent:]
        if sock in self._pairs:
            self._watch(sock, pair, active=True)

    def _drop(self, pair: _Pair) -> None:
        for sock in (pair.client, pair.upstream):
            self._pairs.pop(sock, None)
            with contextlib.suppress(KeyError, ValueError, OSError):
                self._selector.unregister(sock)
        pair.close()
