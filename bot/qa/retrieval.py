"""Find the entry a question asks for, or say nobody knows: BM25 over every phrasing plus a confidence gate."""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import bm25s
import numpy as np
import numpy.typing as npt

from bot.qa.knowledge import Entry
from bot.qa.lexicon import lexicon
from bot.qa.terms import (
    CONCEPT_PREFIX,
    STOPWORDS,
    Analyzer,
    Synonyms,
    Term,
    Vocabulary,
    capitalised_inside,
    fold_word,
    without_asker,
    words,
)

# bm25s sets its own logger to DEBUG when imported, after our logging set-up has run.
logging.getLogger("bm25s").setLevel(logging.WARNING)

# Gate thresholds, tuned on bot/knowledge/questions/seen.jsonl and checked on heldout.jsonl.
MIN_COVERAGE = 0.6
"""Share (IDF-weighted) of the question's terms the best entry knows; below this the question is out of scope."""
MIN_MARGIN = 0.05
"""Relative lead of the best entry's score over the runner-up's when coverage alone is not decisive."""
CLEAR_COVERAGE = 0.9
"""Coverage above which a narrow margin is tolerated (both entries know the question; the better one wins)."""
CORRECTED_WEIGHT = 0.85
"""How much a typo-corrected term counts as matched (a correction may be wrong)."""
PREFIX_LEN = 5
PREFIX_WEIGHT = 0.5
"""An unknown word sharing its first PREFIX_LEN letters with a word of the entry (responsible / responsable,
deviennent / devient) counts this much as matched: likely the same word in another form or language."""
NUMBER_WEIGHT = 0.5
"""How much a number the knowledge never gives weighs against an entry, compared with an unknown word."""
KEY_MIN_COVERAGE = 0.3
"""Coverage enough for an entry whose key concept the question names (and no other entry's as strongly)."""
KEY_LEAD = 1.0
"""How much stronger the best key-concept hit must be than another entry's for the key alone to decide (1.0: a tie
is broken by BM25). Thresholds chosen by scripts/tune_qa_gate.py: the best worst-figure over all labelled sets."""
KEY_TIE = 0.1
"""Entries this close to the best score (relative) and as well covered are tied: the one whose key concept the
question names wins."""
SUGGESTIONS = 3
RERANK = 3
"""How many of the best-scoring entries compete on coverage."""
COVERAGE_STEP = 0.1
"""Coverages closer than this count as equal, and the BM25 score decides."""
SUPPORT_WEIGHT = 0.5
"""Weight of an entry's next-best phrasings in its score: several phrasings agreeing beat one lucky match."""
GREETING = CONCEPT_PREFIX + "hello"
"""A greeting before a question ("Bonjour, …") is politeness, not the question."""
QUESTION_TYPES = frozenset(CONCEPT_PREFIX + kind for kind in ("who", "why", "where"))
"""A question of one of these types is answered only by an entry asked that way in some phrasing."""
WHO = CONCEPT_PREFIX + "who"
RELATIVE_WHO = frozenset({"who", "whom", "whose", "qui"})
"""After a noun, these begin a clause ("a partner who asks…", « le patron qui a quitté… »), not a "who" question."""
MY = CONCEPT_PREFIX + "my"
PARTNER = CONCEPT_PREFIX + "partner"
WHEN = CONCEPT_PREFIX + "when"
REGION = CONCEPT_PREFIX + "region"
WORLDWIDE = CONCEPT_PREFIX + "worldwide"
_ALTERNATIVE = re.compile(r"\b(?:or|ou)\b", re.IGNORECASE)
"""A "when" question is answered only by an entry whose answer gives a date."""
LIVE_DATED = frozenset({"deadline", "days_left"})
HOW_MANY = CONCEPT_PREFIX + "howmany"
"""A "how many" question is answered only by an entry that counts the thing asked about (the next term)."""
RELATIVE = frozenset({"before", "after", "avant", "apres", "preceded", "followed", "precede", "suivi"})
"""Followed by a person's name, these ask for a predecessor or a successor, which the article never names."""
LIVE_COUNTED = frozenset({"days_left", "progress", "my_partners"})
LIVE_OURS = frozenset({"progress", "my_partners"})
"""Figures from our own partner records: how many registered in the whole world is not among them."""
_NUMBER = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|dozen|hundreds?|thousands?|deux|trois|"
    r"quatre|cinq|six|sept|huit|neuf|dix|douzaine|centaines?|milliers?)\b"
)
_YEARS = r"1[89]\d\d|20\d\d"
_YEAR = re.compile(_YEARS)
_DATE = re.compile(
    rf"\b(?:{_YEARS}|january|february|march|april|may|june|july|august|september|october|november|"
    r"december|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b"
)


