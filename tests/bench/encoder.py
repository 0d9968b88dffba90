"""The sentence encoder alone: load time, resident memory, and latency of one question, alone and two at once.

    python -m tests.bench.encoder [--questions 1000]

Questions are the labelled ones shipped in bot/knowledge/questions, encoded one per call as the engine does
for a question asked; "two at once" runs two threads side by side, as the bot's two question threads may.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from importlib import resources
from pathlib import Path

import numpy as np

from bot.qa.semantic import Encoder


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def questions(limit: int) -> list[str]:
    folder = resources.files("bot.knowledge") / "questions"
    found = [
        json.loads(line)["q"]
        for path in sorted(folder.iterdir(), key=lambda p: p.name)
        if path.name.endswith(".jsonl")
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    return found[:: max(1, len(found) // limit)][:limit]


def timed(encoder: Encoder, texts: list[str], out: list[float]) -> None:
    for text in texts:
        started = time.perf_counter()
        encoder.encode([text])
        out.append((time.perf_counter() - started) * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    texts = questions(args.questions)
    before = rss_mb()
    started = time.perf_counter()
    encoder = Encoder()
    assert encoder.available, encoder.status
    took, grew = time.perf_counter() - started, rss_mb() - before
    print(f"load {took:.2f} s, +{grew:.1f} MB RSS; load average {os.getloadavg()[0]:.1f}")
    timed(encoder, texts[:50], [])  # the rows the first questions touch come from disk
    alone: list[float] = []
    timed(encoder, texts, alone)
    both: list[float] = []
    threads = [threading.Thread(target=timed, args=(encoder, texts[n::2], both)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, ms in (("one at a time", alone), ("two threads at once", both)):
        p50, p95, p99 = np.percentile(ms, [50, 95, 99])
        print(f"{name}: {len(ms)} questions, p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")
    print(f"RSS after: {rss_mb():.1f} MB")


if __name__ == "__main__":
    main()
