"""A second opinion on which entry a question asks for, learnt from questions people actually asked.

The rules in `service` read a question the way its words say; this classifier reads it the way the labelled
questions of `bot/knowledge/questions/*.jsonl` were asked: thousands of real-world phrasings, each marked with the
entry that answers it, or with none when the article does not ("I don't know"). It is a linear model over the
question's letter n-grams (inside words) and word pairs, which forgives typos, missing accents and turns of
phrase that the synonym table does not list.

`scripts/train_classifier.py` fits it with scikit-learn (`bot/qa/training.py`, a development dependency) and saves
it to `bot/knowledge/classifier.npz`; the bot only reads that file, with numpy: scikit-learn would double its
memory. The file records a digest of what it learnt, so a test notices when the questions or the entries'
phrasings changed without a new fit. Entries added from Slack are not learnt: the classifier never overrules an
answer from one of those (see `service._second_opinion`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.qa.knowledge import Entry, shipped
from bot.slack_text import fold

log = logging.getLogger(__name__)

QUESTIONS_DIR = "questions"
MODEL_FILE = "classifier.npz"
NONE = ""
"""The label of a question that no entry answers."""
LETTERS = (2, 4)
"""The lengths of the letter n-grams read inside each word (padded with a space at both ends)."""
_WORD = re.compile(r"\b\w\w+\b")


def features(text: str) -> list[str]:
    """What the classifier reads of `text`: letter n-grams inside words, words, and pairs of words."""
    folded = fold(text)
    grams: list[str] = []
    for word in folded.split():
        padded = f" {word} "
        for n in range(LETTERS[0], min(LETTERS[1], len(padded)) + 1):
            grams.extend("c" + padded[i : i + n] for i in range(len(padded) - n + 1))
    words = _WORD.findall(folded)
    grams.extend("w " + word for word in words)
    grams.extend(f"p {a} {b}" for a, b in pairwise(words))
    return grams


@dataclass(frozen=True)
class Example:
    """A question and the entry that answers it (`NONE` for none); `origin` names the set it comes from."""

    text: str
    slug: str
    origin: str


@dataclass(frozen=True)
class Opinion:
    """The entry the classifier reads (None for "I don't know") and how far ahead of the next it is."""

    slug: str | None
    margin: float


class SecondOpinion(Protocol):
    """What `service.decide` asks of a classifier."""

    slugs: frozenset[str]
    """The entries it learnt."""

    def opinion(self, text: str) -> Opinion: ...


def labelled_sets() -> dict[str, list[Example]]:
    """The labelled question sets shipped in bot/knowledge/questions, by name (a set lists its first entry only)."""
    folder = resources.files("bot") / "knowledge" / QUESTIONS_DIR
    sets: dict[str, list[Example]] = {}
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".jsonl"):
            continue
        name = path.name.removesuffix(".jsonl")
        sets[name] = [
            Example(item["q"], (item["expect"] or [NONE])[0], name)
            for line in path.read_text("utf-8").splitlines()
            if line.strip()
            for item in [json.loads(line)]
        ]
    return sets


def phrasings(entries: Iterable[Entry]) -> list[Example]:
    """The phrasings the knowledge base lists for its entries."""
    return [
        Example(question, entry.slug, "seed")
        for entry in entries
        for question in (*entry.questions_en, *entry.questions_fr)
    ]


def examples(*, without: frozenset[str] = frozenset()) -> list[Example]:
    """Everything the classifier learns from: the shipped phrasings and the labelled sets not in `without`."""
    learnt = phrasings(shipped().entries)
    for name, items in labelled_sets().items():
        if name not in without:
            learnt.extend(items)
    return learnt


def digest(learnt: Iterable[Example]) -> str:
    """A fingerprint of what a model learns from: a new one means the model must be fitted again."""
    hashed = hashlib.sha256()
    for example in learnt:
        hashed.update(f"{example.slug}\t{example.text}\n".encode())
    return hashed.hexdigest()


@dataclass(frozen=True)
class Model:
    """A fitted model: its vocabulary with each term's idf, one weight column per label, and what it learnt."""

    vocabulary: tuple[str, ...]
    idf: npt.NDArray[np.float32]
    weights: npt.NDArray[np.float32]  # terms × labels
    bias: npt.NDArray[np.float32]
    labels: tuple[str, ...]
    learnt: str  # the digest of its examples

    def save(self, path: str) -> None:
        np.savez_compressed(
            path,
            vocabulary=np.array(self.vocabulary),
            idf=self.idf,
            weights=self.weights,
            bias=self.bias,
            labels=np.array(self.labels),
            learnt=np.array(self.learnt),
        )

    @classmethod
    def load(cls, path: object) -> Model:
        with np.load(path, allow_pickle=False) as data:  # type: ignore[arg-type]
            return cls(
                vocabulary=tuple(str(term) for term in data["vocabulary"]),
                idf=data["idf"].astype(np.float32),
                weights=data["weights"].astype(np.float32),
                bias=data["bias"].astype(np.float32),
                labels=tuple(str(label) for label in data["labels"]),
                learnt=str(data["learnt"]),
            )


class Classifier:
    """The model's reading of a question: tf-idf of its features (sublinear tf, unit length), then the labels'
    linear scores, exactly as scikit-learn's TfidfVectorizer and LinearSVC compute them."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._index = {term: i for i, term in enumerate(model.vocabulary)}
        self.slugs = frozenset(label for label in model.labels if label != NONE)

    def scores(self, text: str) -> npt.NDArray[np.float32]:
        """Each label's score for `text`."""
        counts = Counter(i for gram in features(text) if (i := self._index.get(gram)) is not None)
        if not counts:
            return self.model.bias.copy()
        terms = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        values = (1 + np.log(np.fromiter(counts.values(), dtype=np.float32, count=len(counts)))) * self.model.idf[terms]
        values /= np.linalg.norm(values)
        scores: npt.NDArray[np.float32] = values @ self.model.weights[terms] + self.model.bias
        return scores

    def opinion(self, text: str) -> Opinion:
        """The entry `text` most likely asks for, and its lead over the runner-up."""
        scores = self.scores(text)
        second, best = np.argsort(scores)[-2:]
        return Opinion(self.model.labels[best] or None, float(scores[best] - scores[second]))


@cache
def shipped_classifier() -> Classifier | None:
    """The classifier fitted on what ships, or None (with a warning) if its file is missing.

    Whether it learnt today's labelled sets and phrasings is a test's question
    (`test_the_shipped_model_learnt_todays_questions_and_phrasings`), not every start-up's: reading the 6,000
    labelled questions to check cost each process 0.1 s, and a stale model cannot pass CI."""
    path = resources.files("bot") / "knowledge" / MODEL_FILE
    if not path.is_file():
        log.warning("no %s: questions get no second opinion (run scripts/train_classifier.py)", MODEL_FILE)
        return None
    with resources.as_file(path) as file:
        return Classifier(Model.load(file))