@dataclass(frozen=True)
class Match:
    """The best entry for a question, how sure we are, and the runners-up to suggest."""

    entry: Entry | None
    score: float
    margin: float
    coverage: float
    confident: bool
    suggestions: tuple[Entry, ...] = ()
    unknown_words: tuple[str, ...] = ()
    matched: tuple[Term, ...] = ()
    """The question's terms the entry knows."""
    terms: tuple[Term, ...] = ()
    """All the question's terms: none when it holds nothing to look up ("What do I tell her?")."""

    @property
    def answered(self) -> bool:
        return self.confident and self.entry is not None


@dataclass
class _Snapshot:
    """An immutable index over one version of the knowledge base."""

    entries: tuple[Entry, ...]
    analyzer: Analyzer
    vocabulary: Vocabulary
    retriever: bm25s.BM25 | None
    doc_entry: np.ndarray
    entry_bounds: np.ndarray
    doc_names: list[frozenset[str]]
    entry_names: list[frozenset[str]]
    entry_tokens: list[frozenset[str]]
    entry_prefixes: list[frozenset[str]]
    idf: dict[str, float]
    unknown_idf: float
    entry_dated: list[bool]
    entry_counts: list[bool]
    specific_idf: float
    entry_keys: list[list[frozenset[str]]]
    entry_types: list[frozenset[str]]
    neutral: frozenset[str] = frozenset()


def _unique(items: Sequence[str]) -> list[str]:
    # Short questions: a word said twice is not twice as relevant, so term frequency is binary.
    return list(dict.fromkeys(items))


def _entry_terms(
    analyzer: Analyzer, entry: Entry, vocabulary: Vocabulary | None = None
) -> tuple[list[list[str]], list[frozenset[str]], set[str], set[str]]:
    """Token lists and exclusive names of each phrasing, all tokens incl. the answers', and the surface words.

    With a `vocabulary`, the misspelt words of phrasings written with typos are indexed as the words they stand for.
    """
    docs: list[list[str]] = []
    names: list[frozenset[str]] = []
    tokens: set[str] = set()
    surfaces: set[str] = set()
    for lang, questions in (("en", entry.questions_en), ("fr", entry.questions_fr)):
        for question in map(without_asker, questions):  # as questions are searched: who asks is not what is asked
            terms = (
                analyzer.terms(question, lang)
                if vocabulary is None
                else analyzer.query_terms(question, lang, vocabulary)
            )
            doc = _unique([t.token for t in terms])
            docs.append(doc)
            tokens.update(doc)
            folded = {fold_word(w) for w in words(question)}
            names.append(frozenset(folded & analyzer.synonyms.exclusive))
            surfaces.update(folded)
    for lang, answer in (("en", entry.answer_en), ("fr", entry.answer_fr)):
        tokens.update(t.token for t in analyzer.terms(answer, lang))
        surfaces.update(fold_word(w) for w in words(answer))
    return docs, names, tokens, surfaces


def _vocabulary(
    analyzer: Analyzer,
    terms: Sequence[tuple[list[list[str]], list[frozenset[str]], set[str], set[str]]],
    base: set[str],
) -> Vocabulary:
    """The vocabulary of entries analysed as written (to find the misspelt words of their phrasings)."""
    tokens = set().union(*(t[2] for t in terms)) if terms else set()
    surfaces = base.union(*(t[3] for t in terms)) if terms else set(base)
    return Vocabulary(
        tokens=tokens, surfaces=surfaces, is_word=lexicon().is_word, keep=analyzer.synonyms.surface_forms()
    )


