"""`transition-bot run` as an operator starts it: migrations, /healthz, signed commands, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.slack_standin import SIGNING_SECRET, TOKEN, SlackSender, SlackStandIn, text_of


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_env(tmp_path: Path, standin: SlackStandIn, **extra: str) -> dict[str, str]:
    """The environment of `transition-bot run` against the stand-in, on an SQLite file in `tmp_path`."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        **extra,
    }


@pytest.fixture
def running(tmp_path: Path, standin: SlackStandIn) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    env = run_env(tmp_path, standin, TRANSITION_DEADLINE="2030-01-31", ADMIN_USER_IDS="U0ADMIN01,admin@example.com")
    log = open(tmp_path / "bot.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--port", str(port), "--no-scheduler"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError("bot did not become healthy: " + (tmp_path / "bot.log").read_text())
    yield proc, port
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)
    log.close()


def test_run_serves_signed_commands_and_stops_cleanly(
    running: tuple[subprocess.Popen[bytes], int], standin: SlackStandIn, tmp_path: Path
) -> None:
    proc, port = running
    sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", standin)
    status, _, key = sender.command("/partner", "help", "U0ALICE01")
    assert status == 200
    assert "/partner update" in text_of(standin.wait_response(key))
    assert (tmp_path / "run.db").exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(10) == 0
    logged = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in logged
    # An e-mail where a Slack user ID belongs gives nobody admin power: the operator is warned at start.
    assert "ADMIN_USER_IDS: 'admin@example.com' is not a Slack user ID" in logged and "U0ADMIN01'" not in logged


@pytest.mark.parametrize("taken", ["PORT", "METRICS_BIND", "SLACK_APP_TOKEN"])
def test_a_start_that_cannot_listen_or_connect_stops_with_one_line_naming_the_key(
    tmp_path: Path, standin: SlackStandIn, taken: str
) -> None:
    """A port in use (the bot's or the metrics'), or an app token Slack refuses: one line and exit 2, no traceback."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = run_env(tmp_path, standin, PORT=str(port if taken == "PORT" else free_port()))
        if taken == "METRICS_BIND":
            env["METRICS_BIND"] = f"127.0.0.1:{port}"
        if taken == "SLACK_APP_TOKEN":
            env["SLACK_APP_TOKEN"] = "xapp-1-refused-by-slack"
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "run", "--no-scheduler"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"transition-bot: {taken}:")
