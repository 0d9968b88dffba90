"""Answer questions: from live data, from the knowledge base, or "I don't know".

The engine measures a question against every entry (bot/qa/index.py) and a learned ranker (bot/qa/ranker.py) says
how likely each candidate answers it; below one threshold, the bot says it does not know. What stays written by
hand is the grammar around it: partners' names, and messages that ask several things at once.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.i18n import current, t
from bot.partners import resolver
from bot.progress import with_deadline_set_here
from bot.qa import live
from bot.qa.index import Example, Index, features
from bot.qa.knowledge import Entry, StoredEntry, merge, shipped, stored_entry
from bot.qa.language import detect
from bot.qa.learning import as_examples, relabelled, shipped_labelled
from bot.qa.ranker import Ranker
from bot.qa.semantic import Encoder
from bot.qa.terms import clauses, core, fold_word, name_spans, words
from bot.qa.training import Fit, shipped_fit
from bot.runtime import Runtime
from bot.slack_text import clean, escape
from storage import knowledge as store
from storage import partners as partners_store
from storage.models import Partner

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
"""Characters of a message read: longer ones are cut (Slack allows 40,000)."""
MAX_NAMES = 4
"""Capitalised names examined as possible partners in one question."""
FUZZY_NAME_CHARS = 60
"""Longest name compared with every partner's; no partner's name is longer."""
MAX_PARTS = 6
"""Questions of one message looked up on their own."""
SUGGESTIONS = 3
STATUS = "partner_status"
THIS_PARTNER = {"en": "this partner", "fr": "ce partenaire"}
"""What a partner's name is read as when asking whether a question is about a partner's status."""


@dataclass(frozen=True)
class Decision:
    """What the engine makes of a question before anything is logged or sent."""

    lang: str
    outcome: str  # answered, unknown
    slug: str | None
    body: str = ""
    source: str = ""
    score: float = 0.0
    suggestions: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()
    """Parts of a several-part question that nobody knows: each goes to the experts on its own."""


@dataclass(frozen=True)
class Choice:
    """The ranker's best entry for a text, how likely it answers, and the runners-up."""

    entry: Entry
    likelihood: float
    answered: bool
    ranked: tuple[Entry, ...]


class Engine:
    """The knowledge base indexed in memory with the ranker's fit, rebuilt when either changes in any process."""

    def __init__(
        self,
        encoder: Encoder,
        *,
        entries: Sequence[Entry] | None = None,
        examples: Sequence[Example] | None = None,
        fit: Fit | None = None,
        stored: Knowledge | None = None,
    ) -> None:
        """An engine on the shipped knowledge and what the database holds (`stored`), or on other `entries`,
        `examples` and `fit` (for evaluation)."""
        self._lock = threading.Lock()
        self.encoder = encoder
        seed = shipped()
        self._seed = seed if entries is None else dataclasses.replace(seed, entries=tuple(entries))
        self._examples = list(examples) if examples is not None else as_examples(shipped_labelled())
        self._fit_version: Any = None
        self.fit = fit or shipped_fit()
        self._pinned = fit is not None
        self._version: Any = None
        self._reindex(stored or Knowledge(None, [], []))

    def _reindex(self, stored: Knowledge) -> None:
        index = Index(merge(self._seed, stored.entries), relabelled(self._examples, stored.examples), self.encoder)
        self.index, self._by_slug = index, {entry.slug: entry for entry in index.entries}
        self._version = stored.version

    @property
    def ranker(self) -> Ranker:
        """The fit that matches the index's signals: with meaning if the model loaded, else words only."""
        return self.fit.semantic if self.index.semantic else self.fit.lexical

    def refresh(self, rt: Runtime, *, force: bool = False) -> None:
        """Re-read entries, examples and the fit when their version changed (or always with `force`).

        One thread rebuilds while the others wait for it: two indexes at once would cost twice the memory."""
        with self._lock:
            with rt.db.session() as session:
                version, fit_id = store.knowledge_state(session=session)
                stored = _knowledge(session, version) if force or version != self._version else None
                newer = not self._pinned and fit_id != self._fit_version
                fitted = store.latest_fit(session=session) if newer else None
            if fitted is not None:
                self.fit = Fit.from_json(fitted.payload)
                self._fit_version = fitted.id
                log.info("answer ranker fitted at %s picked up", fitted.fitted_at.isoformat())
            if stored is not None:
                self._reindex(stored)
                log.info("knowledge base reindexed: %d entries, %d examples", len(self.entries), len(stored.examples))

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry answered now: shipped and added in Slack."""
        return self.index.entries

    def entry(self, slug: str) -> Entry | None:
        """The entry `slug`, or None."""
        return self._by_slug.get(slug)

    def language(self, text: str, default: str = "en") -> str:
        """The asker's language (`default` when the text does not tell: "👍", "Cisco ?")."""
        return detect(text, default=default, neutral=self.index.neutral)

    def choose(self, text: str, lang: str, vector: np.ndarray | None = None) -> Choice:
        """The entry most likely to answer `text` (whose sentence vector may be given), and whether it is likely
        enough to answer with."""
        index, ranker = self.index, self.ranker
        signals = index.measure(text, lang, vector)
        candidates = signals.candidates()
        rows = features(signals, candidates, semantic=index.semantic)
        likelihood = ranker.probability(rows)
        order = np.argsort(-likelihood, kind="stable")
        best = float(likelihood[order[0]])
        ranked = tuple(index.entries[candidates[i]] for i in order)
        return Choice(ranked[0], best, best >= ranker.threshold, ranked)


