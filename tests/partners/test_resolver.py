"""Naming a partner: ID any case, exact name, folded name, word prefix, fuzzy as a choice, closest names."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.partners.resolver import Ambiguous, Found, Missing, NameIndex, resolve, resolve_first, resolve_fuzzy
from bot.runtime import Runtime
from storage.db import Database
from storage.partners import NameEntry
from tests.partners.conftest import Book


def resolved(rt: Runtime, text: str) -> Found | Ambiguous | Missing:
    with rt.db.session() as session:
        return resolve(session, text)


def test_id_in_any_case_and_with_backticks(rt: Runtime, book: Book) -> None:
    for text in ("LNK-0001", "lnk-0001", " Lnk-0001 ", "`LNK-0001`"):
        found = resolved(rt, text)
        assert isinstance(found, Found), text
        assert found.partner.partner_id == "LNK-0001"


def test_exact_then_folded_name(rt: Runtime, book: Book) -> None:
    for text in ("Réseaux Dupont & Fils", "reseaux dupont & fils", "RÉSEAUX  DUPONT & FILS"):
        found = resolved(rt, text)
        assert isinstance(found, Found), text
        assert found.partner.partner_id == "LNK-9001"


def test_a_unique_word_prefix_is_enough(rt: Runtime, book: Book) -> None:
    found = resolved(rt, "dupont")
    assert isinstance(found, Found)
    assert found.partner.partner_id == "LNK-9001"


def test_several_matches_are_a_choice_never_a_guess(rt: Runtime, book: Book) -> None:
    found = resolved(rt, "Alice")
    assert isinstance(found, Ambiguous)
    assert found.total == 3
    assert {c.partner_id for c in found.candidates} == {"LNK-0000", "LNK-0001", "LNK-0002"}


def test_a_typo_is_offered_as_a_choice(rt: Runtime, book: Book) -> None:
    found = resolved(rt, "Resaux Dupond et Fils")
    assert isinstance(found, Ambiguous)
    assert found.candidates[0].partner_id == "LNK-9001"


def test_nothing_close_gives_closest_names_or_none(rt: Runtime, book: Book) -> None:
    found = resolved(rt, "zzzzqqqq")
    assert isinstance(found, Missing)
    assert found.query == "zzzzqqqq"
    found = resolved(rt, "LNK-00O0X")
    assert isinstance(found, Missing) and found.by_id


def test_an_id_no_partner_has_is_missing_with_the_nearest_ids(rt: Runtime, book: Book) -> None:
    for text in ("LNK-0009", "lnk-0009", "`LNK-0003`"):
        found = resolved(rt, text)
        assert isinstance(found, Missing), text
        assert found.by_id
        assert [c.partner_id for c in found.closest] == ["LNK-0000", "LNK-0001", "LNK-0002"], text
    found = resolved(rt, "LNK-2009")  # one digit away from one partner: suggested first, never taken
    assert isinstance(found, Missing) and found.closest[0].partner_id == "LNK-2000"


def test_a_name_written_as_one_word_with_digits_is_still_matched_fuzzily() -> None:
    index = NameIndex.of(
        [
            NameEntry("LNK-0001", "LNK-0001", "Net2Phone", "net2phone"),
            NameEntry("LNK-0002", "LNK-0002", "Alice Partner SARL", "alice partner sarl"),
        ]
    )
    found = resolve_fuzzy("Net2Fone", index)
    assert isinstance(found, Ambiguous)
    assert [c.partner_id for c in found.candidates] == ["LNK-0001"]


def test_a_long_id_like_text_is_compared_by_its_head_only() -> None:
    index = NameIndex.of([NameEntry(f"LNK-{i:04}", f"LNK-{i:04}", f"Partner {i}", f"partner {i}") for i in range(50)])
    found = resolve_fuzzy("LNK-0009" + "9" * 100_000, index)
    assert isinstance(found, Missing) and found.by_id


def test_resolve_first_prefers_an_exact_reading_over_a_loose_one(rt: Runtime, book: Book) -> None:
    with rt.db.session() as session:
        i, found = resolve_first(session, ["Alice", "Alice Partner 2 SARL"])
    assert i == 1
    assert isinstance(found, Found)
    assert found.partner.partner_id == "LNK-0002"


def test_hostile_names_resolve_to_nothing_harmful(rt: Runtime, book: Book) -> None:
    for text in ("LNK-0000'; DROP TABLE partner;--", "%", "_", "<@U0BRUNO01|bruno>", "\\", "' OR 1=1 --"):
        found = resolved(rt, text)
        assert not isinstance(found, Found), text
    assert book.partner("LNK-0000").name == "Alice Partner 0 SARL"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=120))
def test_any_text_resolves_to_an_answer(rt: Runtime, book: Book, text: str) -> None:
    found = resolved(rt, text)
    assert isinstance(found, Found | Ambiguous | Missing)


def test_fuzzy_names_are_cached_until_partners_change(db: Database) -> None:
    from bot.partners.resolver import name_index
    from storage.partners import add_partner

    def add(partner_id: str, name: str) -> None:
        with db.session(write=True) as session:
            add_partner(
                session=session,
                partner_id=partner_id,
                name=name,
                country="FR",
                owner_email="a@example.com",
                owner_user_id=None,
                status="not_contacted",
                note="",
                at=dt.datetime(2008, 9, 2, 8, 0, tzinfo=dt.UTC),
                by="test",
                source="import",
            )

    add("LNK-C1", "Cache Réseaux")
    with db.session() as session:
        first = name_index(session)
        assert name_index(session) is first  # unchanged names: the same copy, nothing reloaded
    add("LNK-C2", "Cache Télécom")
    with db.session() as session:
        second = name_index(session)
    assert second is not first
    assert {entry.key for entry in second} >= {"LNK-C1", "LNK-C2"}
