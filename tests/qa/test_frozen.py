"""The frozen test split (tests/qa/frozen) stays frozen: big enough, varied, and never in what the bot learns from.

The split was written by a helper who saw only the article and each entry's answer, never the entries' phrasings
or the labelled sets. It is measured, never fitted or tuned on: no rule, phrasing or labelled question may come
from it. `scripts/eval_qa.py tests/qa/frozen/*.jsonl` gives its figures.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.qa.evaluation import Case, load_cases
from bot.qa.learning import added_set, shipped_added, shipped_labelled

ROOT = Path(__file__).resolve().parents[2]
FROZEN = Path(__file__).resolve().parent / "frozen"
ADDED = Path(__file__).resolve().parent / "added"
FROZEN_ADDED = ("added2", "added3", "added4", "added5", "added6", "added7", "added8", "added9")
"""Sets of entries added in Slack that are measured only (tests/qa/added/README.md); added1 is development data."""
KNOWLEDGE = ROOT / "bot" / "knowledge"
MIN_QUESTIONS = 400
MIN_UNANSWERABLE = 0.35
LONG_ENOUGH_TO_BE_A_COPY = 5
"""Words from which a frozen question found inside a longer knowledge string counts as copied there."""


def _fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: how a copy is recognised."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", bare))


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed TOML document."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _frozen() -> list[Case]:
    return [case for path in sorted(FROZEN.glob("*.jsonl")) for case in load_cases(path)]


def test_the_split_is_big_enough_and_varied() -> None:
    cases = _frozen()
    assert len(cases) >= MIN_QUESTIONS
    assert sum(1 for c in cases if not c.expect) >= MIN_UNANSWERABLE * len(cases)
    assert {c.lang for c in cases} == {"en", "fr"}
    assert len({_fold(c.question) for c in cases}) == len(cases), "a question is in the split twice"


def _learnt() -> set[str]:
    """Every text the ranker learns from: the labelled questions, and the sets of entries added in Slack."""
    texts = [question.text for question in shipped_labelled()]
    for added in shipped_added():
        texts += [q.text for q in added.questions]
        texts += [text for e in added.entries for text in (*e.questions_en, *e.questions_fr, e.answer_en, e.answer_fr)]
    return {_fold(text) for text in texts}


def test_no_frozen_question_is_learnt_from() -> None:
    learnt = _learnt()
    copied = [c.question for c in _frozen() if _fold(c.question) in learnt]
    assert not copied, copied


def test_no_frozen_added_set_is_learnt_from() -> None:
    learnt = _learnt()
    for name in FROZEN_ADDED:
        frozen = added_set(name, (ADDED / f"{name}.json").read_text("utf-8"))
        texts = [q.text for q in frozen.questions] + [
            t for e in frozen.entries for t in (*e.questions_en, *e.questions_fr)
        ]
        copied = [text for text in texts if _fold(text) in learnt]
        assert not copied, (name, copied)


def test_no_frozen_question_is_in_the_knowledge_files() -> None:
    known = [_fold(s) for path in KNOWLEDGE.glob("*.toml") for s in _strings(tomllib.loads(path.read_text("utf-8")))]
    exact = set(known)
    haystack = "\n".join(known)
    copied = []
    for case in _frozen():
        folded = _fold(case.question)
        long_enough = len(folded.split()) >= LONG_ENOUGH_TO_BE_A_COPY
        if folded in exact or (long_enough and folded in haystack):
            copied.append(case.question)
    assert not copied, copied


def test_the_labelled_sets_the_bot_learns_from_are_not_the_frozen_split() -> None:
    frozen_names = {path.stem for path in FROZEN.glob("*.jsonl")}
    shipped_names = {path.stem for path in (KNOWLEDGE / "questions").glob("*.jsonl")}
    assert frozen_names
    assert not frozen_names & shipped_names