def build_snapshot(entries: Sequence[Entry], analyzer: Analyzer) -> _Snapshot:
    """Index every phrasing of every entry."""
    corpus: list[list[str]] = []
    doc_entry: list[int] = []
    doc_names: list[frozenset[str]] = []
    entry_names: list[frozenset[str]] = []
    entry_tokens: list[frozenset[str]] = []
    all_tokens: set[str] = set()
    surfaces: set[str] = set(analyzer.synonyms.surface_forms()) | set(STOPWORDS)
    question_words: dict[str, set[str]] = {"en": set(), "fr": set()}
    entry_docs: list[list[list[str]]] = []
    draft = _vocabulary(analyzer, [_entry_terms(analyzer, entry) for entry in entries], surfaces)
    for i, entry in enumerate(entries):
        docs, names, tokens, entry_surfaces = _entry_terms(analyzer, entry, draft)
        entry_docs.append(docs)
        for doc, doc_name in zip(docs, names, strict=True):
            corpus.append(doc or [""])
            doc_entry.append(i)
            doc_names.append(doc_name)
        entry_names.append(frozenset().union(*names))
        entry_tokens.append(frozenset(tokens))
        all_tokens.update(tokens)
        surfaces.update(entry_surfaces)
        for lang, questions in (("en", entry.questions_en), ("fr", entry.questions_fr)):
            for question in questions:
                question_words[lang].update(fold_word(w) for w in words(question) if not w.isdigit())
    n = max(len(entries), 1)
    df: dict[str, int] = {}
    for known in entry_tokens:
        for token in known:
            df[token] = df.get(token, 0) + 1
    idf = {token: math.log(1 + (n - count + 0.5) / (count + 0.5)) for token, count in df.items()}
    retriever = None
    if corpus:
        retriever = bm25s.BM25(k1=1.2, b=0.5)
        retriever.index(corpus, show_progress=False)
    shared = question_words["en"] & question_words["fr"]
    return _Snapshot(
        entries=tuple(entries),
        analyzer=analyzer,
        vocabulary=Vocabulary(
            tokens=all_tokens, surfaces=surfaces, is_word=lexicon().is_word, keep=analyzer.synonyms.surface_forms()
        ),
        retriever=retriever,
        doc_entry=np.asarray(doc_entry, dtype=np.int64),
        entry_bounds=np.searchsorted(np.asarray(doc_entry, dtype=np.int64), np.arange(len(entries) + 1)),
        doc_names=doc_names,
        entry_names=entry_names,
        entry_tokens=entry_tokens,
        entry_prefixes=[
            frozenset(t[:PREFIX_LEN] for t in tokens if len(t) >= PREFIX_LEN and not t.startswith("_"))
            for tokens in entry_tokens
        ],
        idf=idf,
        unknown_idf=math.log(1 + (n + 0.5) / 0.5),
        entry_dated=[_gives_a_date(entry) for entry in entries],
        entry_counts=[_gives_a_number(entry) for entry in entries],
        specific_idf=math.log(1 + (n - 1 + 0.5) / 1.5) - 1e-9,
        entry_keys=[_key_terms(analyzer, entry) for entry in entries],
        entry_types=[frozenset().union(*(set(doc) for doc in docs)) & QUESTION_TYPES for docs in entry_docs],
        neutral=frozenset(shared),
    )


def _key_terms(analyzer: Analyzer, entry: Entry) -> list[frozenset[str]]:
    """Each key concept of the entry as the set of tokens a question must hold to name it (read in both languages)."""
    keys: set[frozenset[str]] = set()
    for phrase in entry.key_concepts:
        for lang in ("en", "fr"):
            tokens = frozenset(t.token for t in analyzer.terms(phrase, lang))
            if tokens:
                keys.add(tokens)
    return sorted(keys, key=sorted)


def _key_strength(snapshot: _Snapshot, tokens: frozenset[str], entry_index: int) -> float:
    """The IDF weight of the strongest key concept of the entry that the question names (0 when none)."""
    best = 0.0
    for key in snapshot.entry_keys[entry_index]:
        if key <= tokens:
            best = max(best, sum(snapshot.idf.get(token, snapshot.unknown_idf) for token in key))
    return best


def _only_words_unknown(unknown: Sequence[str]) -> bool:
    """Say whether every word the knowledge base does not know is a dictionary word, not a name.

    "Who is the CEO of Netgear?" names the CEO concept, but about a company the article never mentions.
    """
    is_word = lexicon().is_word
    return all(is_word(fold_word(word)) for word in unknown)


