"""The knowledge base indexed three ways for the ranker: words (BM25), characters, and meaning (sentence vectors).

Every signal is measured against each entry's phrasings (shipped, added in Slack, and questions the experts pointed
at it) and its answer, so an entry added today is searchable the moment it is indexed, with no refit.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from bot.memory import Int8Rows
from bot.qa.knowledge import Entry, own_texts
from bot.qa.semantic import DIM, Encoder
from bot.qa.terms import flat, meaningful_words, stem

# bm25s sets its own logger to DEBUG when imported, after our logging set-up has run.
logging.getLogger("bm25s").setLevel(logging.WARNING)

CANDIDATES = 3
"""Entries each signal puts forward for the ranker to weigh."""
CHARS_READ = 160
"""Characters of a question compared letter by letter with every phrasing: its end, where a long message asks. A
comparison costs the product of the two lengths; past a phrasing's length, more says nothing."""
NEIGHBOURS = 10
"""Nearest known questions whose entries vote on a question's meaning."""
WORDS_READ = 40
"""Distinct words of a question (its last ones: where a long message asks) whose meaning is looked up one by one."""


@dataclass(frozen=True)
class Example:
    """A question someone told the bot the answer to: an entry's slug, or None for "beyond its knowledge"."""

    text: str
    lang: str
    slug: str | None


def content_terms(text: str, lang: str) -> list[str]:
    """The stems of the words of `text` that carry meaning, in order."""
    return [stem(word, lang) for word in meaningful_words(text, lang)]


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


@dataclass
class Signals:
    """One question measured against every entry: arrays indexed like `Index.entries`."""

    semantic: np.ndarray  # best cosine with a phrasing
    answer: np.ndarray  # cosine with the answer
    centre: np.ndarray  # cosine with the mean of the entry's phrasings and answer: as fair to a new entry as an old
    lexical: np.ndarray  # best BM25 score of a phrasing
    wording: np.ndarray  # mean over the question's words of the cosine of the entry's nearest word: synonyms count
    rare_wording: np.ndarray  # the same, each word weighing as few entries use it
    chars: np.ndarray  # best character similarity with a phrasing, 0..1
    coverage: np.ndarray  # share of the question's terms the entry's texts use
    weighted: np.ndarray  # the same, each term weighing as it is rare: what a near miss adds is often rare
    known: float  # share of the question's terms the knowledge base uses anywhere
    negative: float  # best cosine with a question known to be beyond the knowledge base
    votes: np.ndarray  # share of the nearest known questions that are the entry's
    beyond: float  # share of the nearest known questions that are beyond the knowledge base
    terms: int  # how many terms carry meaning
    phrasings: np.ndarray  # how many phrasings each entry has

    def candidates(self) -> list[int]:
        """The entries any signal puts in its first CANDIDATES (the answer's meaning too: an entry added with one
        phrasing may be nearer a question by its answer than by its phrasing)."""
        chosen: dict[int, None] = {}
        for scores in (self.semantic, self.lexical, self.chars, self.centre, self.answer, self.rare_wording):
            for i in np.argsort(-scores, kind="stable")[:CANDIDATES]:
                chosen[int(i)] = None
        return list(chosen)


