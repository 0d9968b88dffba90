"""Answer questions: from live data, from the knowledge base, or "I don't know" and ask the experts."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import threading
from dataclasses import dataclass
from typing import Any

from bot.i18n import t
from bot.partners import resolver
from bot.qa import live
from bot.qa.classifier import SecondOpinion, shipped_classifier
from bot.qa.knowledge import Entry, StoredEntry, merge, shipped
from bot.qa.language import detect
from bot.qa.lexicon import lexicon
from bot.qa.retrieval import (
    CLEAR_COVERAGE,
    HOW_MANY,
    MIN_COVERAGE,
    MY,
    PARTNER,
    QUESTION_TYPES,
    WHEN,
    Match,
    Retriever,
)
from bot.qa.terms import (
    ASKED_FOCUS_MIN_WORDS,
    CONCEPT_PREFIX,
    FOCUS_MIN_WORDS,
    STOPWORDS,
    clauses,
    fold_word,
    name_spans,
    sentences_of,
    spelt_out,
    without_asker,
    words,
)
from bot.runtime import Runtime
from bot.slack_text import clean, escape
from storage import knowledge as store
from storage import partners as partners_store
from storage.models import Partner

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000
"""Longer texts are cut before matching (and kept whole in the log)."""
MAX_NAMES = 4
"""Possible partner names examined in one question: each costs a few searches, and a pasted thread holds dozens."""
MAX_OCCURRENCES = 3
"""Places a name is looked at for the words that introduce it ("my client Acme"): the first ones say it."""
INTRO_WINDOW = 60
"""Characters before a name read for the words that introduce it: the longest such phrase is under 40."""
STATUS_WINDOW = 300
"""Characters either side of a name that a long question is read in when it may ask for that partner's status."""
FUZZY_NAME_CHARS = 60
"""Longest name in a question compared loosely with every partner's: longer runs of capitalised words are no name."""
MAX_PARTS = 12
"""Parts (and sentences) of one message looked up on their own: a pasted thread would otherwise cost one search each."""
MAX_READINGS = 6
"""Readings of a question as "this partner's status" tried for one name."""


@dataclass(frozen=True)
class Decision:
    """What the engine makes of a question before anything is logged or sent."""

    lang: str
    outcome: str  # answered, unknown
    slug: str | None
    body: str
    source: str
    score: float
    suggestions: tuple[str, ...] = ()
    unanswered: tuple[str, ...] = ()
    """Parts of a several-part question that nobody knows: each goes to the experts on its own."""


class Engine:
    """The knowledge base indexed in memory, rebuilt when entries change (here or in another process)."""

    def __init__(self, stored: list[StoredEntry], version: tuple[int, dt.datetime | None]) -> None:
        self._lock = threading.Lock()
        self._version = version
        self.retriever = Retriever(merge(shipped(), stored))
        self.classifier = shipped_classifier()

    def refresh(self, rt: Runtime, *, force: bool = False) -> None:
        """Re-read the stored entries when their version changed (or always with `force`)."""
        with rt.db.session() as session:
            version = store.entries_version(session=session)
            if not force and version == self._version:
                return
            stored = _stored(session)
        with self._lock:
            if force or version != self._version:
                self.retriever.rebuild(merge(shipped(), stored))
                self._version = version
                log.info("knowledge base reindexed: %d entries", len(self.retriever.entries))

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry answered now: shipped and added in Slack."""
        return tuple(self.retriever.entries)

    def entry(self, slug: str) -> Entry | None:
        """The entry `slug`, or None."""
        return self.retriever.entry(slug)

    def language(self, text: str) -> str:
        """The asker's language."""
        return detect(text, neutral=self.retriever.neutral_words())


def _stored(session: Any) -> list[StoredEntry]:
    return [
        StoredEntry(
            slug=row.slug,
            questions_en=row.questions_en,
            questions_fr=row.questions_fr,
            answer_en=row.answer_en,
            answer_fr=row.answer_fr,
            source=row.source,
            origin=row.origin,
            active=row.active,
        )
        for row in store.list_entries(session=session)
    ]


_engine_lock = threading.Lock()


