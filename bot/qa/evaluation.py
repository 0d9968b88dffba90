"""Measure the question answering on a labelled set: accuracy, correct abstentions, language, latency."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.qa.service import Engine, decide
from bot.runtime import Runtime


@dataclass(frozen=True)
class Case:
    """One labelled question: the entries that would be right (none: it must be "I don't know")."""

    question: str
    lang: str
    expect: tuple[str, ...]


@dataclass
class Report:
    """The figures of one run."""

    name: str
    answerable: int = 0
    right: int = 0
    out_of_scope: int = 0
    abstained: int = 0
    wrong_language: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    best_latencies_ms: list[float] = field(default_factory=list)  # each question's fastest run: less machine noise
    failures: list[str] = field(default_factory=list)
    by_language: dict[str, Report] = field(default_factory=dict)

    @property
    def accuracy(self) -> float:
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def abstention(self) -> float:
        return self.abstained / self.out_of_scope if self.out_of_scope else 1.0

    def percentile(self, p: float, *, best: bool = False) -> float:
        """The p-th percentile of the latencies (or of each question's fastest run), in milliseconds."""
        values = sorted(self.best_latencies_ms if best else self.latencies_ms)
        return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else 0.0

    def figures(self) -> str:
        """Right and correct "I don't know" with their 95 % intervals, wrong language and latency, on one line."""
        right_low, right_high = wilson(self.right, self.answerable)
        idk_low, idk_high = wilson(self.abstained, self.out_of_scope)
        return (
            f"{self.name}: {self.answerable + self.out_of_scope} questions | "
            f"right {self.right}/{self.answerable} = {100 * self.accuracy:.1f}% "
            f"[{100 * right_low:.1f}–{100 * right_high:.1f}] | "
            f'correct "I don\'t know" {self.abstained}/{self.out_of_scope} = {100 * self.abstention:.1f}% '
            f"[{100 * idk_low:.1f}–{100 * idk_high:.1f}] | "
            f"wrong language {self.wrong_language} | "
            f"latency p50 {statistics.median(self.latencies_ms or [0]):.1f} ms, p95 {self.percentile(95):.1f} ms"
        )


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion (95 % by default); (0, 1) when nothing was counted."""
    if not total:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def load_cases(path: Path) -> list[Case]:
    """Cases from a JSON-lines file of {"q", "lang", "expect": [slug, …]}."""
    items = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [Case(item["q"], item["lang"], tuple(item["expect"])) for item in items]


def evaluate(
    rt: Runtime,
    name: str,
    cases: Iterable[Case],
    *,
    user_id: str,
    repeat: int = 1,
    eng: Engine | None = None,
) -> Report:
    """Ask every case `repeat` times (latency over all runs; correctness from the first), of `eng` if given."""
    report = Report(name)
    for case in cases:
        decision = None
        runs = []
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            decision = decide(rt, case.question, user_id=user_id, eng=eng)
            runs.append((time.perf_counter() - started) * 1000)
        assert decision is not None
        got = decision.slug if decision.outcome == "answered" else None
        ok = got in case.expect if case.expect else got is None
        language = report.by_language.setdefault(case.lang, Report(f"{name} [{case.lang}]"))
        for counted in (report, language):
            counted.latencies_ms.extend(runs)
            counted.best_latencies_ms.append(min(runs))
            if case.expect:
                counted.answerable += 1
                counted.right += ok
            else:
                counted.out_of_scope += 1
                counted.abstained += ok
            if decision.lang != case.lang:
                counted.wrong_language += 1
                counted.failures.append(f"language {decision.lang} != {case.lang}: {case.question}")
            if not ok:
                expected = "/".join(case.expect) or "I don't know"
                counted.failures.append(f"got {got or 'I dont know'} (expected {expected}): {case.question}")
    return report


def pooled(name: str, reports: Sequence[Report]) -> Report:
    """One report adding up `reports`, with their per-language figures added up too."""
    total = Report(name)
    for report in reports:
        for lang, part in report.by_language.items():
            into = total.by_language.setdefault(lang, Report(f"{name} [{lang}]"))
            for counted in (total, into):
                counted.answerable += part.answerable
                counted.right += part.right
                counted.out_of_scope += part.out_of_scope
                counted.abstained += part.abstained
                counted.wrong_language += part.wrong_language
                counted.latencies_ms.extend(part.latencies_ms)
                counted.best_latencies_ms.extend(part.best_latencies_ms)
                counted.failures.extend(part.failures)
    return total