class Index:
    """Entries and examples, ready to measure questions against."""

    def __init__(self, entries: Sequence[Entry], examples: Sequence[Example], encoder: Encoder | None) -> None:
        self.entries = tuple(entries)
        position = {entry.slug: i for i, entry in enumerate(self.entries)}
        texts: list[tuple[int, str, str]] = []
        for i, entry in enumerate(self.entries):
            texts += [(i, text, "en") for text in entry.questions_en]
            texts += [(i, text, "fr") for text in entry.questions_fr]
        texts += [(position[e.slug], e.text, e.lang) for e in examples if e.slug in position]
        texts.sort(key=lambda item: item[0])
        self.negatives = [e for e in examples if e.slug is None]
        owner = np.array([i for i, _, _ in texts], dtype=np.int64)
        self._owner = owner
        self._starts = np.searchsorted(owner, np.arange(len(self.entries)))
        self.phrasings = np.bincount(owner, minlength=len(self.entries))
        self._flat = [flat(text) for _, text, _ in texts]
        tokens = [content_terms(text, lang) for _, text, lang in texts]
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index([t or ["_"] for t in tokens], show_progress=False)
        vocabularies: list[set[str]] = [set() for _ in self.entries]
        for (i, _, _), found in zip(texts, tokens, strict=True):
            vocabularies[i].update(found)
        for i, entry in enumerate(self.entries):
            vocabularies[i].update(content_terms(entry.answer_en, "en") + content_terms(entry.answer_fr, "fr"))
        self._vocabularies = vocabularies
        counts: dict[str, int] = {}
        for found in tokens:
            for term in set(found):
                counts[term] = counts.get(term, 0) + 1
        self._rarest = math.log1p(len(tokens))
        self._weight = {term: math.log1p(len(tokens) / (1 + n)) for term, n in counts.items()}
        by_lang: dict[str, set[str]] = {"en": set(), "fr": set()}
        for entry in self.entries:
            by_lang["en"].update(word for text in entry.questions_en for word in flat(text).split())
            by_lang["fr"].update(word for text in entry.questions_fr for word in flat(text).split())
        self.neutral = frozenset(by_lang["en"] & by_lang["fr"])
        """Words the entries use in both languages (names): no hint of the asker's language."""
        self.surfaces = {word for entry in self.entries for text, _ in own_texts(entry) for word in flat(text).split()}
        """The words, as written, of the entries themselves (not of examples, which name partners)."""
        self.vocabulary = set().union(*vocabularies)
        self.encoder = encoder if encoder is not None and encoder.available else None
        if self.encoder is not None:
            answers = [text for entry in self.entries for text in (entry.answer_en, entry.answer_fr)]
            # An entry's answer in both languages: the mean of their vectors (an empty answer counts for nothing).
            given = np.array([bool(answer) for answer in answers])[:, None]
            vectors = self.encoder.encode_cached(answers) * given
            self._answers = _unit(vectors.reshape(len(answers) // 2, 2, -1).sum(axis=1))
            sums = np.zeros_like(self._answers)
            encode = self.encoder.encode_cached  # a chunk at a time, the phrasings' sum by entry made on the way
            self._vectors = Int8Rows.encoded(
                encode, [t for _, t, _ in texts], DIM, seen=lambda at, v: np.add.at(sums, owner[at], v)
            )
            self._negatives = Int8Rows.encoded(encode, [e.text for e in self.negatives], DIM)
            self._centroids = _unit(sums / np.maximum(1, self.phrasings)[:, None] + self._answers)
            self._index_words(self.encoder)

    def _index_words(self, encoder: Encoder) -> None:
        """The words of each entry's own texts (phrasings and answers) with their vectors, one word at a time."""
        own = [
            {w for text, lang in own_texts(entry) for w in meaningful_words(text, lang, shortest=3)}
            for entry in self.entries
        ]
        unique = sorted(set().union(*own))
        self._words = {word: k for k, word in enumerate(unique)}
        self._word_vectors = Int8Rows(encoder.encode_cached(unique))
        self._word_users = {word: sum(word in mine for mine in own) for word in unique}
        columns = [sorted(self._words[w] for w in mine) for mine in own]
        self._word_columns = np.array([k for column in columns for k in column], dtype=np.int64)
        self._word_starts = np.cumsum([0] + [len(column) for column in columns])[:-1]
        self._has_words = np.array([bool(column) for column in columns])

    @property
    def semantic(self) -> bool:
        """Say whether the meaning of questions is compared, not only their words."""
        return self.encoder is not None

    def near_beyond(self, slug: str, *, floor: float, limit: int) -> list[Example]:
        """The questions known to be beyond the knowledge base nearest the entry `slug` in meaning (to any of its
        phrasings or its answer, cosine `floor` at least), nearest first: labelled before the entry existed, some
        may be what it now answers. None without the model."""
        at = [i for i, entry in enumerate(self.entries) if entry.slug == slug]
        if self.encoder is None or not at or not len(self._negatives):
            return []
        own = np.vstack([self._vectors[self._owner == at[0]], self._answers[at[0]]])
        near = (self._negatives @ own.T).max(axis=1)
        order = np.argsort(-near, kind="stable")
        found = {self.negatives[k].text: self.negatives[k] for k in order if near[k] >= floor}
        return list(found.values())[:limit]

    def _best(self, scores: np.ndarray) -> np.ndarray:
        """The best score of each entry's phrasings (-1 for an entry with none)."""
        best = np.full(len(self.entries), -1.0)
        has = self.phrasings > 0
        if len(scores):
            best[has] = np.maximum.reduceat(scores, self._starts[has])
        return best

    def _votes(self, near: np.ndarray, far: np.ndarray) -> tuple[np.ndarray, float]:
        """Each entry's share of the NEIGHBOURS known questions nearest in meaning, out of as many as it could have
        (an entry with two phrasings can hold at most two places), and the share beyond the knowledge base."""
        both = np.concatenate([near, far])
        k = min(NEIGHBOURS, len(both))
        nearest = np.argpartition(-both, k - 1)[:k] if k else np.zeros(0, dtype=np.int64)
        mine = nearest[nearest < len(near)]
        votes = np.bincount(self._owner[mine], minlength=len(self.entries)) / np.clip(self.phrasings, 1, max(1, k))
        return votes, float(len(nearest) - len(mine)) / max(1, k)

    def vectors(self, texts: list[str]) -> list[np.ndarray | None]:
        """The sentence vectors of `texts` from one call to the model (one batch costs about what one text does), or
        None each without a model."""
        if self.encoder is None or not texts:
            return [None] * len(texts)
        return list(self.encoder.encode_cached(texts))

    def _wording(self, question: str, lang: str) -> tuple[np.ndarray, np.ndarray]:
        """How closely each entry's own words match the question's by meaning (cost, fee and payant are near), plain
        and weighted by rarity: a near miss often asks about one thing the entry never mentions."""
        assert self.encoder is not None
        n = len(self.entries)
        mine = list(dict.fromkeys(reversed(meaningful_words(question, lang, shortest=3))))[:WORDS_READ]
        if not mine or not len(self._word_columns):
            return np.zeros(n), np.zeros(n)
        known = [w for w in mine if w in self._words]
        vectors = dict(zip(known, self._word_vectors[[self._words[w] for w in known]], strict=True))
        vectors.update(self.encoder.word_vectors([w for w in mine if w not in self._words]))
        similar = (self._word_vectors @ np.array([vectors[w] for w in mine]).T).T
        best = np.zeros((len(mine), n))
        best[:, self._has_words] = np.maximum.reduceat(
            similar[:, self._word_columns], self._word_starts[self._has_words], axis=1
        )
        rarity = np.array([math.log1p(n / (1 + self._word_users.get(w, 0))) for w in mine])
        return best.mean(axis=0), rarity @ best / max(1e-9, float(rarity.sum()))

    def measure(self, question: str, lang: str, vector: np.ndarray | None = None) -> Signals:
        """`question` measured against every entry."""
        terms = content_terms(question, lang)
        n = len(self.entries)
        lexical = self._best(self._bm25.get_scores(terms)) if terms else np.zeros(n)
        tail = flat(question)[-CHARS_READ:]
        chars = process.cdist([tail], self._flat, scorer=fuzz.ratio, dtype=np.uint8, workers=1)[0]
        semantic, answer, centre, negative = np.zeros(n), np.zeros(n), np.zeros(n), 0.0
        votes, beyond = np.zeros(n), 0.0
        if self.encoder is not None:
            vector = self.encoder.encode_cached([question])[0] if vector is None else vector
            near = self._vectors @ vector
            semantic = self._best(near)
            answer = self._answers @ vector
            centre = self._centroids @ vector
            far = self._negatives @ vector
            negative = float(far.max()) if len(far) else 0.0
            votes, beyond = self._votes(near, far)
        wording, rare_wording = (
            self._wording(question, lang) if self.encoder is not None else (np.zeros(n), np.zeros(n))
        )
        unique = set(terms)
        coverage = np.array([len(unique & vocabulary) / max(1, len(unique)) for vocabulary in self._vocabularies])
        # Summed in one order whatever the process's hash seed: the same question gets the same score everywhere.
        weight = {term: self._weight.get(term, self._rarest) for term in sorted(unique)}
        total = max(1e-9, sum(weight.values()))
        weighted = np.array(
            [sum(w for t, w in weight.items() if t in vocabulary) / total for vocabulary in self._vocabularies]
        )
        return Signals(
            semantic=semantic,
            answer=answer,
            centre=centre,
            lexical=lexical,
            wording=wording,
            rare_wording=rare_wording,
            chars=self._best(chars.astype(np.float64) / 100),
            coverage=coverage,
            weighted=weighted,
            known=len(unique & self.vocabulary) / max(1, len(unique)),
            negative=negative,
            votes=votes,
            beyond=beyond,
            terms=len(terms),
            phrasings=self.phrasings,
        )


def _lead(scores: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """How far each chosen entry's score leads the best of the others (negative: it trails)."""
    if len(scores) < 2:
        return scores[chosen]
    order = np.argsort(-scores, kind="stable")
    first, second = scores[order[0]], scores[order[1]]
    return scores[chosen] - np.where(chosen == order[0], second, first)


def features(signals: Signals, chosen: Sequence[int], *, semantic: bool) -> np.ndarray:
    """What the ranker weighs of each chosen entry: nothing that names the entry, so what it learns carries over."""
    at = np.asarray(chosen, dtype=np.int64)
    ones = np.ones(len(at))
    top = max(float(signals.lexical.max()), 1e-9)
    columns = [
        signals.lexical[at] / top,
        np.log1p(signals.lexical[at]),
        _lead(signals.lexical, at) / top,
        signals.chars[at],
        _lead(signals.chars, at),
        signals.coverage[at],
        _lead(signals.coverage, at),
        signals.weighted[at],
        _lead(signals.weighted, at),
        ones * signals.known,
        ones * math.log1p(signals.terms),
        np.log1p(signals.phrasings[at].astype(np.float64)),
    ]
    if semantic:
        firsts = sum(
            (at == np.argmax(s)).astype(np.float64) for s in (signals.semantic, signals.lexical, signals.chars)
        )
        columns += [
            signals.semantic[at],
            _lead(signals.semantic, at),
            signals.answer[at],
            ones * signals.negative,
            signals.semantic[at] - signals.negative,
            signals.votes[at],
            _lead(signals.votes, at),
            ones * signals.beyond,
            firsts,
            signals.centre[at],
            _lead(signals.centre, at),
            signals.wording[at],
            _lead(signals.wording, at),
            signals.rare_wording[at],
        ]
    return np.column_stack(columns)
