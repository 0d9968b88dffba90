"""The console: the real app against a simulated Slack, driven from a script on standard input."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot import statuses
from bot.console import render_text
from bot.i18n import Lang, catalogue


def run_console(tmp_path: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "console", *args],
        input=script,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_console_answers_commands_from_a_script(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/partner help\n/transition deadline\n/transition progress\nquit\n", "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "demo: 50 sample partners loaded" in out
    assert "/partner update" in out
    assert "16 September 2008" in out and "14 days left" in out  # demo date: 2 September 2008
    assert "of 50" in out  # progress counts the demo partners
    assert "Traceback" not in out + result.stderr
    assert (tmp_path / "transition.db").exists()  # the contract's default DATABASE_URL


def test_console_accepts_a_chosen_date_and_user(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/transition deadline\n", "--today", "2008-09-15", "--as", "U0SOMEONE")
    assert result.returncode == 0, result.stderr
    assert "you are U0SOMEONE" in result.stdout
    assert "1 day left" in result.stdout


def test_console_rejects_a_malformed_date_in_one_line(tmp_path: Path) -> None:
    result = run_console(tmp_path, "", "--today", "15/09/2008")
    assert result.returncode == 2
    assert "--today" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_shows_bad_input_answers_not_tracebacks(tmp_path: Path) -> None:
    result = run_console(tmp_path, "/partner \x00<!channel>\n/transition\n", "--demo")
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    assert "/transition" in result.stdout


def test_console_uploads_a_partner_file_into_the_dm(tmp_path: Path) -> None:
    header = "Identifiant;Nom;Pays;Email du responsable;Statut\r\n"
    line = "LNK-7001;Réseaux Müller;FR;x@example.com;contacté\r\n"
    (tmp_path / "partenaires.csv").write_bytes((header + line).encode("cp1252"))
    script = (
        "!upload partenaires.csv\n!click Import\n!click Import\n!upload missing.csv\n/partner show LNK-7001\nquit\n"
    )
    result = run_console(tmp_path, script, "--demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "1 new, 0 updated" in out and "Import of partenaires.csv finished" in out
    assert "already imported" in out and "cannot read missing.csv" in out
    assert "Réseaux Müller" in out and "Contacted" in out
    assert "Traceback" not in out + result.stderr


def test_console_import_result_goes_to_the_dm_and_unknown_commands_are_named(tmp_path: Path) -> None:
    (tmp_path / "ok.csv").write_text("partner_id,name,country,owner_email\nLNK-7001,Test,FR,x@example.com\n")
    script = "!upload ok.csv\n!click Importer\n/nope\n/unknown cmd\nquit\n"
    result = run_console(tmp_path, script, "--demo", "--lang", "fr")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # Over HTTP the result goes where the report's button was: the admin's DM, as the report itself.
    result_post = out[: out.index("*ok.csv* importé")].rsplit("bot (", 1)[1]
    assert result_post.startswith("à D0DEMO001)") and "C0CONSOLE1" not in out
    for unknown in ("/nope", "/unknown"):
        answer = out.split(f"> {unknown}", 1)[1].split("\n> ", 1)[0]
        assert f"{unknown} n'est pas une commande" in answer and "/partner, /transition" in answer
    english = run_console(tmp_path, "/nope\nquit\n").stdout
    assert "/nope is not a command of this bot; known commands: /partner, /transition" in english


def test_every_emoji_the_bot_writes_is_drawn_in_the_terminal() -> None:
    codes = set(re.findall(r":[a-z0-9_+-]+:", " ".join(statuses.EMOJI.values())))
    for lang in Lang:
        codes |= {code for text in catalogue(lang).values() for code in re.findall(r":[a-z0-9_+-]+:", text)}
    assert ":large_yellow_circle:" in codes and ":large_green_circle:" in codes
    assert [code for code in sorted(codes) if render_text(code) == code] == []
    assert render_text("at 10:30:00, :no_such_emoji:") == "at 10:30:00, :no_such_emoji:"
