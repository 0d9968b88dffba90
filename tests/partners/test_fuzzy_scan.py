"""The packed name index gives back every name as stored, and scanning it a chunk at a time finds the
same best matches as one rapidfuzz call over all the names."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz, process

from bot.partners.resolver import CLOSEST_CUTOFF, NameIndex, best_scores
from storage.partners import NameEntry

WORDS = ["partenaire", "partenare", "reseaux", "resaux", "dupont", "fils", "sud", "nord", "1", "12", "LNK-0042"]
names = st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join), max_size=60)
entries = st.lists(st.builds(NameEntry, st.text(max_size=8), st.text(max_size=8), st.text(), st.text()), max_size=40)


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
    parts = [choices[start : start + chunk] for start in range(0, len(choices), chunk)]
    for scorer in (fuzz.WRatio, fuzz.ratio):
        assert best_scores(query, parts, scorer, limit) == whole(query, choices, scorer, limit)


def test_duplicate_names_across_chunks_keep_the_lowest_indexes() -> None:
    parts = [["zzz"] * 4, ["zzz", "partenaire 7", "partenaire 7", "partenaire 7"], ["partenaire 7"] * 4]
    assert best_scores("partenaire 7", parts, fuzz.WRatio, 3) == [(100.0, 5), (100.0, 6), (100.0, 7)]


@settings(max_examples=100, deadline=None)
@given(stored=entries, chunk=st.integers(min_value=1, max_value=9))
def test_the_packed_index_gives_back_every_entry(stored: list[NameEntry], chunk: int) -> None:
    index = NameIndex.of(stored, chunk=chunk)
    assert len(index) == len(stored)
    assert list(index) == stored
    assert [index[i] for i in range(len(stored))] == stored
    assert [name for part in index.folded_parts() for name in part] == [e.name_folded for e in stored]
    assert [key for part in index.key_parts() for key in part] == [e.key for e in stored]