def _gives_a_number(entry: Entry) -> bool:
    """Say whether the entry's answer gives a quantity (not only a year), or is computed from counts or days."""
    if entry.live in LIVE_COUNTED:
        return True
    answer = fold_word(f"{entry.answer_en} {entry.answer_fr}")
    return bool(_NUMBER.search(_DATE.sub(" ", answer)))


def _gives_a_date(entry: Entry) -> bool:
    """Say whether the entry's answer names a year or a month (or is computed from the deadline)."""
    if entry.live in LIVE_DATED:
        return True
    return bool(_DATE.search(fold_word(f"{entry.answer_en} {entry.answer_fr}")))


MONTHS = frozenset(CONCEPT_PREFIX + month for month in ("august", "september", "month"))


def _day_of_month(terms: Sequence[Term], i: int) -> bool:
    """Say whether the i-th term is a day of the month: a number up to 31 before a month's name ("30 septembre")."""
    token = terms[i].token
    return token.isdigit() and 1 <= int(token) <= 31 and i + 1 < len(terms) and terms[i + 1].token in MONTHS


def _checked_number(snapshot: _Snapshot, terms: Sequence[Term], i: int, entry_index: int) -> bool:
    """Say whether the i-th term is a figure the entry answers with one of its own: a day of the month or a year
    for an entry that gives a date, any other number for an entry that gives a quantity ("more than 500 employees?",
    « six semaines ? »). A wrong figure to correct is no sign of another subject."""
    term = terms[i]
    if not (_NUMBER.fullmatch(term.word) or term.token.isdigit()):  # "200k" is 200000
        return False
    if _day_of_month(terms, i):
        return snapshot.entry_dated[entry_index]
    if _YEAR.fullmatch(term.token):  # 2005, or « 2 000 » partners
        return snapshot.entry_dated[entry_index] or snapshot.entry_counts[entry_index]
    return snapshot.entry_counts[entry_index]


def _coverage(snapshot: _Snapshot, terms: Sequence[Term], entry_index: int) -> tuple[float, tuple[str, ...]]:
    """IDF-weighted share of the question's terms that the entry knows; words nobody knows weigh the most."""
    known = snapshot.entry_tokens[entry_index]
    total = matched = 0.0
    unknown: list[str] = []
    for i, term in enumerate(terms):
        if term.token == MY and term.token not in known and terms[i + 1 : i + 2] and terms[i + 1].token == PARTNER:
            continue  # "my resellers" says whose partners, not what is asked (unless the entry is about the asker's)
        weight = snapshot.idf.get(term.token)
        if weight is None and _checked_number(snapshot, terms, i, entry_index):
            continue  # "until 30 September, right?", "only 2,000 partners?": a figure to check against the entry's
        if weight is None:
            # "the 15th or the 16th?", "150 employees": a number nobody gives is a detail to check, not the subject.
            weight = snapshot.unknown_idf * (NUMBER_WEIGHT if term.token.isdigit() else 1.0)
            unknown.append(term.word)
        elif term.token not in known and weight >= snapshot.specific_idf:
            # A word only one other entry uses is that entry's subject: as telling as a word nobody knows.
            weight = snapshot.unknown_idf
        total += weight
        if term.token in known:
            matched += weight * (CORRECTED_WEIGHT if term.corrected else 1.0)
        elif len(term.token) >= PREFIX_LEN and term.token[:PREFIX_LEN] in snapshot.entry_prefixes[entry_index]:
            matched += weight * PREFIX_WEIGHT
    return (matched / total if total else 0.0), tuple(unknown)


def _entry_scores(snapshot: _Snapshot, doc_scores: np.ndarray) -> np.ndarray:
    """Each entry's score: its best phrasing's, plus a share of the mean of its next two."""
    scores = np.zeros(len(snapshot.entries), dtype=np.float64)
    bounds = snapshot.entry_bounds
    for i in range(len(snapshot.entries)):
        ranked = np.sort(doc_scores[bounds[i] : bounds[i + 1]])[::-1].tolist()
        if ranked:
            runners = ranked[1:3]
            support = sum(runners) / len(runners) if runners else 0.0
            scores[i] = ranked[0] + SUPPORT_WEIGHT * support
    return scores