def engine(rt: Runtime) -> Engine:
    """The process's engine for this runtime, built on first use."""
    if rt.qa is None:
        with _engine_lock:
            if rt.qa is None:
                with rt.db.session() as session:
                    version = store.entries_version(session=session)
                    stored = _stored(session)
                rt.qa = Engine(stored, version)
                return rt.qa
    current: Engine = rt.qa
    current.refresh(rt)
    return current


def warm(rt: Runtime) -> None:
    """Load the word lists, the sentence encoder and the index of the knowledge base now, not at the first question."""
    engine(rt)
    rt.encoder.load()


# ---- deciding --------------------------------------------------------------------------------
def _residual(text: str, eng: Engine, named: frozenset[str]) -> str:
    """The words of `text` the knowledge base does not know: what is left is likely a partner's name."""
    vocabulary = eng.retriever.vocabulary
    kept = []
    for word in words(text):
        folded = fold_word(word)
        if folded in STOPWORDS or folded in named or folded in vocabulary.surfaces:
            continue
        kept.append(word)
    return " ".join(kept)


STATUS_COVERAGE = 0.9
"""Share of a question, its unknown name read as "this partner", that the status entry must know to look it up."""


def _unknown_names(eng: Engine, question: str) -> list[str]:
    """Capitalised runs of words that may be a partner's name, longest first.

    Not the names the article uses (Cisco, Linksys…), and not one word the knowledge base knows ("VARs", "Europe").
    """
    synonyms = eng.retriever.synonyms
    article_names = synonyms.exclusive | synonyms.people
    known = eng.retriever.vocabulary.surfaces
    found = []
    for span in name_spans(question, common=lambda word: word in STOPWORDS or word in known):
        folded = [fold_word(w) for w in words(span)]
        if all(w in article_names or w in STOPWORDS for w in folded) or (len(folded) == 1 and folded[0] in known):
            continue
        if span not in found:
            found.append(span)
            if len(found) == MAX_NAMES:
                break
    return found


_WRITTEN_WORD = re.compile(r"[^\W_][\w&]*")


def _uncapitalised_names(eng: Engine, question: str) -> list[str]:
    """Runs of words, as written, that may be a partner's name typed in lower case ("is bayside networks in?").

    A run holds two words or more, no stop word, no word the synonym table knows, and at least one word that
    neither the knowledge base nor the dictionary knows: "bayside networks" may be a name, "paperwork" is a word,
    and one word alone ("prog") is more likely shorthand than a name.
    """
    synonyms = eng.retriever.synonyms
    known = eng.retriever.vocabulary.surfaces
    is_word = lexicon().is_word
    runs: list[list[str]] = [[]]
    for found in _WRITTEN_WORD.finditer(question):
        word = found.group(0)
        folded = fold_word(word)
        if folded in STOPWORDS or (folded,) in synonyms.phrases or folded.isdigit():
            runs.append([])
        else:
            runs[-1].append(word)
    names = dict.fromkeys(
        " ".join(run)
        for run in sorted(runs, key=len, reverse=True)
        if len(run) >= 2 and any(fold_word(w) not in known and not is_word(fold_word(w)) for w in run)
    )
    return list(names)[:MAX_NAMES]


PARTNER_NOUNS = frozenset({PARTNER, CONCEPT_PREFIX + "customer", CONCEPT_PREFIX + "company"})
"""Concepts of the words that introduce a partner's or a customer's name: "my customer Bureau Vallée Pro…"."""
PARTNER_TERMS = frozenset({PARTNER, CONCEPT_PREFIX + "onepartner"})
_ALONE_MEANS_NOTHING = (
    PARTNER_TERMS | QUESTION_TYPES | {WHEN, HOW_MANY, MY, CONCEPT_PREFIX + "what", CONCEPT_PREFIX + "happen"}
)
"""Terms that alone make no question of a part: "when is it?", "what happens then?" lean on the part before."""


