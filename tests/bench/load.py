"""Concurrent senders of signed slash commands over keep-alive HTTP connections, and their figures."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.slack_standin import SIGNING_SECRET, TEAM_ID, sign


@dataclass(frozen=True)
class Command:
    """One slash command to send: what, by whom, and the response_url key its reply will carry."""

    command: str
    text: str
    user: str
    key: str
    meta: Any = None


@dataclass
class Sent:
    """What happened to one request."""

    command: Command
    status: int  # 0 when the connection failed
    seconds: float
    measured: bool  # False during warm-up


@dataclass
class LoadResult:
    """Every request of one run."""

    sent: list[Sent] = field(default_factory=list)
    seconds: float = 0.0
    cpu_ms_per_request: float = float("nan")  # the server's CPU over the run (warm-up included), if measured

    @property
    def measured(self) -> list[Sent]:
        return [s for s in self.sent if s.measured]

    def figures(self) -> dict[str, float]:
        """Requests, errors, throughput and ack latency percentiles (ms) of the measured part."""
        measured = self.measured
        latencies = sorted(s.seconds * 1000 for s in measured if s.status == 200)
        errors = sum(1 for s in measured if s.status != 200)
        return {
            "requests": len(measured),
            "errors": errors,
            "per_s": len(measured) / self.seconds if self.seconds else 0.0,
            "p50_ms": percentile(latencies, 50),
            "p90_ms": percentile(latencies, 90),
            "p99_ms": percentile(latencies, 99),
            "max_ms": latencies[-1] if latencies else float("nan"),
            "mean_ms": statistics.fmean(latencies) if latencies else float("nan"),
            "cpu_ms_per_request": self.cpu_ms_per_request,
        }

    def statuses(self) -> Counter[int]:
        return Counter(s.status for s in self.measured)


def percentile(sorted_values: list[float], pct: float) -> float:
    """The nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def command_body(cmd: Command, response_url: str, trigger: str) -> bytes:
    """The form Slack posts for a slash command."""
    return urllib.parse.urlencode(
        {
            "token": "unused",
            "team_id": TEAM_ID,
            "team_domain": "bench",
            "channel_id": "C0SALES01",
            "channel_name": "sales",
            "user_id": cmd.user,
            "user_name": cmd.user.lower(),
            "command": cmd.command,
            "text": cmd.text,
            "api_app_id": "A0STANDIN",
            "response_url": response_url,
            "trigger_id": trigger,
        }
    ).encode()


def run_load(
    url: str,
    *,
    seconds: float,
    senders: int,
    next_command: Callable[[int, int], Command],
    response_base: str,
    warmup: float = 2.0,
    rate: float = 0.0,
) -> LoadResult:
    """Send commands from `senders` threads for `warmup + seconds`; `rate` > 0 paces each sender (req/s)."""
    parsed = urllib.parse.urlparse(url)
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(senders + 1)
    times: dict[str, float] = {}

    def sender(index: int) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=15)
        mine: list[Sent] = []
        seq = 0
        start.wait()
        began, measure_from, stop_at = times["began"], times["measure_from"], times["stop_at"]
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                break
            if rate > 0:
                due = began + seq / rate + index / (rate * senders)  # spread senders over the period
                if due > now:
                    time.sleep(due - now)
            cmd = next_command(index, seq)
            seq += 1
            body = command_body(cmd, f"{response_base}{cmd.key}", f"{index}.{seq}.bench")
            ts = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sign(SIGNING_SECRET, ts, body),
            }
            sent_at = time.perf_counter()
            try:
                conn.request("POST", parsed.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=15)
            took = time.perf_counter() - sent_at
            mine.append(Sent(cmd, status, took, sent_at >= measure_from))
        conn.close()
        with lock:
            result.sent.extend(mine)

    threads = [threading.Thread(target=sender, args=(i,), daemon=True) for i in range(senders)]
    for thread in threads:
        thread.start()
    times["began"] = time.perf_counter()
    times["measure_from"] = times["began"] + warmup
    times["stop_at"] = times["measure_from"] + seconds
    start.wait()
    for thread in threads:
        thread.join()
    result.seconds = seconds
    return result
