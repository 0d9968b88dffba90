"""Measure the question answering on a labelled set: accuracy, correct abstentions, language, latency."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.qa.classifier import SecondOpinion
from bot.qa.service import decide
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

    @property
    def accuracy(self) -> float:
        return self.right / self.answerable if self.answerable else 1.0

    @property
    def abstention(self) -> float:
        return self.abstained / self.out_of_scope if self.out_of_scope else 1.0

    def percentile(self, p: float, *, best: bool = False) -> float:
        """The p-th percentile of the latencies (or of each question's fastest run), in milliseconds."""
        values = self.best_latencies_ms if best else self.latencies_ms
        if not values:
            return 0.0
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def summary(self) -> str:
        return (
            f"{self.name}: {self.answerable + self.out_of_scope} questions | "
            f"right {self.right}/{self.answerable} = {100 * self.accuracy:.1f}% | "
            f'correct "I don\'t know" {self.abstained}/{self.out_of_scope} = {100 * self.abstention:.1f}% | '
            f"wrong language {self.wrong_language} | "
            f"latency p50 {statistics.median(self.latencies_ms or [0]):.1f} ms, p95 {self.percentile(95):.1f} ms"
        )


def load_cases(path: Path) -> list[Case]:
    """Cases from a JSON-lines file of {"q", "lang", "expect": [slug, …]}."""
    cases = []
    for line in path.read_text("utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            cases.append(Case(item["q"], item["lang"], tuple(item["expect"])))
    return cases


def evaluate(
    rt: Runtime,
    name: str,
    cases: Iterable[Case],
    *,
    user_id: str,
    repeat: int = 1,
    classifier: SecondOpinion | None = None,
) -> Report:
    """Ask every case `repeat` times (latency over all runs; correctness from the first), with `classifier` as the
    second opinion if given."""
    report = Report(name)
    for case in cases:
        decision = None
        runs = []
        for _ in range(max(1, repeat)):
            started = time.perf_counter()
            decision = decide(rt, case.question, user_id=user_id, classifier=classifier)
            runs.append((time.perf_counter() - started) * 1000)
        report.latencies_ms.extend(runs)
        report.best_latencies_ms.append(min(runs))
        assert decision is not None
        got = decision.slug if decision.outcome == "answered" else None
        if case.expect:
            report.answerable += 1
            ok = got in case.expect
            report.right += ok
        else:
            report.out_of_scope += 1
            ok = got is None
            report.abstained += ok
        if decision.lang != case.lang:
            report.wrong_language += 1
            report.failures.append(f"language {decision.lang} != {case.lang}: {case.question}")
        if not ok:
            expected = "/".join(case.expect) or "I don't know"
            report.failures.append(f"got {got or 'I dont know'} (expected {expected}): {case.question}")
    return report


def worst(reports: Sequence[Report]) -> tuple[float, float]:
    """The lowest accuracy and abstention rate among `reports`."""
    return min(r.accuracy for r in reports), min(r.abstention for r in reports)