_NAMED = re.compile(r"(?:\b(?:my|our|mon|ma|notre)\s+)?\b(\w+)\W+$", re.IGNORECASE)
"""A partner or customer right before a name: "partner Acme", "my client Acme"."""
_PLACED = re.compile(
    r"\b(?:my|our|a|an|mon|ma|mes|notre|nos|un|une)\s+(\w+)\s+(?:in|from|at|based in|à|a|de|du|près de|pres de)\s+$",
    re.IGNORECASE,
)
"""A partner or customer and where they are: "my reseller in Lyon", « un revendeur de Lille »."""
_CALLED = re.compile(
    r"\b(?:called|named|s'appelle|s’appelle|s'appellent|s’appellent|nomm[ée]e?s?|appel[ée]e?s?|d[ée]nomm[ée]e?)\s+$",
    re.IGNORECASE,
)
"""A name introduced as a name: "they're called Acme", « un revendeur qui s'appelle Acme »."""


_HEAD_OF = re.compile(
    r"\b(?:the|an?|le|la|un|une)\s+(?:owner|md|managing director|founder|g[ée]rante?|patronne|patron|dirigeante?|"
    r"fondateur|fondatrice)\s+(?:of|at|from|de|du|d'|d’|chez)\s*$",
    re.IGNORECASE,
)
"""Who runs a company right before its name: "the owner of Acme", « le gérant de Acme »."""
_WHO = re.compile(r"\b(?:who|whom|qui)\b", re.IGNORECASE)
_MET = re.compile(
    r"\b(?:call|calls|appel|rdv|rendez-vous|r[ée]union|meeting|lunch|d[ée]jeuner|spoke|spoken|talked|chatted|"
    r"speaking|talking)\s+(?:with|to|avec|à)\s+$",
    re.IGNORECASE,
)
"""Whom one talks with, right before their name: "my call with Acme", « mon rdv avec Acme »."""


def _introduced(eng: Engine, question: str, span: str) -> str | None:
    """The phrase "partner Acme", "my client Acme", "my reseller in Lyon", "called Acme"… when `span` follows a word
    naming a partner or customer (a place only after "my", "a"…: "partners in Belgium" asks about Belgium).

    Also "the owner of Acme", unless the question asks who that is ("who owns…" is about Acme, not a story), and
    whom one talks with: "my call with Acme".
    """
    phrases = eng.retriever.synonyms.phrases
    who = _WHO.search(question)
    # Each pattern is anchored at the end of a short window: the work per place is bounded, whatever the length.
    occurrences = itertools.islice(re.finditer(re.escape(span), question), MAX_OCCURRENCES)
    for at in (m.start() for m in occurrences):
        start = max(0, at - INTRO_WINDOW)
        before = question[start:at]
        called = _CALLED.search(before)
        if called and fold_word(span.split()[0]) not in eng.retriever.synonyms.exclusive:  # "called Cisco Select"
            return called.group(0) + span
        head = _HEAD_OF.search(before)
        if head and not (who and who.start() < start + head.start()):
            return head.group(0) + span
        met = _MET.search(before)
        if met:
            return met.group(0) + span
        for pattern in (_NAMED, _PLACED):
            found = pattern.search(before)
            if found and phrases.get((fold_word(found.group(1)),)) in PARTNER_NOUNS:
                return found.group(0) + span
    return None


def _without_partner_names(eng: Engine, question: str, names: list[str]) -> str:
    """The question without the `names` right after "partner", "client"…: who asks is not what is asked.

    "My customer Bureau Vallée Pro asks what to do" asks what to do; left in, the name would read as a
    company the article never mentions.
    """
    for span in names:
        named = _introduced(eng, question, span)
        if named:
            # "…a VAR in Leeds who swears it closes end of September": the "who" after them goes with them.
            question = re.sub(re.escape(named) + r"(?:\s+(?:who|qui)\b)?", " ", question)
    return question


_PRONOUN = re.compile(
    r"\b(?:they|them|their|it|its|he|his|she|her|il|ils|elle|elles|son|sa|ses|leur|leurs|lui|c'est|c’est)\b",
    re.IGNORECASE,
)


def _around(question: str, span: str) -> str:
    """The part of a long `question` around where it first names `span`: a status question is asked near the name."""
    if len(question) <= 2 * STATUS_WINDOW:
        return question
    at = max(0, question.find(span))
    return question[max(0, at - STATUS_WINDOW) : at + len(span) + STATUS_WINDOW]


THIS_PARTNER = {"en": "this partner", "fr": "ce partenaire"}
"""What a partner's name is read as when matching a status question: words to match, never shown."""


