"""`transition-bot` as a child process, started as an operator would: for benchmarks, fault and log tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tests.slack_standin import SIGNING_SECRET, TOKEN

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bot_env(*, database_url: str, api_url: str, home: Path, **extra: str) -> dict[str, str]:
    """The environment of a bot process pointed at a stand-in and a database."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "ADMIN_USER_IDS": "U0ADMIN01",
        "NUDGE_CHANNEL": "C0SALES01",
        "EXPERTS_CHANNEL": "C0EXPERTS1",
    }
    env.update(extra)
    return env


@dataclass
class BotProcess:
    """One running `transition-bot` command."""

    proc: subprocess.Popen[bytes]
    port: int | None
    log_path: Path
    _log: IO[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.url}/slack/events"

    def rss_mb(self) -> float:
        """Resident memory of the process now, in MiB (from /proc)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def log_text(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        return int(self.proc.returncode)


def start(
    args: Sequence[str],
    *,
    env: dict[str, str],
    workdir: Path,
    name: str = "bot",
    port: int | None = None,
    ready_timeout: float = 60,
) -> BotProcess:
    """Start `transition-bot ARGS`; when it serves HTTP (`port`), wait until /healthz says 200."""
    log_path = workdir / f"{name}.log"
    log = open(log_path, "ab")  # noqa: SIM115 - closed by BotProcess.stop
    argv = [sys.executable, "-m", "bot.cli", *args]
    if port is not None:
        argv += ["--port", str(port)]
    proc = subprocess.Popen(argv, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    bot = BotProcess(proc=proc, port=port, log_path=log_path, _log=log)
    if port is not None:
        wait_healthy(bot, ready_timeout)
    return bot


def wait_healthy(bot: BotProcess, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not bot.alive():
            raise RuntimeError(f"{bot.log_path.name} exited: {bot.log_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{bot.url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    bot.stop(signal.SIGKILL)
    raise RuntimeError(f"{bot.log_path.name} did not become healthy: {bot.log_text()[-2000:]}")


def cli(
    args: Sequence[str], *, env: dict[str, str], workdir: Path, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run one `transition-bot` command to completion."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