def _names_clash(snapshot: _Snapshot, terms: Sequence[Term], entry_index: int, doc_index: int) -> bool:
    """Say whether the question names someone the entry never mentions while the matched phrasing names another.

    "Who is the CEO of Linksys?" matches "Who is the CEO of Cisco?" on every word but one name: a different question.
    """
    named = {t.word for t in terms} & snapshot.analyzer.synonyms.exclusive
    foreign = named - snapshot.entry_names[entry_index]
    return bool(foreign) and bool(snapshot.doc_names[doc_index] - named)


def _foreign_names(snapshot: _Snapshot, text: str) -> bool:
    """Say whether the question names, with a capital inside a sentence, something the knowledge never mentions.

    "Who is the CEO of Juniper?" or "How many Cisco partners in France?": the article says nothing of either.
    (Partner names never get here: the bot looks them up before it searches the knowledge.)
    """
    vocabulary = snapshot.vocabulary
    return any(
        (folded := fold_word(word)) not in vocabulary.surfaces
        and vocabulary.stem_known(folded, "en") not in vocabulary.tokens  # "Pennells" is Pennell's
        and (folded not in STOPWORDS or word.isupper())  # "US", "IT": acronyms, not the pronoun
        and not folded.isdigit()
        and vocabulary.correct(folded, "en") not in snapshot.analyzer.synonyms.people  # "Penell" is Pennell
        for word in capitalised_inside(text)
    )


_NUMBER_NOUNS = frozenset(
    {"numbers", "figures", "figure", "stats", "statistics", "chiffre", "chiffres", "metrics", "kpi", "kpis", "count"}
)


def _counts_something_else(snapshot: _Snapshot, terms: Sequence[Term], entry_index: int) -> bool:
    """Say whether "how many X" asks for what the entry does not count.

    "How many employees" is no partner count, and an entry whose answer gives no number (a year is a date)
    counts nothing: "how many partners will leave?" is not about the one man who left.
    """
    if HOW_MANY not in {t.token for t in terms}:
        return False
    if not snapshot.entry_counts[entry_index]:
        return True
    # "How many Linksys partners…" counts partners: the names of whose they are do not say what is counted.
    names = snapshot.analyzer.synonyms.exclusive
    counted = [t for t in terms if t.word not in names]
    known = snapshot.entry_tokens[entry_index]
    # "un chiffre officiel": a noun for a number is followed by what it says of the number, not by what is counted.
    return any(
        term.token == HOW_MANY
        and term.word not in _NUMBER_NOUNS
        and i + 1 < len(counted)
        and counted[i + 1].token not in known
        for i, term in enumerate(counted)
    )


def _asks_predecessor_or_successor(snapshot: _Snapshot, text: str) -> bool:
    """Say whether a person's name follows before / after / avant / après: who came before or after them."""
    people = snapshot.analyzer.synonyms.people
    folded = [fold_word(w) for w in words(text)]
    return any(w in RELATIVE and people.intersection(folded[i + 1 : i + 3]) for i, w in enumerate(folded))


_ANTECEDENTS = frozenset({"ceux", "celles", "celui", "celle", "those", "one", "ones", "someone", "anyone"})
"""Stop words a "who" / « qui » after which is a relative clause: « ceux qui vendaient… », "anyone who…"."""


def _question_types(asked: frozenset[str], text: str) -> frozenset[str]:
    """The question types asked: "who" only when some who / qui does not just follow a noun (a relative clause)."""
    types = asked & QUESTION_TYPES
    if CONCEPT_PREFIX + "who" not in types:
        return types
    folded = [fold_word(w) for w in words(text)]
    relative = [
        i > 0 and (folded[i - 1] not in STOPWORDS or folded[i - 1] in _ANTECEDENTS)
        for i, w in enumerate(folded)
        if w in RELATIVE_WHO
    ]
    if relative and all(relative):
        return types - {CONCEPT_PREFIX + "who"}
    return types


def _query(snapshot: _Snapshot, text: str, lang: str) -> tuple[list[Term], frozenset[str]]:
    """The terms of `text` that are looked up, and the question types it asks."""
    terms = snapshot.analyzer.query_terms(text, lang, snapshot.vocabulary)
    if any(t.token != GREETING for t in terms):
        terms = [t for t in terms if t.token != GREETING]
    if _ALTERNATIVE.search(text) and {REGION, WORLDWIDE} <= {t.token for t in terms}:
        # "worldwide, or just France?": the region is the other half of a choice the worldwide figure settles.
        terms = [t for t in terms if t.token != REGION]
    types = _question_types(frozenset(t.token for t in terms), text)
    if WHO not in types:
        # "A partner who asks…": a relative clause, not a question about someone.
        terms = [t for t in terms if t.token != WHO] or terms
    return terms, types


