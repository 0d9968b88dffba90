"""The HTTP front: POST /slack/events to Bolt, GET /healthz, GET /metrics, on waitress."""

from __future__ import annotations

import io
import json
import logging
import re
import signal
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from prometheus_client import make_wsgi_app
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot import metrics
from bot.config import ConfigError
from bot.installation import Gate
from bot.qa.semantic import Encoder
from bot.runtime import Runtime
from storage.db import Database

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
MAX_BODY_BYTES = 1_000_000
# Bolt's verifier raises (instead of refusing) on a non-ASCII signature or a non-numeric
# timestamp, and its error path then answers the request's own response_url: any request that
# is not shaped like Slack's is refused here, before Bolt sees it.
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_PATHS = frozenset({"/slack/events", "/healthz", "/metrics"})


class BoundedExecutor(ThreadPoolExecutor):
    """A thread pool whose queue stops growing: past `backlog` waiting tasks, submit() waits for room.

    Work after an ack runs here. When Slack sends faster than the bot can work, an unbounded queue
    acks everything and answers minutes later, holding every queued request in memory; waiting in
    submit() slows the acks down to the pace of the work instead. It waits at most `max_wait_s`
    (Slack gives up on an ack after 3 s), then queues anyway: work is never dropped.
    """

    def __init__(self, *, workers: int, backlog: int, max_wait_s: float = 2.0, name: str = "listener") -> None:
        super().__init__(max_workers=workers, thread_name_prefix=name)
        self._bound = workers + backlog
        self._room = threading.BoundedSemaphore(self._bound)
        self._max_wait_s = max_wait_s

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if not self._room.acquire(timeout=self._max_wait_s):
            log.warning("after-ack work is over %d tasks behind; queueing past the bound", self._bound)
            return super().submit(fn, *args, **kwargs)
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._room.release()
            raise
        future.add_done_callback(lambda _: self._room.release())
        return future


class QuestionPool:
    """The threads that answer questions, apart from every other listener's, fair between askers, with a bound.

    Answering reads the whole message; a flood of long questions must not hold the threads that
    acknowledge clicks and commands, nor make acks wait for room as BoundedExecutor does. Each asker
    has a queue, the threads take from them in turn, and one asker's questions are answered one at a
    time: one person's twenty messages hold one thread, and another's question starts at once. When
    `workers + backlog` questions are in hand, `submit` says so at once and the caller answers "busy".
    """

    def __init__(self, *, workers: int, backlog: int, executor: Executor | None = None) -> None:
        # The console passes its inline executor: its questions are answered before the next line is read.
        self._inline = executor
        self._bound = workers + backlog
        self._queues: OrderedDict[str, deque[Callable[[], None]]] = OrderedDict()
        self._in_hand = 0
        self._answering: set[str] = set()
        self._stopping = False
        self._changed = threading.Condition()
        self._threads = (
            []
            if executor
            else [threading.Thread(target=self._work, name=f"question-{n}", daemon=True) for n in range(workers)]
        )
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, asker: str = "") -> bool:
        """Queue `fn(*args)` behind `asker`'s earlier questions; False, doing nothing, when the pool is full."""
        if self._inline is not None:
            self._inline.submit(fn, *args)
            return True
        with self._changed:
            if self._stopping or self._in_hand >= self._bound:
                return False
            self._queues.setdefault(asker, deque()).append(lambda: fn(*args))
            self._in_hand += 1
            self._changed.notify()
        return True

    def _work(self) -> None:
        while True:
            with self._changed:
                while (waiting := self._next_asker()) is None and not (self._stopping and not self._queues):
                    self._changed.wait()
                if waiting is None:
                    return
                queue = self._queues[waiting]
                task = queue.popleft()
                if queue:
                    self._queues.move_to_end(waiting)  # the next asker goes first
                else:
                    del self._queues[waiting]
                self._answering.add(waiting)
            try:
                task()
            except Exception:  # the work reports its own errors (after_ack); a stray one must not end the thread
                log.exception("a question's work failed outside its error handler")
            finally:
                with self._changed:
                    self._answering.discard(waiting)
                    self._in_hand -= 1
                    self._changed.notify_all()

    def _next_asker(self) -> str | None:
        """The first asker in turn with a question waiting and none being answered (one thread per asker)."""
        return next((asker for asker in self._queues if asker not in self._answering), None)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking questions; with `wait`, finish those in hand first."""
        with self._changed:
            if wait:
                while self._in_hand:
                    self._changed.wait()
            self._stopping = True
            self._changed.notify_all()
        if wait:
            for thread in self._threads:
                thread.join()


class Router:
    """A tiny WSGI router; everything else answers 404."""

    def __init__(
        self,
        app: App,
        db: Database,
        gate: Gate | None = None,
        *,
        max_body: int = MAX_BODY_BYTES,
        metrics: bool = True,
        encoder: Encoder | None = None,
        answer_fit: Callable[[], str] | None = None,
    ) -> None:
        self._slack = SlackRequestHandler(app, path="/slack/events")
        self._metrics = make_wsgi_app() if metrics else None
        self._db = db
        self._gate = gate
        self._max_body = max_body
        self._encoder = encoder
        self._answer_fit = answer_fit

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "")
        label = path if path in _PATHS else "other"
        answered: list[int] = []

        def counted(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            answered.append(int(status.split(" ", 1)[0]))
            metrics.HTTP_RESPONSES.labels(label, str(answered[-1])).inc()
            return start_response(status, headers, *exc_info)

        result = self._route(path, environ, counted)
        if label == "/slack/events" and answered:
            metrics.observe_ack(time.perf_counter() - started, answered[-1])
        return result

    def _route(self, path: str, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and method == "POST":
            # The length is checked before anything is read (waitress itself refuses longer bodies on their headers).
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return _plain(start_response, "400 Bad Request", "bad length")
            if length > self._max_body:
                return _plain(start_response, "413 Payload Too Large", "too large")
            signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
            timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
            if not (_SIGNATURE.fullmatch(signature) and _TIMESTAMP.fullmatch(timestamp)):
                return _plain(start_response, "401 Unauthorized", "invalid request")
            body = environ["wsgi.input"].read(length) if length > 0 else b""
            try:
                body.decode("utf-8")
            except UnicodeDecodeError:
                # Bolt would decode it before checking the signature and fail with a 500.
                return _plain(start_response, "400 Bad Request", "body is not UTF-8")
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            try:
                return self._slack(environ, start_response)
            except Exception as exc:
                # Only a signed payload of a shape Bolt cannot read gets here (Bolt's own argument
                # builder fails, e.g. block_actions without actions): refuse it, quietly.
                log.warning("refused a Slack request Bolt could not read: %s", type(exc).__name__)
                return _plain(start_response, "400 Bad Request", "malformed request")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return self._health(start_response)
        if path == "/metrics" and method == "GET" and self._metrics is not None:
            result: Iterable[bytes] = self._metrics(environ, start_response)
            return result
        return _plain(start_response, "404 Not Found", "not found")

    def _health(self, start_response: StartResponse) -> Iterable[bytes]:
        """200 when the database answers and Slack lets the bot speak; 503 with what is wrong otherwise.

        `questions` says how questions are matched: "semantic", or "lexical: <why>" (degraded, still 200).
        """
        ok = self._db.ping()
        parts: dict[str, str] = {"database": "up" if ok else "down"}
        if ok and self._gate is not None:
            try:
                why = self._gate.blocked()
            except Exception as exc:  # the database went away between the ping and the read
                log.warning("health: could not read whether Slack revoked the bot: %s", type(exc).__name__)
                ok, parts["database"] = False, "down"
            else:
                parts["slack"] = "revoked" if why else "ok"
                ok = why is None
        if self._encoder is not None:
            parts["questions"] = self._encoder.status
        if self._answer_fit is not None:
            parts["answer_fit"] = self._answer_fit()
        health = {"ok": ok, **parts}
        body = json.dumps(health)
        status = "200 OK" if ok else "503 Service Unavailable"
        start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
        return [body.encode()]


def router_for(app: App, rt: Runtime) -> Router:
    """The HTTP front of `rt`'s app, as `transition-bot run` serves it."""
    from bot.qa.service import fit_in_use

    return Router(
        app,
        rt.db,
        Gate(rt),
        max_body=rt.settings.max_request_bytes,
        metrics=rt.settings.metrics_bind == "same",
        encoder=rt.encoder,
        answer_fit=lambda: fit_in_use(rt),
    )


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
    return [text.encode()]


