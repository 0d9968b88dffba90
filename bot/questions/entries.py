"""Knowledge entries as the experts' and admins' pickers offer them: which may be chosen, ranked by what is typed."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from bot.errors import BadInput
from bot.i18n import current, t
from bot.qa.knowledge import Entry
from bot.qa.service import engine
from bot.questions import builders
from bot.questions.builders import EntryChoice
from bot.runtime import Runtime
from bot.slack_text import clean, escape
from storage.folding import fold

QUERY_MAX = 200
"""Characters of a typed search read: a picker's search box holds a few words."""
WORDS_MAX = 8
"""Different words of a typed search matched: each costs a pass over every phrasing, while Slack waits for the ack."""
_WORD = re.compile(r"[^\W_]+")  # `nigel_lawson` and `expert-q12` are two words each


def pickable(entries: Iterable[Entry]) -> list[Entry]:
    """The entries a question may be pointed at: all but a partner's status, whose answer needs a partner's name."""
    return [entry for entry in entries if entry.live != "partner_status"]


def chosen(rt: Runtime, slug: str) -> Entry:
    """The entry a picker's choice names; a slug no picker offers gets a refusal."""
    entry = engine(rt).entry(slug) if slug else None
    if entry is None or not pickable([entry]):
        raise BadInput(t("qa.no_such_entry", slug=escape(slug[:100])), hint=t("qa.no_such_entry_hint"))
    return entry


def written_in(entry: Entry | None, lang: str) -> str | None:
    """The other language, when `entry` has its answer only in that one (a live entry's is computed in either)."""
    if entry is None or entry.live:
        return None
    mine, other = (entry.answer_fr, "en") if lang == "fr" else (entry.answer_en, "fr")
    return other if not mine and entry.answer(lang) else None


def _folded_words(text: str) -> list[str]:
    return _WORD.findall(fold(text, ligatures=True))


@lru_cache(maxsize=4096)
def _phrasings(entry: Entry) -> tuple[frozenset[str], ...]:
    """The folded words of each of the entry's phrasings, in both languages, and of its slug."""
    texts = [*entry.questions_en, *entry.questions_fr, entry.slug]
    return tuple(frozenset(_folded_words(text)) for text in texts)


def _match(word: str, phrasing: frozenset[str]) -> int:
    # A whole word counts twice the start of one: "partner" finds "partners", "partners" finds it better.
    return 2 if word in phrasing else 1 if any(known.startswith(word) for known in phrasing) else 0


def rank(entries: Sequence[Entry], query: str) -> list[Entry]:
    """The entries with a phrasing holding the typed words, best first: by their best phrasing, then by how many
    phrasings match as well. A word that many entries hold weighs less ("how", "partners"); nothing typed: every
    entry, in the knowledge base's order."""
    typed = list(dict.fromkeys(_folded_words(clean(query)[:QUERY_MAX])))[:WORDS_MAX]
    if not typed:
        return list(entries)
    matches = [[[_match(word, p) for word in typed] for p in _phrasings(entry)] for entry in entries]
    holding = [sum(1 for phrasings in matches if any(m[i] for m in phrasings)) for i in range(len(typed))]
    weights = [math.log(1 + len(entries) / max(1, n)) for n in holding]
    scored = []
    for position, (entry, phrasings) in enumerate(zip(entries, matches, strict=True)):
        scores = [round(sum(w * m for w, m in zip(weights, found, strict=True)), 6) for found in phrasings]
        best = max(scores)
        if best:
            scored.append((-best, -scores.count(best), position, entry))
    return [entry for *_, entry in sorted(scored, key=lambda found: found[:3])]


def choice(entry: Entry, lang: str) -> EntryChoice:
    """`entry` as a picker shows it to a reader of `lang`."""
    phrasings = entry.questions(lang)
    return EntryChoice(slug=entry.slug, title=phrasings[0] if phrasings else entry.slug)


def options(rt: Runtime, *, query: str, beyond: bool) -> dict[str, Any]:
    """The options of a picker of entries for what was typed, in the reader's language."""
    lang = current().value
    ranked = rank(pickable(engine(rt).entries), query)[: builders.OPTIONS_MAX]
    return builders.build_entry_options([choice(entry, lang) for entry in ranked], beyond=beyond)
