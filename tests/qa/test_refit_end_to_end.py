"""The scheduler process refits the answer ranker from what Slack taught the bot, and a running worker picks it up.

The worker is the real app over HTTP; the scheduler is a real `transition-bot scheduler` process on the same
database, as a deployment with several workers runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bot.qa.training import Fit
from storage import knowledge as store
from tests.conftest import RunningBot
from tests.slack_standin import SIGNING_SECRET, TOKEN, SlackStandIn, text_of

ALICE = "U0ALICE01"
REFIT_WITHIN = 300.0
"""Seconds a refit may take on a busy 2-core machine (about 30 s alone): loading the model, then five folds."""


def answer_fit(bot: RunningBot) -> str:
    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        return str(json.loads(response.read())["answer_fit"])


def test_a_refit_by_the_scheduler_is_picked_up_by_a_running_worker(
    bot: RunningBot, standin: SlackStandIn, database_url: str, tmp_path: Path
) -> None:
    rt = bot.rt
    assert answer_fit(bot) == "shipped"
    # Verdicts as the pickers in Slack store them (tests/questions/test_learning_end_to_end.py drives those).
    verdicts = [
        ("when do the linksys resellers have to be in by", "en", "deadline"),
        ("qui pilote la distribution chez cisco", "fr", "keith_goodwin"),
        ("is there a parking space for visitors at the cisco office", "en", None),
    ]
    with rt.db.session(write=True) as session:
        for text, lang, slug in verdicts:
            store.add_example(
                session,
                text=text,
                lang=lang,
                slug=slug,
                origin="expert",
                question_id=None,
                created_by="U0EXPERT1",
                now=rt.clock.now(),
            )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": database_url,
        "TRANSITION_DEADLINE": "2008-09-16",
        "QA_REFIT_MINUTES": "0.02",
    }
    log_path = tmp_path / "scheduler.log"
    with open(log_path, "wb") as log:
        scheduler = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "scheduler"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + REFIT_WITHIN
            fitted = None
            while fitted is None and time.monotonic() < deadline and scheduler.poll() is None:
                time.sleep(1.0)
                with rt.db.session() as session:
                    fitted = store.latest_fit(session)
                    payload = fitted.payload if fitted else ""
            assert fitted is not None, log_path.read_text()
        finally:
            scheduler.terminate()
            scheduler.wait(30)
    made = Fit.from_json(payload)
    assert made.fitted_at is not None
    # The worker answers its next question with the new fit, no restart.
    bot.sender.direct_message(ALICE, "When is the deadline?")
    reply = standin.wait_for(
        lambda s: [c for c in s.calls_to("chat.postMessage") if c.args.get("channel") == "D0ALICE01"]
    )
    assert "16 September 2008" in text_of(reply[0].args)
    assert answer_fit(bot) == made.fitted_at.isoformat()
    assert "answer ranker refitted on" in log_path.read_text()
