"""Scanning the names in chunks finds the same best matches as one rapidfuzz call over them all."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from bot.partners.resolver import CLOSEST_CUTOFF, best_scores

WORDS = ["partenaire", "partenare", "reseaux", "resaux", "dupont", "fils", "sud", "nord", "1", "12", "LNK-0042"]
names = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join), max_size=60)


def whole(query: str, choices: list[str], scorer: Callable[..., float], limit: int) -> list[tuple[float, int]]:
    found = process.extract(query, choices, scorer=scorer, limit=limit, score_cutoff=CLOSEST_CUTOFF)
    return [(score, i) for _choice, score, i in found]


@settings(max_examples=200, deadline=None)
@given(
    choices=names,
    query=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    chunk=st.integers(min_value=1, max_value=70),
    limit=st.sampled_from([2, 5, 10]),
)
def test_chunks_rank_like_one_scan_ties_included(choices: list[str], query: str, chunk: int, limit: int) -> None:
    for scorer in (fuzz.WRatio, fuzz.ratio):
        assert best_scores(query, choices, scorer, limit, chunk=chunk) == whole(query, choices, scorer, limit)


def test_duplicate_names_across_chunks_keep_the_lowest_indexes() -> None:
    choices = ["zzz"] * 5 + ["partenaire 7"] * 9
    assert best_scores("partenaire 7", choices, fuzz.WRatio, 3, chunk=4) == [(100.0, 5), (100.0, 6), (100.0, 7)]
