"""Stopping the bot (SIGTERM, as a deploy does) while acknowledged updates are still queued loses none."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from storage.db import Database
from tests.bench import process
from tests.bench.load import Command, run_load
from tests.slack_standin import SlackStandIn


def test_sigterm_under_a_backlog_finishes_every_acknowledged_update(standin: SlackStandIn, tmp_path: Path) -> None:
    owners = [standin.add_person(f"U0SHUT{n:04d}", f"owner{n}", f"owner{n}@shut.example").user_id for n in range(20)]
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    deadline = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    env = process.bot_env(database_url=url, api_url=standin.api_url, home=tmp_path, TRANSITION_DEADLINE=deadline)
    book = tmp_path / "book.csv"
    rows = [f"LNK-{n:04d},Partner {n},FR,owner{n % 20}@shut.example," for n in range(400)]
    book.write_text("partner_id,name,country,owner_email,status\n" + "\n".join(rows) + "\n")
    assert process.cli(["import-partners", str(book)], env=env, workdir=tmp_path).returncode == 0
    bot = process.start(["run", "--no-scheduler"], env=env, workdir=tmp_path, port=process.free_port())

    def update(sender: int, seq: int) -> Command:
        n = sender + 20 * (seq % 20)
        note = f"shut-{sender}-{seq}"
        return Command("/partner", f"update LNK-{n:04d} contacted {note}", owners[sender], note, note)

    # Senders as fast as the bot acks: acks outrun the work after them, so work is queued.
    result = run_load(
        bot.events_url, seconds=1.5, senders=20, next_command=update, response_base=standin.response_url(""), warmup=0
    )
    answered_at_sigterm = len(standin.responses)
    code = bot.stop(timeout=120)  # SIGTERM at once, with the queue full
    acked = {s.command.meta for s in result.sent if s.status == 200}
    assert answered_at_sigterm < len(acked) - 20, "no work was queued: the test proves nothing"
    database = Database(url)
    try:
        with database.engine.connect() as conn:
            notes = {row[0] for row in conn.execute(sa.text("SELECT note FROM status_change WHERE note LIKE 'shut-%'"))}
    finally:
        database.dispose()
    replied = {r["key"] for r in standin.responses}
    assert len(acked) > 100
    assert code == 0
    assert acked - notes == set(), f"{len(acked - notes)} acknowledged updates lost at shutdown"
    assert acked - replied == set(), f"{len(acked - replied)} acknowledged updates never answered"
    assert "Traceback" not in bot.log_text()