def _doc_scores(snapshot: _Snapshot, terms: Sequence[Term]) -> npt.NDArray[Any]:
    """BM25 scores of every indexed phrasing for `terms`."""
    tokens = _unique([t.token for t in terms if t.token in snapshot.vocabulary.tokens])
    if not tokens or snapshot.retriever is None:
        return np.zeros(len(snapshot.doc_entry))
    return snapshot.retriever.get_scores(tokens)


def _beyond_the_entry(
    snapshot: _Snapshot,
    text: str,
    terms: Sequence[Term],
    types: frozenset[str],
    index: int,
    doc_scores: npt.NDArray[Any],
) -> bool:
    """Say whether the question asks what the entry at `index` cannot say, however closely its words match:
    a concept the article never answers, someone else's role, a date the entry does not give, the whole world's
    figures from our own records, another kind of question ("who" of a "why" entry), or who came before or after
    someone."""
    asked = frozenset(t.token for t in terms)
    best_doc = int(np.argmax(np.where(snapshot.doc_entry == index, doc_scores, -1.0)))
    return bool(
        # Unless an entry was added about it (an expert's answer on fees), an out-of-scope concept means no answer.
        (asked & snapshot.analyzer.synonyms.out_of_scope) - snapshot.entry_tokens[index]
        or _names_clash(snapshot, terms, index, best_doc)
        or (WHEN in asked and not snapshot.entry_dated[index])
        or (WORLDWIDE in asked and snapshot.entries[index].live in LIVE_OURS)
        or not types <= snapshot.entry_types[index]
        or _asks_predecessor_or_successor(snapshot, text)
    )


def admits(snapshot: _Snapshot, text: str, lang: str, slug: str) -> bool:
    """Say whether the entry `slug` may answer `text` as far as its meaning goes (`_beyond_the_entry`), for an entry
    chosen by other means than these words' scores, such as the classifier. The checks on the question's surface
    (capitalised words nobody knows, the word after "how many") are left out: they stop answers the words alone
    cannot place, and measured on the labelled sets they only ever stopped right answers of the classifier's."""
    index = next((i for i, e in enumerate(snapshot.entries) if e.slug == slug), None)
    if index is None or snapshot.retriever is None:
        return False
    terms, types = _query(snapshot, text, lang)
    return not _beyond_the_entry(snapshot, text, terms, types, index, _doc_scores(snapshot, terms))


