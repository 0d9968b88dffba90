"""Each reader's language: the message catalogues (bot/locales/*.toml), and dates and numbers as CLDR writes them."""

from __future__ import annotations

import datetime as dt
import string
import tomllib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

from bot.cldr import Conventions, conventions

LOCALES = Path(__file__).parent / "locales"


class Lang(StrEnum):
    """The languages the bot speaks."""

    EN = "en"
    FR = "fr"


def parse_lang(text: str | None) -> Lang | None:
    """`fr`, `FR`, `français`, `french`, a locale such as `fr_FR` or `fr-CA` → Lang.FR; the same in English → Lang.EN;
    else None."""
    word = (text or "").strip().casefold()
    language, separator, region = word.replace("_", "-").partition("-")
    if separator and len(region) == 2 and region.isalpha():
        word = language
    if word in ("fr", "french", "français", "francais"):
        return Lang.FR
    if word in ("en", "english", "anglais"):
        return Lang.EN
    return None


def from_locale(locale: str | None) -> Lang | None:
    """The language of a Slack locale: French for `fr-*`, English for any other; None when unknown."""
    if not locale:
        return None
    return Lang.FR if locale.strip().casefold().startswith("fr") else Lang.EN


# ---- the reader -------------------------------------------------------------------------

Resolver = Callable[[], Lang]
_reader: ContextVar[Lang | Resolver] = ContextVar("reader_language", default=Lang.EN)
_without_writes: ContextVar[Resolver | None] = ContextVar("reader_language_without_writes", default=None)


def current() -> Lang:
    """The language of whoever reads what is being built now (English when nobody was named)."""
    value = _reader.get()
    if isinstance(value, Lang):
        return value
    lang = value()
    _reader.set(lang)  # resolve once per request
    return lang


def set_reader(reader: Lang | Resolver, *, without_writes: Resolver | None = None) -> None:
    """Name the reader's language for the rest of this context; a resolver is called on first use only.

    `without_writes` finds it from what is stored already, asking Slack nothing and caching nothing: the
    database just failed once, and a reply that says so must not wait for it a second time.
    """
    _reader.set(reader)
    _without_writes.set(without_writes)


def database_failed() -> None:
    """The database just failed: if the reader's language is still to be found, find it without writing."""
    fallback = _without_writes.get()
    if fallback is not None and not isinstance(_reader.get(), Lang):
        _reader.set(fallback)


@contextmanager
def reading(lang: Lang | str) -> Iterator[Lang]:
    """Build what is inside this block for a reader of `lang` (a digest's owner, a channel)."""
    token = _reader.set(Lang(lang))
    try:
        yield Lang(lang)
    finally:
        _reader.reset(token)


# ---- the catalogues ---------------------------------------------------------------------


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@cache
def catalogue(lang: Lang) -> dict[str, str]:
    """Every message of `lang`, by dotted key (plural forms end in `.one` / `.other`, and optionally `.zero`)."""
    with (LOCALES / f"{lang.value}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def placeholders(template: str) -> frozenset[str]:
    """The `{names}` a template takes."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def t(key: str, /, lang: Lang | str | None = None, **params: object) -> str:
    """The message `key` in `lang` (the reader's by default), its `{placeholders}` filled."""
    chosen = Lang(lang) if lang else current()
    return catalogue(chosen)[key].format_map(params)


def _cldr(lang: Lang | str | None) -> Conventions:
    return conventions((Lang(lang) if lang else current()).value)


def tn(key: str, count: int, /, lang: Lang | str | None = None, **params: object) -> str:
    """The plural form of `key` that suits `count` in `lang`; `{n}` is the count written for that language.

    A key may also have a `.zero` form for a count of 0 (as ICU's `=0`): « aucun partenaire n'est passé »
    rather than « 0 partenaire est passé ».
    """
    chosen = Lang(lang) if lang else current()
    form = conventions(chosen.value).plural(abs(count))
    forms = catalogue(chosen)
    zero = forms.get(f"{key}.zero") if count == 0 else None
    template = zero or forms.get(f"{key}.{form}") or forms[f"{key}.other"]
    return template.format_map({"n": number(count, chosen), **params})


# ---- dates and numbers ------------------------------------------------------------------


def number(value: float, lang: Lang | str | None = None) -> str:
    """`20,000` / `20 000` (CLDR writes French thousands with a narrow no-break space)."""
    return _cldr(lang).number(value)


def percent(share: float, lang: Lang | str | None = None) -> str:
    """`31%` / `31 %` for a share between 0 and 1."""
    return _cldr(lang).percent_of(share)


def long_date(day: dt.date, lang: Lang | str | None = None) -> str:
    """`Tuesday 16 September 2008` / `mardi 16 septembre 2008`."""
    return _cldr(lang).long_date(day)


def short_datetime(at: dt.datetime, lang: Lang | str | None = None) -> str:
    """`2 Sep 2008 09:30 CEST` / `2 sept. 2008 09:30 CEST`, in the zone `at` carries."""
    return f"{_cldr(lang).day_month(at)} {at.year} {at:%H:%M %Z}".rstrip()


def clock_time(at: dt.datetime) -> str:
    """`09:35 CEST`, in the zone `at` carries: both languages write CLDR's `HH:mm`."""
    return f"{at:%H:%M %Z}".rstrip()
