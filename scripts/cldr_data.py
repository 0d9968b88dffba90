#!/usr/bin/env python3
"""Write bot/locales/cldr.json: what the bot needs of CLDR to write dates, numbers and plurals in its languages.

Usage: .venv/bin/python scripts/cldr_data.py [--check]
The data comes from Babel's copy of CLDR (bot.cldr.extract). The bot reads this small file instead of Babel's locale
data, which takes some 4 MB of memory once loaded for English and French (the names of every language, territory,
currency and unit). A test says when the file differs from what the installed Babel gives.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cldr import DATA_FILE, extracted  # noqa: E402


def main(check: bool = typer.Option(False, help="only say whether the file is current")) -> None:
    if check:
        current = DATA_FILE.read_text("utf-8") == extracted()
        print("bot/locales/cldr.json is current" if current else "stale: run scripts/cldr_data.py")
        raise typer.Exit(0 if current else 1)
    DATA_FILE.write_text(extracted(), "utf-8")
    print(f"wrote {DATA_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    typer.run(main)
