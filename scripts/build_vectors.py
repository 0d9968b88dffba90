#!/usr/bin/env python3
"""Embed every shipped text once and save the vectors to bot/knowledge/vectors.npz, so the bot does not at start.

Usage: .venv/bin/python scripts/build_vectors.py

Run it after editing bot/knowledge/seed.toml or bot/knowledge/questions/*.jsonl, or after changing the encoder's
version (tests/qa/test_semantic.py says when). The texts are those of bot.qa.knowledge.shipped_texts(); each vector
is float16, keyed by bot.qa.semantic.text_key.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from rich.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.qa.knowledge import shipped_texts  # noqa: E402
from bot.qa.semantic import DIM, VECTORS_FILE, Encoder, model_version, text_key  # noqa: E402

BATCH = 64


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=ROOT / "bot" / "knowledge" / VECTORS_FILE)
    args = parser.parse_args()
    encoder = Encoder()
    if not encoder.available:
        print(f"no sentence encoder: {encoder.status}", file=sys.stderr)
        return 1
    texts = shipped_texts()
    started = time.perf_counter()
    vectors = np.empty((len(texts), DIM), np.float16)
    with Progress() as progress:
        task = progress.add_task("embedding the shipped texts", total=len(texts))
        for first in range(0, len(texts), BATCH):
            batch = texts[first : first + BATCH]
            vectors[first : first + len(batch)] = encoder.encode(batch)
            progress.advance(task, len(batch))
    keys = np.fromiter(map(text_key, texts), np.uint64, len(texts))
    if len(np.unique(keys)) < len(keys):
        print("two shipped texts share a key: lengthen text_key's digest", file=sys.stderr)
        return 1
    order = np.argsort(keys)
    np.savez_compressed(args.output, keys=keys[order], vectors=vectors[order], model=np.array(model_version()))
    print(
        f"{len(texts)} texts embedded in {time.perf_counter() - started:.1f} s; "
        f"{args.output.stat().st_size / 1e6:.1f} MB in {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