def metrics_only(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI app of a listener of its own for GET /metrics (METRICS_BIND=HOST:PORT)."""
    if environ.get("PATH_INFO") == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
        result: Iterable[bytes] = make_wsgi_app()(environ, start_response)
        return result
    return _plain(start_response, "404 Not Found", "not found")


def serve_metrics(host: str, port: int) -> Callable[[], None]:
    """Serve /metrics alone on `host:port` in a daemon thread; return what stops it."""
    from waitress.server import create_server

    try:
        server: Any = create_server(metrics_only, host=host, port=port, threads=1, ident="transition-bot-metrics")
    except OSError as exc:
        raise ConfigError(f"METRICS_BIND: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    stopping = threading.Event()

    def loop() -> None:
        # Closed from the loop's own thread: closing from another leaves select() on a dead descriptor.
        while not stopping.is_set():
            server.asyncore.loop(timeout=0.2, map=server._map, count=1)
        server.close()

    thread = threading.Thread(target=loop, name="metrics", daemon=True)
    thread.start()
    log.info("metrics listening on %s:%d", host, port)

    def stop() -> None:
        stopping.set()
        thread.join(timeout=5)

    return stop


def serve(
    wsgi_app: Callable[..., Any],
    *,
    port: int,
    threads: int,
    host: str = "0.0.0.0",  # noqa: S104
    max_body: int = MAX_BODY_BYTES,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGTERM or SIGINT on waitress, a multi-threaded production WSGI server."""
    from waitress.server import create_server

    try:
        server = create_server(
            wsgi_app,
            host=host,
            port=port,
            threads=threads,
            connection_limit=500,
            channel_timeout=30,
            ident="transition-bot",
            clear_untrusted_proxy_headers=True,
            # waitress refuses a longer body on its Content-Length header (or as its chunks pass the limit), unread.
            max_request_body_size=max_body + 1,
        )
    except OSError as exc:  # the port is taken, or needs privileges
        raise ConfigError(f"PORT: cannot listen on {host}:{port} ({exc.strerror or exc})") from None

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