def _status_readings(question: str, named: str, lang: str) -> list[str]:
    """The ways `question` may ask for the status of the partner `named`, read as "this partner".

    "Is this partner registered? Their manager swears it is": the question may be one sentence of several.
    « Le gérant d'Acme m'a appelé, il veut savoir si son inscription est passée »: once who asks is dropped, a
    pronoun points back at the partner named before.
    """
    this = THIS_PARTNER.get(lang, THIS_PARTNER["en"])
    pointed = without_asker(question.replace(named, this))
    readings = [pointed, *clauses(pointed)]
    stripped = without_asker(question)
    if named not in stripped:
        readings += [stripped, *clauses(stripped)]
    readings += [f"{this} {text}" for text in readings if this not in text and _PRONOUN.search(text)]
    return list(dict.fromkeys(readings))[: 1 + MAX_READINGS]


def _beyond_the_article(eng: Engine, found: Match) -> bool:
    """Say whether a question names something the article never answers (a link, a price, what happens if late…)."""
    return bool({t.token for t in found.terms} & eng.retriever.synonyms.out_of_scope)


def _is_status_question(eng: Engine, found: Match) -> bool:
    """Say whether a question clearly asks for a partner's status: the status entry knows nearly all of it.

    Knowing "this partner" and "partners" is not enough: "Is Netgear doing the same with its partners?" asks
    nothing about a registration.
    """
    names = eng.retriever.synonyms.exclusive
    return (
        found.answered
        and found.entry is not None
        and found.entry.live == "partner_status"
        and found.coverage >= STATUS_COVERAGE
        and any(t.token not in PARTNER_TERMS and t.word not in names for t in found.matched)
    )


def entry_answer(rt: Runtime, entry: Entry, lang: str, user_id: str) -> tuple[str, str]:
    """The answer text and source of `entry` in `lang`, computed now for live entries."""
    if entry.live == "deadline":
        return live.deadline(rt, lang), entry.source(lang)
    if entry.live == "days_left":
        return live.days_left(rt, lang), entry.source(lang)
    if entry.live == "progress":
        return live.progress(rt, lang), entry.source(lang)
    if entry.live == "my_partners":
        return live.my_partners(rt, lang, user_id), entry.source(lang)
    return escape(entry.answer(lang)), entry.source(lang)


def _partner_answer(rt: Runtime, partners: tuple[Partner, ...], lang: str, source: str) -> Decision:
    return Decision(
        lang=lang,
        outcome="answered",
        slug="partner_status",
        body=live.partner_status(partners, lang),
        source=source,
        score=1.0,
    )


def _resolve_partner(rt: Runtime, reference: str, lang: str, source: str) -> Decision:
    """A status answer for the partner `reference` names, a choice, or the closest names."""
    with rt.db.session() as session:
        if len(reference) > FUZZY_NAME_CHARS:
            # No name is this long: comparing it with every partner's would cost the most and find nothing.
            found = resolver.resolve_exact(session, reference) or resolver.Missing(reference, ())
        else:
            found = resolver.resolve(session, reference)
        if isinstance(found, resolver.Found):
            return _partner_answer(rt, (found.partner,), lang, source)
        keys = [c.key for c in found.candidates] if isinstance(found, resolver.Ambiguous) else []
        partners = tuple(partners_store.partners_by_keys(session=session, keys=keys))
        closest = found.closest if isinstance(found, resolver.Missing) else ()
    shown = escape(reference)
    if partners:
        head = t("qa.several_partners", lang, name=shown)
        body = head + "\n" + live.partner_status(partners, lang)
    else:
        body = t("qa.no_partner", lang, name=shown)
        if closest:
            names = ", ".join(f"*{escape(c.name)}* (`{escape(c.partner_id)}`)" for c in closest)
            body += " " + t("qa.closest", lang, names=names)
    return Decision(lang=lang, outcome="answered", slug="partner_status", body=body, source=source, score=0.5)


def _answerable(match: Match) -> bool:
    # A partner's status needs a partner: one it could not find by name is not a question it can answer.
    return match.answered and match.entry is not None and match.entry.live != "partner_status"


