"""What the ranker learns from: the labelled questions shipped with the bot and the verdicts given in Slack.

Each question's features are measured against an index that does not hold it (nor the other questions of its set):
what the ranker sees in training is what it will see for a question nobody wrote down.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

from bot.qa.index import Example, Index, features
from bot.qa.knowledge import Entry
from bot.qa.semantic import Encoder

QUESTIONS_DIR = "questions"
FOLDS = 5


@dataclass(frozen=True)
class Labelled:
    """A question with the entries that answer it (none: beyond the knowledge base), and the set it belongs to."""

    text: str
    lang: str
    expect: tuple[str, ...]
    group: str


def shipped_labelled() -> list[Labelled]:
    """Every question of bot/knowledge/questions/*.jsonl."""
    found = []
    folder = resources.files("bot.knowledge").joinpath(QUESTIONS_DIR)
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".jsonl"):
            continue
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                found.append(Labelled(item["q"], item["lang"], tuple(item["expect"]), path.name.removesuffix(".jsonl")))
    return found


def as_examples(labelled: Iterable[Labelled]) -> list[Example]:
    """The questions an index may hold: those with one entry, and those beyond the knowledge base."""
    return [Example(q.text, q.lang, q.expect[0] if q.expect else None) for q in labelled if len(q.expect) <= 1]


def fold_of(question: Labelled, folds: int = FOLDS) -> int:
    """The fold a question falls in: a set's questions stay together, verdicts from Slack spread out."""
    key = question.text if question.group == "slack" else question.group
    return zlib.crc32(key.encode()) % folds


def digest(entries: Sequence[Entry], labelled: Sequence[Labelled]) -> str:
    """A short fingerprint of what a fit learns from."""
    h = hashlib.sha256()
    for entry in entries:
        h.update(repr((entry.slug, entry.questions_en, entry.questions_fr, entry.answer_en, entry.answer_fr)).encode())
    for q in labelled:
        h.update(repr((q.text, q.lang, q.expect)).encode())
    return h.hexdigest()[:16]


YOUNG_EVERY = 4
"""In each fold, one entry in this many is made young: one phrasing per language, no examples. The ranker then
learns what an entry added in Slack yesterday looks like, not only entries with hundreds of questions."""


def young_version(entry: Entry) -> Entry:
    """`entry` as if an admin had just added it: its first phrasing in each language."""
    return dataclasses.replace(entry, questions_en=entry.questions_en[:1], questions_fr=entry.questions_fr[:1])


@dataclass
class Rows:
    """Candidate rows of many questions: features, whether the entry answers, and the question's number."""

    features: np.ndarray
    labels: np.ndarray
    groups: np.ndarray
    folds: np.ndarray  # the fold of each row's question
    young: np.ndarray  # whether the row's question is about an entry made young in its fold


def cross_fitted(
    entries: Sequence[Entry], labelled: Sequence[Labelled], encoder: Encoder | None, *, folds: int = FOLDS
) -> Rows:
    """Every question's candidate rows, measured against an index built without its fold."""
    rows: list[np.ndarray] = []
    labels: list[int] = []
    groups: list[int] = []
    row_folds: list[int] = []
    young_rows: list[bool] = []
    of = [fold_of(q, folds) for q in labelled]
    for k in range(folds):
        young = {e.slug for e in entries if zlib.crc32(e.slug.encode()) % YOUNG_EVERY == k % YOUNG_EVERY}
        known = [young_version(e) if e.slug in young else e for e in entries]
        kept = [q for q, f in zip(labelled, of, strict=True) if f != k and not young & set(q.expect)]
        index = Index(known, as_examples(kept), encoder)
        for number, (question, f) in enumerate(zip(labelled, of, strict=True)):
            if f != k:
                continue
            signals = index.measure(question.text, question.lang)
            candidates = signals.candidates()
            rows.append(features(signals, candidates, semantic=index.semantic))
            labels += [int(index.entries[i].slug in question.expect) for i in candidates]
            groups += [number] * len(candidates)
            row_folds += [k] * len(candidates)
            young_rows += [bool(young & set(question.expect))] * len(candidates)
    return Rows(np.vstack(rows), np.array(labels), np.array(groups), np.array(row_folds), np.array(young_rows))