@dataclass(frozen=True)
class Knowledge:
    """What the database adds to the shipped knowledge, at one version."""

    version: Any
    entries: list[StoredEntry]
    examples: list[Example]


def _knowledge(session: Any, version: Any) -> Knowledge:
    entries = [stored_entry(row) for row in store.list_entries(session=session)]
    examples = [Example(e.text, e.lang, e.slug) for e in store.list_examples(session=session)]
    return Knowledge(version, entries, examples)


_engine_lock = threading.Lock()


def engine(rt: Runtime) -> Engine:
    """The process's engine for this runtime, built on first use and kept up to date."""
    if rt.qa is None:
        with _engine_lock:
            if rt.qa is None:
                with rt.db.session() as session:
                    stored = _knowledge(session, store.entries_version(session=session))
                rt.qa = Engine(rt.encoder, stored=stored)
    current: Engine = rt.qa
    current.refresh(rt)
    return current


def fit_in_use(rt: Runtime) -> str:
    """When the ranker this process answers with was fitted: "shipped" for the fit shipped with the bot."""
    current: Engine | None = rt.qa
    fitted = current.fit.fitted_at if current is not None else None
    return fitted.isoformat() if fitted else "shipped"


def warm(rt: Runtime) -> None:
    """Load the sentence model, the language word lists and the index now, so the first question waits for none."""
    rt.encoder.load()
    engine(rt).language("warm")


# ---- partners' names -------------------------------------------------------------------------------
def _unknown_names(eng: Engine, question: str) -> list[str]:
    """Capitalised runs of words that the knowledge base never uses: maybe a partner's name, longest first."""
    known = eng.index.surfaces
    found: list[str] = []
    for span in name_spans(question, common=lambda word: word in known):
        if all(fold_word(word) in known for word in words(span)) or span in found:
            continue
        found.append(span)
        if len(found) == MAX_NAMES:
            break
    return found


def _about_status(eng: Engine, question: str, name: str, lang: str) -> bool:
    """Say whether `question` asks for the status of the partner `name`, read as "this partner"."""
    reading = question.replace(name, THIS_PARTNER.get(lang, THIS_PARTNER["en"]), 1)
    choice = eng.choose(reading, lang)
    return choice.answered and choice.entry.live == STATUS


def entry_answer(rt: Runtime, entry: Entry, lang: str, user_id: str) -> tuple[str, str]:
    """The answer text and source of `entry` in `lang`, computed now for live entries."""
    computed = {"deadline": live.deadline, "days_left": live.days_left, "progress": live.progress}
    computed["my_partners"] = functools.partial(live.my_partners, user_id=user_id)
    body = computed[entry.live](rt, lang) if entry.live in computed else escape(entry.answer(lang))
    return with_deadline_set_here(body, rt.settings.transition_deadline, lang), entry.source(lang)


def _partner_answer(partners: tuple[Partner, ...], lang: str, source: str, score: float = 1.0) -> Decision:
    return Decision(lang, "answered", STATUS, live.partner_status(partners, lang), source, score)


def _resolve_partner(rt: Runtime, reference: str, lang: str, source: str) -> Decision:
    """A status answer for the partner `reference` names, a choice, or the closest names."""
    with rt.db.session() as session:
        if len(reference) > FUZZY_NAME_CHARS:
            found = resolver.resolve_exact(session, reference) or resolver.Missing(reference, ())
        else:
            found = resolver.resolve(session, reference)
        if isinstance(found, resolver.Found):
            return _partner_answer((found.partner,), lang, source)
        keys = [c.key for c in found.candidates] if isinstance(found, resolver.Ambiguous) else []
        partners = tuple(partners_store.partners_by_keys(session=session, keys=keys))
        closest = found.closest if isinstance(found, resolver.Missing) else ()
    shown = escape(reference)
    if partners:
        body = t("qa.several_partners", lang, name=shown) + "\n" + live.partner_status(partners, lang)
    else:
        body = t("qa.no_partner", lang, name=shown)
        if closest:
            names = ", ".join(f"*{escape(c.name)}* (`{escape(c.partner_id)}`)" for c in closest)
            body += " " + t("qa.closest", lang, names=names)
    return Decision(lang=lang, outcome="answered", slug=STATUS, body=body, source=source, score=0.5)


