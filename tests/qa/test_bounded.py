"""Question analysis does bounded work: linear in the message, whatever the message repeats (issue 20)."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from bot.partners.io import import_partners
from bot.qa import service
from bot.runtime import Runtime
from tests.qa.adversarial import FIXED, SLACK_MAX_CHARS, book_csv, messages

BUDGET_MS = 100.0
"""Each adversarial message answered in-process within this, with 20,000 partners (the benchmark)."""
CHOICES_PER_MESSAGE = 1 + service.MAX_PARTS + service.MAX_NAMES
"""Texts one message may have ranked: the whole, each of its parts, and each name read as "this partner"."""
LONGEST_CHOICE = service.MAX_QUESTION_CHARS + max(len(reading) for reading in service.THIS_PARTNER.values())
"""The most characters one ranked text may hold: the cut message, a name in it read as "this partner"."""


class CountingChoices:
    """The engine, with the texts it is asked to rank counted."""

    def __init__(self, engine: service.Engine) -> None:
        self.inner = engine
        self.sizes: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def choose(self, text: str, lang: str, vector: np.ndarray | None = None) -> service.Choice:
        self.sizes.append(len(text))
        return self.inner.choose(text, lang, vector)


def counted(rt: Runtime, text: str) -> CountingChoices:
    """Decide `text` with the engine's choices counted."""
    counter = CountingChoices(service.engine(rt))
    service.decide(rt, text, user_id="U0ALICE01", eng=counter)  # type: ignore[arg-type]
    return counter


@pytest.mark.parametrize("name", sorted(FIXED))
def test_each_adversarial_message_costs_a_bounded_number_of_choices(rt: Runtime, name: str) -> None:
    found = counted(rt, FIXED[name])
    assert 1 <= len(found.sizes) <= CHOICES_PER_MESSAGE
    # No choice reads more than the cut message: no search per occurrence of a repeated name.
    assert max(found.sizes) <= LONGEST_CHOICE


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=messages())
def test_any_message_up_to_slacks_limit_is_decided_with_bounded_choices(rt: Runtime, text: str) -> None:
    assert len(text) <= SLACK_MAX_CHARS
    found = counted(rt, text)
    assert 1 <= len(found.sizes) <= CHOICES_PER_MESSAGE and max(found.sizes) <= LONGEST_CHOICE


def best_of(runs: int, work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize("name", ["repeated name in a word", "introduced again and again", "lower-case names"])
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_cost_grows_linearly_with_the_message(rt: Runtime, name: str) -> None:
    """A quarter of the message costs about a quarter of the time: 16 would be quadratic, 64 cubic (the review's)."""
    whole = FIXED[name][: service.MAX_QUESTION_CHARS]
    quarter = whole[: len(whole) // 4]
    service.decide(rt, whole, user_id="U0ALICE01")  # warm caches
    # The fastest of five runs each: what the code costs, not what a busy machine's neighbours cost.
    ratio = best_of(5, lambda: service.decide(rt, whole, user_id="U0ALICE01")) / best_of(
        5, lambda: service.decide(rt, quarter, user_id="U0ALICE01")
    )
    assert ratio < 10, f"4x the text cost {ratio:.1f}x the time"


@pytest.mark.benchmark
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_adversarial_messages_are_answered_within_budget_with_20000_partners(rt: Runtime) -> None:
    """A measurement (`pytest -m benchmark`): the fastest of three runs of each message, 20,000 partners loaded."""
    assert import_partners(rt, book_csv(20_000), resolve_owners=False).ok
    slow = {}
    for name, text in FIXED.items():
        service.decide(rt, text, user_id="U0ALICE01")
        ms = best_of(3, lambda text=text: service.decide(rt, text, user_id="U0ALICE01")) * 1000
        if ms > BUDGET_MS:
            slow[name] = round(ms, 1)
    assert not slow