def _answer(rt: Runtime, known: list[tuple[Match, str]], unknown: list[str], lang: str, user_id: str) -> Decision:
    """One answer to the entries found (each once), with the parts of the question nobody knows named."""
    entries = list({m.entry.slug: m.entry for m, _ in known if m.entry is not None}.values())
    answers = [entry_answer(rt, entry, lang, user_id) for entry in entries]
    bodies = [body for body, _ in answers]
    for part in unknown:
        shown = escape(part)
        bodies.append(t("qa.unknown_part", lang, part=shown))
    return Decision(
        lang=lang,
        outcome="answered",
        slug=entries[0].slug,
        body="\n\n".join(bodies),
        source=" · ".join(dict.fromkeys(source for _, source in answers if source)),
        score=min(m.coverage for m, _ in known),
        unanswered=tuple(unknown),
    )


def _answer_parts(rt: Runtime, parts: list[tuple[Match, str]], lang: str, user_id: str) -> Decision:
    """The answers to the parts of a question it knows, naming the parts it does not."""
    known = [(found, part) for found, part in parts if _answerable(found)]
    return _answer(rt, known, [part for found, part in parts if not _answerable(found)], lang, user_id)


CLEARER_PART = 0.3
"""How much more of the question's one asking sentence an entry must know than of the whole message to answer it."""


_ASIDE = re.compile(r"\s*\((?:(?:[^()\s]+\s+){4,}[^()]*|[^()]*!)\)")


def _without_asides(text: str) -> str:
    """`text` without the story it tells in brackets: « Mon client (partenaire depuis 5 ans, 8 personnes) demande… ».

    Short brackets stay: "(Select, Premier, Gold)" or "(MDF)" say what is asked about.
    """
    stripped = _ASIDE.sub("", text)
    return stripped if len(stripped.split()) >= FOCUS_MIN_WORDS else text


PLAIN_SENTENCE = 0.8
"""Coverage of the one sentence of a message that is answered when the message as a whole is not."""


def _plain_sentence(eng: Engine, text: str, lang: str) -> Match | None:
    """The answer to the one sentence of `text` that plainly asks something known, the others being context.

    « Mon client me demande ce qu'il doit faire avant l'échéance. Il a reçu un mail mais n'a rien compris. Je lui
    dis quoi ? »: the question comes first. Not when another sentence asks a question of its own ("What's the URL
    of the form? Partner can't find it" asks for the URL).
    """
    found = [
        (eng.retriever.search(sentence, lang), sentence, asked) for sentence, asked in sentences_of(text)[:MAX_PARTS]
    ]
    found = [(match, sentence, asked) for match, sentence, asked in found if match.terms]
    plain = [
        match
        for match, sentence, _ in found
        if _answerable(match)
        and match.coverage >= PLAIN_SENTENCE
        and len(match.matched) >= 2
        and len(sentence.split()) >= ASKED_FOCUS_MIN_WORDS
    ]
    others_ask = any(asked and match is not plain[0] for match, _, asked in found) if len(plain) == 1 else True
    return plain[0] if len(found) > 1 and not others_ask else None


_ANAPHOR = re.compile(r"\b(?:that|this|it|those|these|them|there|ça|ca|cela|ceci)\b", re.IGNORECASE)
SHORT_PART_WORDS = 4
"""A part this short that says "that" or « ça » points back at the part before: "…extend it for them? Who decides
that?" asks who decides the extension."""


def _stands_alone(eng: Engine, part: str, found: Match, whole: Match, *, first: bool) -> bool:
    """Say whether a part of a message asks something of its own.

    "Is there a webinar about the transition? When is it?": the second part leans on the first; only the whole
    message, pointing at the same entry, says what it asks ("…a cutoff to sign up with Cisco. What's the date?").
    The first part has nothing before it to lean on: « Pourquoi Cisco fait ça ? » asks about the transition. A
    message that names what the article never says ("…extend the deadline for them? Who decides that?") is not
    answered by the part that leans on it.
    """
    leans = all(t.token in _ALONE_MEANS_NOTHING for t in found.terms) or (
        not first and len(part.split()) <= SHORT_PART_WORDS and _ANAPHOR.search(part) is not None
    )
    return bool(found.terms) and (not leans or (found.entry is whole.entry and not _beyond_the_article(eng, whole)))


_PERSON_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|lui|elle)\b", re.IGNORECASE)


