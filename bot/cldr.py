"""Dates, numbers and plural forms as CLDR writes them in the bot's languages, from bot/locales/cldr.json.

scripts/cldr_data.py extracts that file from Babel's CLDR data; the bot does not load Babel's locale data itself,
which holds the names of every language, territory, currency and unit (some 4 MB for English and French). A test
compares what these functions write with Babel's own formatting.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from babel.plural import PluralRule

LANGS = ("en", "fr")
DATA_FILE = Path(__file__).parent / "locales" / "cldr.json"
THOUSANDTHS = Decimal("0.001")
"""Babel's default decimal pattern (#,##0.###) keeps three decimals at most."""
NUMBER = "#,##0"


@dataclass(frozen=True)
class Conventions:
    """How one language writes numbers and dates."""

    decimal: str
    group: str
    minus: str
    percent: str  # "{}%" / "{}\u00a0%"
    plural: PluralRule
    days: tuple[str, ...]  # Monday first, as date.weekday() counts
    months: tuple[str, ...]
    months_short: tuple[str, ...]

    def number(self, value: float) -> str:
        """`value` grouped by thousands, with three decimals at most (rounded half to even)."""
        exact = Decimal(str(value)).quantize(THOUSANDTHS, ROUND_HALF_EVEN)
        whole, _, fraction = f"{abs(exact):f}".partition(".")
        text = f"{int(whole):,}".replace(",", self.group)
        if fraction := fraction.rstrip("0"):
            text += self.decimal + fraction
        return self.minus + text if exact.is_signed() else text  # "-0" for -0.0004, as Babel writes it

    def percent_of(self, share: float) -> str:
        """`share` (0..1) as a whole percentage."""
        exact = (Decimal(str(share)) * 100).quantize(Decimal(1), ROUND_HALF_EVEN)
        return self.percent.format(self.number(float(exact)))

    def long_date(self, day: dt.date) -> str:
        """CLDR's `EEEE d MMMM y`."""
        return f"{self.days[day.weekday()]} {day.day} {self.months[day.month - 1]} {day.year}"

    def day_month(self, day: dt.date) -> str:
        """CLDR's `d MMM`."""
        return f"{day.day} {self.months_short[day.month - 1]}"


@cache
def conventions(lang: str) -> Conventions:
    """The conventions of `lang` ("en" or "fr"), read once."""
    data = json.loads(DATA_FILE.read_text("utf-8"))[lang]
    return Conventions(
        decimal=data["decimal"],
        group=data["group"],
        minus=data["minus"],
        percent=data["percent"],
        plural=PluralRule(data["plural"]),
        days=tuple(data["days"]),
        months=tuple(data["months"]),
        months_short=tuple(data["months_short"]),
    )


def extract(lang: str) -> dict[str, Any]:
    """What the bot needs of Babel's CLDR data for `lang` (scripts/cldr_data.py writes it to DATA_FILE)."""
    from babel import Locale  # its locale data loads here only

    locale = Locale.parse(lang)
    symbols = locale.number_symbols["latn"]
    percent = locale.percent_formats[None].pattern
    if NUMBER not in percent or ";" in percent:
        raise ValueError(f"{lang}: a percent pattern this module cannot write: {percent!r}")
    return {
        "decimal": symbols["decimal"],
        "group": symbols["group"],
        "minus": symbols["minusSign"],
        "percent": percent.replace(NUMBER, "{}").replace("%", symbols["percentSign"]),
        "plural": dict(locale.plural_form.rules),
        "days": [locale.days["format"]["wide"][day] for day in range(7)],
        "months": [locale.months["format"]["wide"][month] for month in range(1, 13)],
        "months_short": [locale.months["format"]["abbreviated"][month] for month in range(1, 13)],
    }


def extracted() -> str:
    """DATA_FILE's text, as the installed Babel gives it."""
    return json.dumps({lang: extract(lang) for lang in LANGS}, ensure_ascii=False, indent=1) + "\n"