def search(snapshot: _Snapshot, text: str, lang: str) -> Match:
    """The best entry for `text` in `lang` and whether it passes the confidence gate."""
    terms, types = _query(snapshot, text, lang)
    if not terms or snapshot.retriever is None:
        return Match(entry=None, score=0.0, margin=0.0, coverage=0.0, confident=False)
    doc_scores = _doc_scores(snapshot, terms)
    entry_scores = _entry_scores(snapshot, doc_scores)
    asked = frozenset(t.token for t in terms)
    order = [int(i) for i in np.argsort(-entry_scores, kind="stable")]
    # Among the closest few, prefer the entry that knows more of the question: BM25 favours short phrasings
    # that match one rare word; coverage says which entry explains the whole question.
    contenders = [i for i in order[:RERANK] if entry_scores[i] > 0] or order[:1]
    # "Why…?", "Who…?", "Your source for…?": among the closest, only an entry asked that way can answer.
    contenders = [i for i in contenders if types <= snapshot.entry_types[i]] or contenders
    covered = {i: _coverage(snapshot, terms, i) for i in contenders}
    best = max(contenders, key=lambda i: (round(covered[i][0] / COVERAGE_STEP), entry_scores[i]))
    # A near tie on both is broken by the question naming one entry's key concept ("la démarche": what to do).
    tied = [
        i
        for i in contenders
        if round(covered[i][0] / COVERAGE_STEP) == round(covered[best][0] / COVERAGE_STEP)
        and entry_scores[i] >= (1 - KEY_TIE) * entry_scores[best]
    ]
    keys = [_key_strength(snapshot, asked, i) for i in range(len(snapshot.entries))]
    naming = [i for i in tied if keys[i] > 0]
    if len(naming) == 1:
        best = naming[0]
    best_score = float(entry_scores[best])
    runner = next((i for i in order if i != best), None)
    runner_score = float(entry_scores[runner]) if runner is not None else 0.0
    margin = (best_score - runner_score) / best_score if best_score > 0 else 0.0
    coverage, unknown = covered[best]
    runner_coverage = covered[runner][0] if runner in covered else 0.0
    if coverage - runner_coverage >= COVERAGE_STEP:
        # Chosen because it knows clearly more of the question: that is a lead, whatever BM25 says.
        margin = max(margin, coverage - runner_coverage)
    confident = best_score > 0 and coverage >= MIN_COVERAGE and (margin >= MIN_MARGIN or coverage >= CLEAR_COVERAGE)
    if not confident:
        # Real questions carry many words the knowledge base never uses; one that names an entry's key concept,
        # clearly more strongly than any other entry's, is about that entry all the same.
        named = max(range(len(keys)), key=lambda i: (keys[i], entry_scores[i]))
        other_key = max((k for i, k in enumerate(keys) if i != named), default=0.0)
        if keys[named] > 0 and keys[named] >= KEY_LEAD * other_key:
            named_coverage = covered[named] if named in covered else _coverage(snapshot, terms, named)
            if named_coverage[0] >= KEY_MIN_COVERAGE and _only_words_unknown(named_coverage[1]):
                best, (coverage, unknown), confident = named, named_coverage, True
                best_score = max(float(entry_scores[best]), 1e-6)
    order.remove(best)
    order.insert(0, best)
    confident = (
        confident
        and not _beyond_the_entry(snapshot, text, terms, types, best, doc_scores)
        and not _foreign_names(snapshot, text)
        and not _counts_something_else(snapshot, terms, best)
    )
    suggestions = tuple(snapshot.entries[i] for i in order[:SUGGESTIONS] if entry_scores[i] > 0 or i == best)
    return Match(
        entry=snapshot.entries[best] if best_score > 0 else None,
        score=best_score,
        margin=margin,
        coverage=coverage,
        confident=confident,
        suggestions=suggestions,
        unknown_words=unknown,
        matched=tuple(t for t in terms if t.token in snapshot.entry_tokens[best]),
        terms=tuple(terms),
    )


class Retriever:
    """The current index, swapped whole when the knowledge changes, so searches never see a half-built one."""

    def __init__(self, entries: Sequence[Entry], analyzer: Analyzer | None = None) -> None:
        self._analyzer = analyzer or Analyzer()
        self._lock = threading.Lock()
        self._snapshot = build_snapshot(entries, self._analyzer)

    @property
    def entries(self) -> tuple[Entry, ...]:
        return self._snapshot.entries

    def rebuild(self, entries: Sequence[Entry]) -> None:
        """Index `entries` and make them the ones searched from now on."""
        snapshot = build_snapshot(entries, self._analyzer)
        with self._lock:
            self._snapshot = snapshot

    def says_nothing(self, text: str, lang: str) -> bool:
        """Say whether `text` holds nothing to look up: only stop words and phrases that are dropped."""
        snapshot = self._snapshot
        return not snapshot.analyzer.query_terms(text, lang, snapshot.vocabulary)

    def search(self, text: str, lang: str) -> Match:
        """The best entry for `text`, with the gate's verdict."""
        return search(self._snapshot, text, lang)

    def admits(self, text: str, lang: str, slug: str) -> bool:
        """Say whether no gate stops the entry `slug` from answering `text`."""
        return admits(self._snapshot, text, lang, slug)

    @property
    def synonyms(self) -> Synonyms:
        """The synonym table the index was built with."""
        return self._analyzer.synonyms

    @property
    def vocabulary(self) -> Vocabulary:
        """The words and tokens of the current index."""
        return self._snapshot.vocabulary

    def neutral_words(self) -> frozenset[str]:
        """Words the knowledge base uses in both languages (names): no hint of the asker's language."""
        return self._snapshot.neutral

    def entry(self, slug: str) -> Entry | None:
        """The entry with this slug, if any."""
        return next((e for e in self._snapshot.entries if e.slug == slug), None)