def _about_partner(rt: Runtime, eng: Engine, question: str, whole: Choice, lang: str) -> Decision | None:
    """The status of the partner a question names, when it asks for one: the partner is named exactly, or a name the
    knowledge base does not know reads as "this partner" in a status question that the whole message may be."""
    status = eng.entry(STATUS)
    source = status.source(lang) if status else ""
    mention = live.partners_mentioned(rt, question)
    if mention.partners:
        return _partner_answer(mention.partners, lang, source)
    if whole.entry is not status:
        return None  # "Is Netgear doing the same with its partners?" is about Netgear, not a partner's status
    names = _unknown_names(eng, question)
    if whole.answered and names:
        return _resolve_partner(rt, names[0], lang, source)  # the longest name the knowledge base does not know
    for name in names:
        if _about_status(eng, question, name, lang):
            return _resolve_partner(rt, name, lang, source)
    return None


# ---- deciding --------------------------------------------------------------------------------------
def _answerable(choice: Choice) -> bool:
    """Say whether a choice is an answer: a partner's status needs a partner, and none was found by name."""
    return choice.answered and choice.entry.live != STATUS


def _answered(rt: Runtime, choices: list[tuple[Choice, str]], unknown: list[str], lang: str, user_id: str) -> Decision:
    """The answers of the entries chosen, in order, each once, then the parts of the message nobody knows."""
    entries = list({choice.entry.slug: choice.entry for choice, _ in choices}.values())
    answers = [entry_answer(rt, entry, lang, user_id) for entry in entries]
    bodies = [body for body, _ in answers] + [t("qa.unknown_part", lang, part=escape(part)) for part in unknown]
    return Decision(
        lang=lang,
        outcome="answered",
        slug=entries[0].slug,
        body="\n\n".join(bodies),
        source=" · ".join(dict.fromkeys(source for _, source in answers if source)),
        score=min(choice.likelihood for choice, _ in choices),
        unanswered=tuple(unknown),
    )


def decide(rt: Runtime, text: str, *, user_id: str, eng: Engine | None = None) -> Decision:
    """Work out the answer to `text` without logging or sending anything (`eng`: another engine, for evaluation).

    A message that asks several things is answered part by part: the parts the bot knows, then the parts it does
    not (they go to the experts). Otherwise the whole message is one question, its story included.
    """
    eng = eng or engine(rt)
    question = clean(text)[:MAX_QUESTION_CHARS]
    lang = eng.language(question, default=current().value)  # the reader's, when the question does not tell
    asked = clauses(question)
    # One question after its story: the question alone, encoded with the rest (a batch costs what one text does).
    alone = [core(asked[0])] if len(asked) == 1 and core(asked[0]) != asked[0] else []
    texts = [question, *(asked[:MAX_PARTS] if len(asked) > 1 else alone)]
    vectors = eng.index.vectors(texts)
    whole = eng.choose(question, lang, vectors[0])
    if (partner := _about_partner(rt, eng, question, whole, lang)) is not None:
        return partner
    asks = [] if alone else zip(texts[1:], vectors[1:], strict=True)
    parts = [(eng.choose(part, lang, vector), part) for part, vector in asks]
    # Greetings and help (entries with no source) answer a message, never one part of it ("… tu sais ?").
    known = [(choice, part) for choice, part in parts if _answerable(choice) and choice.entry.source(lang)]
    if known:
        # A part that asks again what the answer says ("…early August right? the 8th?") is no unknown question.
        answered = {choice.entry.slug for choice, _ in known}
        unknown = [part for choice, part in parts if not _answerable(choice) and choice.entry.slug not in answered]
        return _answered(rt, known, unknown[:MAX_PARTS], lang, user_id)
    if _answerable(whole):
        return _answered(rt, [(whole, question)], [], lang, user_id)
    # The story diluted every signal of the whole message: the question alone may be one the bot knows.
    trimmed = eng.choose(alone[0], lang, vectors[-1]) if alone else whole
    if _answerable(trimmed) and trimmed.entry.source(lang):
        return _answered(rt, [(trimmed, question)], [], lang, user_id)
    suggestions = tuple(e.questions(lang)[0] for e in whole.ranked[:SUGGESTIONS] if e.source(lang) and not e.live)
    return Decision(
        lang=lang, outcome="unknown", slug=whole.entry.slug, score=whole.likelihood, suggestions=suggestions
    )
