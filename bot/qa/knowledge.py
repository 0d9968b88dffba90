"""The knowledge base: entries shipped in bot/knowledge/seed.toml, overridden and extended by the database."""

from __future__ import annotations

import dataclasses
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.qa.terms import meaningful_words
from bot.slack_text import clean

SEED_FILE = "seed.toml"
QUESTIONS_DIR = "questions"
ADDED_DIR = "added"
LIVE_KINDS = frozenset({"deadline", "days_left", "progress", "my_partners", "partner_status"})
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


@dataclass(frozen=True)
class Entry:
    """One answerable question: how people ask it, the answer in both languages, and its source."""

    slug: str
    questions_en: tuple[str, ...]
    questions_fr: tuple[str, ...]
    answer_en: str
    answer_fr: str
    source_en: str = ""
    source_fr: str = ""
    live: str | None = None
    origin: str = "shipped"
    source_key: str = ""  # a key of the seed's [sources], or the stored free text

    def questions(self, lang: str) -> tuple[str, ...]:
        """The phrasings in `lang`, else those of the other language."""
        mine, other = (self.questions_fr, self.questions_en) if lang == "fr" else (self.questions_en, self.questions_fr)
        return mine or other

    def answer(self, lang: str) -> str:
        """The answer in `lang`, else in the other language."""
        mine, other = (self.answer_fr, self.answer_en) if lang == "fr" else (self.answer_en, self.answer_fr)
        return mine or other

    def source(self, lang: str) -> str:
        """Where the answer comes from, in `lang`."""
        return self.source_fr if lang == "fr" else self.source_en


@dataclass(frozen=True)
class StoredEntry:
    """An entry as the database keeps it (added or edited from Slack)."""

    slug: str
    questions_en: str
    questions_fr: str
    answer_en: str
    answer_fr: str
    source: str
    origin: str
    active: bool


def stored_entry(row: Any) -> StoredEntry:
    """The entry a database row holds."""
    return StoredEntry(**{field.name: getattr(row, field.name) for field in dataclasses.fields(StoredEntry)})


def split_lines(text: str) -> tuple[str, ...]:
    """Non-empty, cleaned lines of a multi-line field (one phrasing per line)."""
    return tuple(line for line in (clean(raw) for raw in text.splitlines()) if line)


def source_texts(source: str, origin: str, sources: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    """The source line in English and French for a source key or free text."""
    if source in sources:
        return sources[source]["en"], sources[source]["fr"]
    if not source:
        return "", ""
    if origin == "expert":
        return f"answer from our expert {source}", f"réponse de notre expert {source}"
    return f"answer added by {source}", f"réponse ajoutée par {source}"


@dataclass(frozen=True)
class Seed:
    """The shipped knowledge: entries and the named sources they cite."""

    entries: tuple[Entry, ...]
    sources: Mapping[str, Mapping[str, str]]


def parse_seed(data: Mapping[str, Any]) -> Seed:
    """Validate and convert the parsed seed file."""
    sources: dict[str, dict[str, str]] = {
        key: {"en": str(value["en"]), "fr": str(value["fr"])} for key, value in data.get("sources", {}).items()
    }
    entries: list[Entry] = []
    seen: set[str] = set()
    for raw in data.get("entry", []):
        slug = str(raw["slug"])
        if not SLUG.match(slug) or slug in seen:
            raise ValueError(f"knowledge entry slug {slug!r} is malformed or repeated")
        seen.add(slug)
        live = raw.get("live")
        if live is not None and live not in LIVE_KINDS:
            raise ValueError(f"knowledge entry {slug!r}: unknown live kind {live!r}")
        source = str(raw.get("source", ""))
        if source and source not in sources:
            raise ValueError(f"knowledge entry {slug!r}: unknown source {source!r}")
        source_en, source_fr = source_texts(source, "shipped", sources)
        entry = Entry(
            slug=slug,
            questions_en=tuple(clean(q) for q in raw.get("questions_en", []) if clean(q)),
            questions_fr=tuple(clean(q) for q in raw.get("questions_fr", []) if clean(q)),
            answer_en=str(raw.get("answer_en", "")).strip(),
            answer_fr=str(raw.get("answer_fr", "")).strip(),
            source_en=source_en,
            source_fr=source_fr,
            live=live,
            source_key=source,
        )
        if not (entry.questions_en or entry.questions_fr):
            raise ValueError(f"knowledge entry {slug!r} has no questions")
        if not live and not (entry.answer_en or entry.answer_fr):
            raise ValueError(f"knowledge entry {slug!r} has no answer")
        entries.append(entry)
    return Seed(entries=tuple(entries), sources=sources)


@cache
def shipped() -> Seed:
    """The knowledge shipped in the package (parsed once per process)."""
    text = resources.files("bot.knowledge").joinpath(SEED_FILE).read_text("utf-8")
    return parse_seed(tomllib.loads(text))


def own_texts(entry: Entry) -> list[tuple[str, str]]:
    """An entry's phrasings and answers, with their language."""
    return [
        *((text, "en") for text in entry.questions_en),
        *((text, "fr") for text in entry.questions_fr),
        (entry.answer_en, "en"),
        (entry.answer_fr, "fr"),
    ]


def shipped_texts() -> tuple[str, ...]:
    """Every text the package ships for the engine to embed, once each: the seed's phrasings and answers, the
    questions of bot/knowledge/questions/*.jsonl and of the sets in bot/knowledge/added (the frozen test split lives
    under tests/ and is never read), then each word of the entries' own texts."""
    own = [pair for e in shipped().entries for pair in own_texts(e)]
    texts = [text for text, _ in own]
    folder = resources.files("bot.knowledge") / QUESTIONS_DIR
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.name.endswith(".jsonl"):
            texts += [json.loads(line)["q"] for line in path.read_text("utf-8").splitlines() if line.strip()]
    for path in sorted((resources.files("bot.knowledge") / ADDED_DIR).iterdir(), key=lambda p: p.name):
        if path.name.endswith(".json"):
            data = json.loads(path.read_text("utf-8"))
            own += [(item[key], key[-2:]) for item in data["entries"] for key in item if key != "slug"]
            texts += [text for item in data["entries"] for key, text in item.items() if key != "slug"]
            texts += [question["q"] for question in data["questions"]]
    texts += sorted({word for text, lang in own for word in meaningful_words(text, lang, shortest=3)})
    return tuple(dict.fromkeys(text for text in texts if text))


def merge(seed: Seed, stored: Iterable[StoredEntry]) -> tuple[Entry, ...]:
    """Shipped entries overridden by stored ones of the same slug, plus the stored ones; inactive ones removed."""
    by_slug: dict[str, Entry] = {entry.slug: entry for entry in seed.entries}
    for row in stored:
        if not row.active:
            by_slug.pop(row.slug, None)
            continue
        base = by_slug.get(row.slug)
        source_en, source_fr = source_texts(row.source, row.origin, seed.sources)
        by_slug[row.slug] = Entry(
            slug=row.slug,
            questions_en=split_lines(row.questions_en),
            questions_fr=split_lines(row.questions_fr),
            answer_en=row.answer_en.strip(),
            answer_fr=row.answer_fr.strip(),
            source_en=source_en,
            source_fr=source_fr,
            live=base.live if base else None,
            origin=row.origin,
            source_key=row.source,
        )
    return tuple(e for e in by_slug.values() if e.questions_en or e.questions_fr)
