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
from typing import TypeVar

import numpy as np

from bot.qa.index import Example, Index, features
from bot.qa.knowledge import ADDED_DIR, Entry
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


Asked = TypeVar("Asked", Example, Labelled)


def relabelled(shipped: Iterable[Asked], verdicts: Sequence[Asked]) -> list[Asked]:
    """The shipped questions, then the verdicts given in Slack: a verdict on a shipped question replaces its label
    (in the index a worker answers from, and in what the refit learns from)."""
    texts = {q.text for q in verdicts}
    return [q for q in shipped if q.text not in texts] + list(verdicts)


def with_verdicts(verdicts: Sequence[Labelled]) -> list[Labelled]:
    """The shipped labelled questions relabelled by the verdicts given in Slack."""
    return relabelled(shipped_labelled(), verdicts)


def fold_of(question: Labelled, folds: int = FOLDS) -> int:
    """The fold a question falls in: a set's questions stay together, verdicts from Slack spread out."""
    key = question.text if question.group == "slack" else question.group
    return zlib.crc32(key.encode()) % folds


@dataclass(frozen=True)
class AddedSet:
    """Entries as an admin adds them in Slack (one phrasing per language), with other people's questions: their
    other phrasings, and near misses that no entry answers."""

    name: str
    entries: tuple[Entry, ...]
    questions: tuple[Labelled, ...]


def added_set(name: str, text: str) -> AddedSet:
    """The set in `text` (JSON: `entries` and `questions`); its slugs are prefixed with `name`, so no entry of the
    knowledge base shares one."""
    data = json.loads(text)
    entries = tuple(
        Entry(
            slug=f"{name}/{item['slug']}",
            questions_en=(item["question_en"],),
            questions_fr=(item["question_fr"],),
            answer_en=item["answer_en"],
            answer_fr=item["answer_fr"],
            origin="admin",
        )
        for item in data["entries"]
    )
    questions = tuple(
        Labelled(q["q"], q["lang"], tuple(f"{name}/{slug}" for slug in q["expect"]), name) for q in data["questions"]
    )
    return AddedSet(name, entries, questions)


def shipped_added() -> list[AddedSet]:
    """The sets of bot/knowledge/added/*.json: how entries added in Slack are asked, for the ranker to learn from."""
    folder = resources.files("bot.knowledge").joinpath(ADDED_DIR)
    paths = sorted((p for p in folder.iterdir() if p.name.endswith(".json")), key=lambda p: p.name)
    return [added_set(path.name.removesuffix(".json"), path.read_text("utf-8")) for path in paths]


def digest(entries: Sequence[Entry], labelled: Sequence[Labelled], added: Sequence[AddedSet] = ()) -> str:
    """A short fingerprint of what a fit learns from."""
    h = hashlib.sha256()
    for entry in [*entries, *(e for s in added for e in s.entries)]:
        h.update(repr((entry.slug, entry.questions_en, entry.questions_fr, entry.answer_en, entry.answer_fr)).encode())
    for q in [*labelled, *(q for s in added for q in s.questions)]:
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
    added: np.ndarray  # whether the row's question comes from a set of entries added in Slack

    def __add__(self, other: Rows) -> Rows:
        """Both sets of rows; `other`'s questions are numbered after these."""
        shift = int(self.groups.max()) + 1 if len(self.groups) else 0
        joined = {
            f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in dataclasses.fields(self)
        }
        joined["groups"][len(self.groups) :] += shift
        return Rows(**joined)


def _measure(index: Index, questions: Sequence[Labelled]) -> tuple[list[np.ndarray], list[int], list[int]]:
    """Each question's candidate rows against `index`, whether each candidate answers it, and the question's place."""
    rows, labels, places = [], [], []
    for place, question in enumerate(questions):
        signals = index.measure(question.text, question.lang)
        candidates = signals.candidates()
        rows.append(features(signals, candidates, semantic=index.semantic))
        labels += [int(index.entries[i].slug in question.expect) for i in candidates]
        places += [place] * len(candidates)
    return rows, labels, places


def cross_fitted(
    entries: Sequence[Entry], labelled: Sequence[Labelled], encoder: Encoder | None, *, folds: int = FOLDS
) -> Rows:
    """Every question's candidate rows, measured against an index built without its fold."""
    rows: list[np.ndarray] = []
    labels: list[int] = []
    groups: list[int] = []
    young_rows: list[bool] = []
    of = [fold_of(q, folds) for q in labelled]
    for k in range(folds):
        young = {e.slug for e in entries if zlib.crc32(e.slug.encode()) % YOUNG_EVERY == k % YOUNG_EVERY}
        known = [young_version(e) if e.slug in young else e for e in entries]
        kept = [q for q, f in zip(labelled, of, strict=True) if f != k and not young & set(q.expect)]
        numbers = [number for number, f in enumerate(of) if f == k]
        measured, found, places = _measure(Index(known, as_examples(kept), encoder), [labelled[n] for n in numbers])
        rows += measured
        labels += found
        groups += [numbers[place] for place in places]
        young_rows += [bool(young & set(labelled[numbers[place]].expect)) for place in places]
    group = np.array(groups, dtype=np.int64)
    return Rows(
        np.vstack(rows), np.array(labels), group, np.array(of)[group], np.array(young_rows), np.zeros(len(labels), bool)
    )


def added_rows(
    entries: Sequence[Entry], labelled: Sequence[Labelled], sets: Sequence[AddedSet], encoder: Encoder | None
) -> Rows:
    """The candidate rows of each set's questions, asked of the knowledge base with that set's entries just added:
    what the ranker sees the day after an admin adds an entry. Set number i falls in fold i % FOLDS."""
    rows: list[np.ndarray] = []
    labels: list[int] = []
    groups: list[int] = []
    row_folds: list[int] = []
    examples = as_examples(labelled)
    for k, added in enumerate(sets):
        asked = sum(len(s.questions) for s in sets[:k])  # questions are numbered across the sets
        measured, found, places = _measure(Index([*entries, *added.entries], examples, encoder), added.questions)
        rows += measured
        labels += found
        groups += [asked + place for place in places]
        row_folds += [k % FOLDS] * len(places)
    young = np.array([bool(q.expect) for s in sets for q in s.questions], dtype=bool)
    group = np.array(groups, dtype=np.int64)
    return Rows(np.vstack(rows), np.array(labels), group, np.array(row_folds), young[group], np.ones(len(labels), bool))