def _with_person(eng: Engine, part: str, before: str) -> str:
    """`part` with the person it says "her" or « lui » of, when the message names one person of the article before it.

    "…he kept name-dropping Sue Bostrom like I should know her. who is she?" asks who Sue Bostrom is.
    """
    people = eng.retriever.synonyms.people
    if not _PERSON_PRONOUN.search(part) or any(fold_word(word) in people for word in words(part)):
        return part
    # Only the text just before is read: "her" points back a few sentences, not through a whole pasted thread.
    recent = before[-2 * STATUS_WINDOW :]
    named = {span for span in name_spans(recent) if all(fold_word(word) in people for word in words(span))}
    return f"{part} ({named.pop()})" if len(named) == 1 else part


def _parts(eng: Engine, asked: str, lang: str) -> list[tuple[str, bool]]:
    """The questions of the message `asked`, each with whether it comes first in it."""
    found = []
    offset = 0
    for part in clauses(asked, lambda sentence: eng.retriever.says_nothing(sentence, lang))[:MAX_PARTS]:
        # The parts come in order: looking from the previous one on keeps the scan linear.
        at = asked.find(part, offset)
        at = asked.find(part) if at < 0 else at
        offset = max(offset, at)
        found.append((_with_person(eng, part, asked[:at]) if at > 0 else part, at <= 0))
    return found


def _clearer_alone(part: tuple[Match, str], asked: str, whole: Match) -> bool:
    """Say whether the one question of a longer message is better answered alone than with its context.

    "What is expected of a reseller before the cutoff? Just want to brief them right": without the context, the
    question says more clearly what it asks; unless it leans on that context ("…what's the story there?").
    """
    found, text = part
    return (
        text != asked
        and _answerable(found)
        # One word known is too little to override the whole, unless the part leans on nothing before it
        # ("J-combien ?", not "which year was it?", "what's the story there?") and the whole is only half known.
        and (
            len(found.matched) >= 2
            or (found.coverage >= CLEAR_COVERAGE and whole.coverage < MIN_COVERAGE and not _ANAPHOR.search(text))
        )
        and (
            not _answerable(whole)
            or found.coverage >= whole.coverage + CLEARER_PART
            or (found.coverage >= whole.coverage and found.score > whole.score)
        )
    )


def decide(rt: Runtime, text: str, *, user_id: str, classifier: SecondOpinion | None = None) -> Decision:
    """Work out the answer to `text` without logging or sending anything (`classifier` stands in for the
    engine's second opinion: the evaluation asks one that never learnt the set it measures)."""
    eng = engine(rt)
    question = spelt_out(clean(text)[:MAX_QUESTION_CHARS])
    lang = eng.language(question)
    names = _unknown_names(eng, question)
    decision = _by_the_rules(rt, eng, question, lang, user_id, names)
    second = classifier or eng.classifier
    return decision if second is None else _second_opinion(rt, eng, second, question, names, decision, user_id)


def _looked_up(eng: Engine, question: str, names: list[str]) -> str:
    """What is looked up in the knowledge base: the question without asides, the asker's framing, partners' names."""
    return _without_partner_names(eng, without_asker(_without_asides(question)), names)


