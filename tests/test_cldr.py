"""bot.cldr writes dates, numbers and plural forms exactly as Babel does, from the small file it extracted."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

from bot.cldr import DATA_FILE, LANGS, conventions, extracted
from bot.i18n import Lang, clock_time, long_date, number, percent, short_datetime


def test_the_shipped_file_is_what_the_installed_babel_gives() -> None:
    assert set(LANGS) == {lang.value for lang in Lang}
    assert DATA_FILE.read_text("utf-8") == extracted(), "stale: run scripts/cldr_data.py"


@pytest.mark.parametrize("lang", LANGS)
def test_numbers_and_percentages_match_babel(lang: str) -> None:
    draw = random.Random(f"numbers-{lang}")
    values: list[float] = [0, 1, -1, 999, 1000, -1000, 20_000, 1_234_567, 10**9, 0.5, 2.5, -0.0004, 0.0005, 0.0015]
    values += [draw.randint(-(10**7), 10**7) for _ in range(300)]
    values += [round(draw.uniform(-(10**5), 10**5), draw.randint(0, 6)) for _ in range(300)]
    for value in values:
        assert number(value, lang) == format_decimal(value, locale=lang), value
    shares = [0, 1, 0.005, 0.015, 0.125, 0.135, -0.125, 12.345, 0.999, 1 / 3]
    shares += [draw.random() for _ in range(300)]
    for share in shares:
        assert percent(share, lang) == format_percent(share, locale=lang), share


@pytest.mark.parametrize("lang", LANGS)
def test_dates_and_times_match_babel(lang: str) -> None:
    paris = ZoneInfo("Europe/Paris")
    day = dt.date(2008, 1, 1)
    while day < dt.date(2009, 1, 1):
        assert long_date(day, lang) == format_date(day, "EEEE d MMMM y", locale=lang)
        assert conventions(lang).day_month(day) == format_date(day, "d MMM", locale=lang)
        at = dt.datetime.combine(day, dt.time(day.day % 24, day.month * 4), tzinfo=paris)
        written = f"{format_datetime(at, 'd MMM y HH:mm', locale=lang)} {at:%Z}"
        assert short_datetime(at, lang) == written
        assert written.endswith(clock_time(at))
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("lang", LANGS)
def test_plural_forms_match_babel(lang: str) -> None:
    counts = [*range(0, 2_100), 1_000_000, 2_000_000, 1_000_001, 10**9]
    rule = Locale.parse(lang).plural_form
    assert [conventions(lang).plural(n) for n in counts] == [rule(n) for n in counts]
