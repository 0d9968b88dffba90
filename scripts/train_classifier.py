#!/usr/bin/env python3
"""Fit the questions' classifier on the shipped phrasings and labelled sets; save it to bot/knowledge/classifier.npz.

Usage: .venv/bin/python scripts/train_classifier.py

Run it after editing bot/knowledge/seed.toml's phrasings or bot/knowledge/questions/*.jsonl (a test says when).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.qa.classifier import MODEL_FILE, examples  # noqa: E402
from bot.qa.training import fit  # noqa: E402


def main() -> int:
    learnt = examples()
    started = time.perf_counter()
    model = fit(learnt)
    path = ROOT / "bot" / "knowledge" / MODEL_FILE
    model.save(str(path))
    print(
        f"fitted on {len(learnt)} questions in {time.perf_counter() - started:.1f} s: "
        f"{len(model.vocabulary)} features, {len(model.labels)} labels; {path.stat().st_size / 1e6:.1f} MB in {path}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
