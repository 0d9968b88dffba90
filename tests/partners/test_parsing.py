"""The `/partner` parser: pure, forgiving, and never failing other than with a BadInput reply."""

from __future__ import annotations

import typing

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import BadInput
from bot.partners import parsing
from bot.partners.parsing import Assign, Assignee, Find, Help, Mine, OpenForm, Other, Show, Split, Update, parse
from bot.statuses import Status


def test_empty_and_help_words_give_help() -> None:
    for text in ("", "   ", "help", "AIDE", "?"):
        assert parse(text) == Help()


def test_update_by_id_keeps_the_note_whole_with_its_spacing() -> None:
    parsed = parse("update LNK-0000 contacted called their CEO,   meeting Tuesday\nsecond line")
    assert parsed == Update((Split("LNK-0000", Status.CONTACTED, "called their CEO,   meeting Tuesday\nsecond line"),))


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("enregistré", Status.REGISTERED),
        ("ENREGISTRE", Status.REGISTERED),
        ("inscrit", Status.REGISTERED),
        ("refusé", Status.DECLINED),
        ("non contacté", Status.NOT_CONTACTED),
        ("Non-Contacte", Status.NOT_CONTACTED),
        ("en cours", Status.IN_PROGRESS),
        ("In_Progress", Status.IN_PROGRESS),
        ("contacté", Status.CONTACTED),
    ],
)
def test_french_and_forgiving_statuses(typed: str, status: Status) -> None:
    parsed = parse(f"update LNK-0003 {typed} ne veut pas du programme")
    assert isinstance(parsed, Update)
    assert parsed.splits[0] == Split("LNK-0003", status, "ne veut pas du programme")


def test_longest_status_form_wins() -> None:
    # "not contacted" must not be read as "not" + note "contacted", nor "en cours" as a note.
    parsed = parse("update LNK-1 not contacted yet")
    assert isinstance(parsed, Update)
    assert parsed.splits[0] == Split("LNK-1", Status.NOT_CONTACTED, "yet")


def test_quoted_names_straight_and_curly() -> None:
    for text in (
        'update "Alice Partner 2 SARL" in progress portal account created',
        "update “Alice Partner 2 SARL” in progress portal account created",
        "update «Alice Partner 2 SARL» in progress portal account created",
    ):
        assert parse(text) == Update((Split("Alice Partner 2 SARL", Status.IN_PROGRESS, "portal account created"),))


def test_a_quoted_status_is_a_status_and_a_quoted_name_stays_a_name() -> None:
    assert parse('update LNK-0000 "en cours" called twice') == Update(
        (Split("LNK-0000", Status.IN_PROGRESS, "called twice"),)
    )
    assert parse("update LNK-0000 « refusé »") == Update((Split("LNK-0000", Status.DECLINED, ""),))
    assert parse('update "Registered Networks" registered') == Update(
        (Split("Registered Networks", Status.REGISTERED, ""),)
    )


def test_unquoted_names_with_spaces_offer_every_split_before_a_status() -> None:
    parsed = parse("update Alice Partner 2 SARL registered new portal")
    assert isinstance(parsed, Update)
    # "new" is a status too, so a second, less likely reading follows; the resolver picks the one that names a partner.
    assert parsed.splits == (
        Split("Alice Partner 2 SARL", Status.REGISTERED, "new portal"),
        Split("Alice Partner 2 SARL registered", Status.NOT_CONTACTED, "portal"),
    )


def test_status_words_inside_names_give_several_readings_in_order() -> None:
    parsed = parse("update Done Deal done fine")
    assert isinstance(parsed, Update)
    assert [s.partner for s in parsed.splits] == ["Done Deal"]
    parsed = parse("update Net new contacted")
    assert isinstance(parsed, Update)
    assert [(s.partner, s.status, s.note) for s in parsed.splits] == [
        ("Net", Status.NOT_CONTACTED, "contacted"),
        ("Net new", Status.CONTACTED, ""),
    ]


def test_update_alone_opens_the_form() -> None:
    assert parse("update") == OpenForm()


def test_update_without_a_status_says_so() -> None:
    with pytest.raises(BadInput) as err:
        parse("update LNK-0000")
    assert "status" in err.value.user_text()
    with pytest.raises(BadInput) as err:
        parse("update LNK-0000 flying")
    assert "`flying` is not a status" in err.value.message
    assert "contacted" in (err.value.hint or "")


def test_hostile_text_is_escaped_in_errors() -> None:
    with pytest.raises(BadInput) as err:
        parse("update <!channel> <@U0BRUNO01|bruno>")
    assert "<!channel>" not in err.value.user_text()
    assert "&lt;@U0BRUNO01|bruno&gt;" in err.value.user_text()


def test_control_and_bidi_characters_are_dropped() -> None:
    parsed = parse("update LNK-0000 registered \u202e\u0000\U0001f4a5")
    assert parsed == Update((Split("LNK-0000", Status.REGISTERED, "\U0001f4a5"),))


def test_show_find_mine_other() -> None:
    assert parse("show lnk-0001") == Show("lnk-0001")
    assert parse('show "Réseaux Dupont & Fils"') == Show("Réseaux Dupont & Fils")
    assert parse("voir Réseaux Dupont") == Show("Réseaux Dupont")
    assert parse("find dupont") == Find("dupont")
    assert parse("mine") == Mine()
    assert parse("LNK-0001") == Other("LNK-0001")
    with pytest.raises(BadInput):
        parse("show")
    with pytest.raises(BadInput):
        parse("find")


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("<@U0BRUNO01>", Assignee(user_id="U0BRUNO01")),
        ("<@U0BRUNO01|bruno dupont>", Assignee(user_id="U0BRUNO01")),
        ("U0BRUNO01", Assignee(user_id="U0BRUNO01")),
        ("Bruno@Example.com", Assignee(email="bruno@example.com")),
        ("@bruno", Assignee(handle="bruno")),
    ],
)
def test_assign_recognises_people(who: str, expected: Assignee) -> None:
    assert parse(f'assign "Alice Partner 0 SARL" {who}') == Assign("Alice Partner 0 SARL", expected)


def test_assign_refuses_what_is_not_a_person() -> None:
    with pytest.raises(BadInput):
        parse("assign LNK-0000 bruno")
    with pytest.raises(BadInput):
        parse("assign LNK-0000")


def test_button_values_round_trip_even_with_pipes_in_the_note() -> None:
    value = parsing.encode("update", "LNK-1", "registered", "a | b | c")
    assert parsing.decode(value, 4) == ["update", "LNK-1", "registered", "a | b | c"]
    assert parsing.decode("show|LNK-1", 4) == ["show", "LNK-1", "", ""]


@given(st.text(max_size=300))
def test_any_text_parses_or_gives_a_bad_input_reply(text: str) -> None:
    try:
        parsed = parse(text)
    except BadInput as exc:
        assert exc.user_text().strip()
        return
    assert isinstance(parsed, typing.get_args(parsing.Command))


@given(st.lists(st.sampled_from(["update", "LNK-1", '"', "“", "en", "cours", "non", "contacté", "x", " ", "\n"])))
def test_command_like_word_soups_parse_or_give_a_bad_input_reply(words: list[str]) -> None:
    try:
        parse(" ".join(words))
    except BadInput as exc:
        assert exc.user_text().strip()