def _by_the_rules(rt: Runtime, eng: Engine, question: str, lang: str, user_id: str, names: list[str]) -> Decision:
    """The answer the question's words lead to: a partner it names, the entries it matches, or "I don't know".

    `names` are the capitalised words the knowledge base does not know (`_unknown_names`): maybe partners."""
    status_entry = eng.retriever.entry("partner_status")
    data_source = status_entry.source(lang) if status_entry else ""
    mention = live.partners_mentioned(rt, question)
    if mention.partners:
        return _partner_answer(rt, mention.partners, lang, data_source)
    # "Where is Acme at?": the words the knowledge base does not know may be a partner's name.
    reference = _residual(question, eng, mention.words)
    if reference:
        with rt.db.session() as session:
            strict = resolver.resolve_exact(session, reference) or resolver.resolve_prefix(session, reference)
        if isinstance(strict, resolver.Found):
            return _partner_answer(rt, (strict.partner,), lang, data_source)
    # "Is Techno Distrib SARL registered yet?": a capitalised name the bot does not know yet, in a question that asks
    # for a partner's status once the name reads "this partner", gets the closest partners or "no such partner".
    for span in names or _uncapitalised_names(eng, question):
        named = _introduced(eng, question, span) or span
        pointed, *readings = _status_readings(_around(question, span), named, lang)
        found = eng.retriever.search(pointed, lang)
        # "C'est sur Partner Central qu'on s'inscrit ? t'as le lien ?" asks for a link, whatever one part says.
        others = () if _beyond_the_article(eng, found) else (eng.retriever.search(text, lang) for text in readings)
        if _is_status_question(eng, found) or any(_is_status_question(eng, other) for other in others):
            return _resolve_partner(rt, span, lang, data_source)
    asked = _looked_up(eng, question, names)
    match: Match = eng.retriever.search(asked, lang)
    # "…is expected from us? What do I tell her?": a part that holds nothing to look up is not a question.
    parts = [
        (found, part)
        for i, (part, first) in enumerate(_parts(eng, asked, lang))
        if _stands_alone(eng, part, found := eng.retriever.search(part, lang), match, first=i == 0 and first)
    ]
    if any(_clearer_alone(part, asked, match) for part in parts):
        return _answer_parts(rt, parts, lang, user_id)
    if _answerable(match):
        return _answer(rt, [(match, asked)], [], lang, user_id)
    # "Who is the CEO, and what is his salary?": answer the parts it knows, say which part it does not.
    if [part for _, part in parts] != [asked] and any(_answerable(found) for found, _ in parts):
        return _answer_parts(rt, parts, lang, user_id)
    plain = _plain_sentence(eng, asked, lang)
    if plain is not None:
        return _answer(rt, [(plain, asked)], [], lang, user_id)
    suggestions = tuple(e.questions(lang)[0] for e in match.suggestions if e.questions(lang) and e.slug != "help")
    return Decision(
        lang=lang,
        outcome="unknown",
        slug=match.entry.slug if match.entry else None,
        body="",
        source="",
        score=match.coverage,
        suggestions=suggestions,
    )


SECOND_OPINION_MARGIN = 0.5
"""How far the classifier's entry must lead its runner-up to overrule the rules (decision-function units)."""
RESCUE_MARGIN = 0.7
"""The same lead, for an answer where the rules found none."""


def _second_opinion(
    rt: Runtime,
    eng: Engine,
    classifier: SecondOpinion,
    question: str,
    names: list[str],
    decision: Decision,
    user_id: str,
) -> Decision:
    """The classifier's reading where it differs from the rules' and clearly leads its runner-up.

    An answer from an entry added in Slack stands (the classifier never learnt it), and so does the answer to a
    several-part question that names a part nobody knows. A partner's status needs a partner's name. Where the rules
    found no answer, the classifier's entry must pass the gates that stop any answer ("When did Ian Pennell join
    Cisco?" is about him, but his entry gives no date); where they found one, the question's words led there already."""
    mine = decision.slug if decision.outcome == "answered" else None
    if (mine is not None and mine not in classifier.slugs) or decision.unanswered:
        return decision
    if mine == "partner_status":
        # The rules found a partner's name inside a question about a status: the partner's words, not the
        # classifier's features, say more about that ("Where does Northgate Connect Ltd currently stand?").
        return decision
    opinion = classifier.opinion(question)
    if opinion.slug == mine or opinion.margin < (SECOND_OPINION_MARGIN if mine else RESCUE_MARGIN):
        return decision
    lang = decision.lang
    if opinion.slug is None:
        nearest = eng.retriever.entry(mine) if mine else None
        offered = nearest.questions(lang)[:1] if nearest is not None and nearest.slug != "help" else ()
        return Decision(lang=lang, outcome="unknown", slug=mine, body="", source="", score=0.0, suggestions=offered)
    entry = eng.retriever.entry(opinion.slug)
    if entry is None:
        return decision
    if entry.live == "partner_status":
        named = names or _uncapitalised_names(eng, question)
        return _resolve_partner(rt, named[0], lang, entry.source(lang)) if named else decision
    if mine is None and not eng.retriever.admits(_looked_up(eng, question, names), lang, entry.slug):
        return decision
    body, source = entry_answer(rt, entry, lang, user_id)
    return Decision(lang=lang, outcome="answered", slug=entry.slug, body=body, source=source, score=opinion.margin)
