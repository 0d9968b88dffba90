"""The partner rules on a real database: who may change what, notes, history, undo, assign, concurrency."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import partner_commands
from bot.clock import FixedClock
from bot.errors import BadInput, BotError, Conflict, NotAllowed, NotFound
from bot.ids import Block, Field
from bot.partners import service
from bot.partners.builders import NOTE_MAX, read_update_form
from bot.partners.parsing import encode
from bot.replies import OpenModal, Reply
from bot.runtime import Runtime
from bot.statuses import Status
from handlers.errors import user_text_for
from tests.conftest import ADMIN
from tests.partners.conftest import ALICE, BRUNO, GONE, OTHER, Book
from tests.slack_standin import SlackStandIn, text_of


def run(rt: Runtime, user: str, text: str) -> Reply:
    outcome = partner_commands.handle(rt, user_id=user, text=text)
    assert isinstance(outcome, Reply)
    return outcome


def test_owner_updates_and_the_history_says_who_when_what_where(rt: Runtime, book: Book) -> None:
    reply = run(rt, ALICE, "update LNK-0000 contacted called their CEO, meeting Tuesday")
    partner = book.partner("LNK-0000")
    assert (partner.status, partner.note, partner.updated_by, partner.revision) == (
        "contacted",
        "called their CEO, meeting Tuesday",
        ALICE,
        2,
    )
    last = book.history("LNK-0000")[-1]
    assert (last.by, last.source, last.from_status, last.to_status, last.note) == (
        ALICE,
        "command",
        "not_contacted",
        "contacted",
        "called their CEO, meeting Tuesday",
    )
    assert last.at == rt.clock.now()
    text = text_of({"blocks": reply.blocks})
    assert "Not contacted" in text and "Contacted" in text and "meeting Tuesday" in text
    assert any(e.get("action_id") == "partner_undo" for b in reply.blocks or [] for e in b.get("elements", []))


def test_french_statuses_update(rt: Runtime, book: Book) -> None:
    run(rt, ALICE, "update LNK-0001 enregistré")
    run(rt, ALICE, "update lnk-0002 non contacté rappeler lundi")
    run(rt, ALICE, 'update "Réseaux Dupont & Fils" refusé ne veut pas du programme Cisco')
    assert book.partner("LNK-0001").status == "registered"
    assert book.partner("LNK-0002").note == "rappeler lundi"
    assert book.partner("LNK-9001").status == "declined"


def test_unquoted_name_with_spaces_finds_the_partner(rt: Runtime, book: Book) -> None:
    run(rt, ALICE, "update Alice Partner 2 SARL registered new portal")
    partner = book.partner("LNK-0002")
    assert (partner.status, partner.note) == ("registered", "new portal")


def test_a_word_shaped_like_an_id_but_naming_no_partner_is_read_as_a_name(rt: Runtime, book: Book) -> None:
    run(rt, ALICE, "update Réseaux registered")
    assert book.partner("LNK-9001").status == "registered"


def test_admin_may_update_anyones_partner(rt: Runtime, book: Book) -> None:
    run(rt, ADMIN, "update LNK-2000 registered")
    assert book.partner("LNK-2000").status == "registered"


def test_someone_else_is_refused_plainly_and_nothing_changes(rt: Runtime, book: Book) -> None:
    before = book.history("LNK-2000")
    with pytest.raises(NotAllowed) as err:
        run(rt, OTHER, "update LNK-2000 registered")
    assert "not allowed" in err.value.user_text()
    assert "<@U0CHLOE01>" in err.value.user_text()
    partner = book.partner("LNK-2000")
    assert (partner.status, partner.revision) == ("in_progress", 1)
    assert book.history("LNK-2000") == before


def test_unmatched_owner_is_recognised_by_email_and_claims_the_partner(
    rt: Runtime, book: Book, standin: SlackStandIn
) -> None:
    standin.add_person("U0NEWCOME1", "newcomer", "newcomer@example.com")
    with pytest.raises(NotAllowed):
        run(rt, OTHER, "update LNK-5000 contacted")
    run(rt, "U0NEWCOME1", "update LNK-5000 contacted")
    partner = book.partner("LNK-5000")
    assert (partner.status, partner.owner_user_id) == ("contacted", "U0NEWCOME1")


def test_long_notes_are_refused_whole_with_the_limit_named(rt: Runtime, book: Book) -> None:
    run(rt, ALICE, "update LNK-0000 contacted " + "x" * NOTE_MAX)
    assert len(book.partner("LNK-0000").note) == NOTE_MAX
    with pytest.raises(BadInput) as err:
        run(rt, ALICE, "update LNK-0000 registered " + "x" * 5000)
    assert f"{NOTE_MAX:,}" in err.value.message
    partner = book.partner("LNK-0000")
    assert (partner.status, partner.revision) == ("contacted", 2)


def test_mentions_in_notes_are_shown_inert(rt: Runtime, book: Book) -> None:
    reply = run(rt, ALICE, "update LNK-0000 contacted tell <!channel> and <@U0BRUNO01> & <https://x.test|x>")
    shown = reply.text + text_of({"blocks": reply.blocks})
    assert "<!channel>" not in shown and "<@U0BRUNO01>" not in shown
    assert "&lt;!channel&gt;" in shown
    card = run(rt, BRUNO, "show LNK-0000")
    shown = card.text + text_of({"blocks": card.blocks})
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert book.partner("LNK-0000").note.startswith("tell <!channel>")  # stored as written


def test_show_gives_status_owner_last_note_and_recent_history(rt: Runtime, book: Book) -> None:
    run(rt, ALICE, "update LNK-0000 contacted called their CEO, meeting Tuesday")
    run(rt, ALICE, "update LNK-0000 in progress")
    card = text_of({"blocks": run(rt, BRUNO, "show lnk-0000").blocks})
    assert "In progress" in card and "<@U0ALICE01>" in card
    assert "meeting Tuesday" in card  # the last non-empty note stays
    assert card.count("•") == 3  # import, contacted, in progress


def test_ambiguous_name_gives_a_choice_and_the_choice_applies_the_update(rt: Runtime, book: Book) -> None:
    reply = run(rt, ALICE, "update Alice registered signed")
    buttons = [b["accessory"] for b in reply.blocks or [] if b.get("accessory", {}).get("action_id") == "partner_pick"]
    assert len(buttons) == 3
    for key in ("LNK-0000", "LNK-0001", "LNK-0002"):
        assert book.partner(key).status != "registered"
    chosen = next(b["value"] for b in buttons if "LNK-0001" in b["value"])
    done = service.pick(rt, actor=ALICE, value=chosen)
    assert done.replace_original
    partner = book.partner("LNK-0001")
    assert (partner.status, partner.note) == ("registered", "signed")


def test_unknown_partner_names_the_closest(rt: Runtime, book: Book) -> None:
    with pytest.raises(NotFound) as err:
        run(rt, ALICE, "update NOPE-1 registered")
    assert "NOPE-1" in err.value.message
    assert "/partner find" in (err.value.hint or "")
    with pytest.raises(NotFound) as err:
        run(rt, ALICE, "show reso dupuis")
    assert "Closest names: Réseaux Dupont &amp; Fils (`LNK-9001`)" in (err.value.hint or "")


def test_the_form_is_checked_before_it_closes_and_again_when_saved(rt: Runtime, book: Book) -> None:
    submission = read_update_form(
        {
            Block.PARTNER: {Field.PARTNER: {"selected_option": {"value": "lnk-0000"}}},
            Block.STATUS: {Field.STATUS: {"selected_option": {"value": "registered"}}},
        }
    )
    assert service.update_form_errors(rt, actor=ALICE, submission=submission) == {}
    assert set(service.update_form_errors(rt, actor=BRUNO, submission=submission)) == {Block.PARTNER}
    # Given to Bruno between the check and the save: the save refuses Alice.
    service.assign_key(rt, actor=ADMIN, key="LNK-0000", user_id=BRUNO)
    with pytest.raises(NotAllowed):
        service.submit_update_form(rt, actor=ALICE, submission=submission)
    assert book.partner("LNK-0000").status == "not_contacted"


def test_undo_within_the_window_by_the_same_person(rt: Runtime, book: Book, clock: FixedClock) -> None:
    run(rt, ALICE, "update LNK-0000 contacted first call")
    result = service.set_status(
        rt, actor=ALICE, partner_key="lnk-0000", status=Status.REGISTERED, note="oops", source="button"
    )
    clock.advance(dt.timedelta(minutes=4))
    reply = service.undo(rt, actor=ALICE, change_id=result.change_id)
    assert reply.replace_original and "Contacted" in reply.text
    partner = book.partner("LNK-0000")
    assert (partner.status, partner.note, partner.revision) == ("contacted", "first call", 4)
    last = book.history("LNK-0000")[-1]
    assert (last.source, last.undoes, last.from_status, last.to_status) == (
        "undo",
        result.change_id,
        "registered",
        "contacted",
    )


def test_undo_after_the_window_is_refused(rt: Runtime, book: Book, clock: FixedClock) -> None:
    result = service.set_status(
        rt, actor=ALICE, partner_key="LNK-0000", status=Status.CONTACTED, note="", source="command"
    )
    clock.advance(service.UNDO_WINDOW + dt.timedelta(seconds=1))
    with pytest.raises(Conflict) as err:
        service.undo(rt, actor=ALICE, change_id=result.change_id)
    assert "minutes" in err.value.message
    assert book.partner("LNK-0000").status == "contacted"


def test_undo_by_someone_else_is_refused_but_an_admin_may(rt: Runtime, book: Book) -> None:
    result = service.set_status(
        rt, actor=ALICE, partner_key="LNK-0000", status=Status.CONTACTED, note="", source="command"
    )
    with pytest.raises(NotAllowed):
        service.undo(rt, actor=BRUNO, change_id=result.change_id)
    assert book.partner("LNK-0000").status == "contacted"
    service.undo(rt, actor=ADMIN, change_id=result.change_id)
    assert book.partner("LNK-0000").status == "not_contacted"


def test_undo_is_refused_when_the_partner_changed_since(rt: Runtime, book: Book) -> None:
    first = service.set_status(
        rt, actor=ALICE, partner_key="LNK-0000", status=Status.CONTACTED, note="", source="command"
    )
    service.set_status(rt, actor=ADMIN, partner_key="LNK-0000", status=Status.IN_PROGRESS, note="", source="command")
    with pytest.raises(Conflict):
        service.undo(rt, actor=ALICE, change_id=first.change_id)
    assert book.partner("LNK-0000").status == "in_progress"
    with pytest.raises(NotFound):
        service.undo(rt, actor=ALICE, change_id=999_999)


def test_assign_by_owner_and_admin_refused_for_others(rt: Runtime, book: Book) -> None:
    with pytest.raises(NotAllowed):
        run(rt, OTHER, "assign LNK-0000 <@U0BRUNO01>")
    assert book.partner("LNK-0000").owner_user_id == ALICE
    run(rt, ALICE, "assign LNK-0000 <@U0BRUNO01|bruno>")
    partner = book.partner("LNK-0000")
    assert (partner.owner_user_id, partner.owner_email) == (BRUNO, "bruno@example.com")
    last = book.history("LNK-0000")[-1]
    assert (last.source, last.from_owner, last.to_owner) == ("assign", ALICE, BRUNO)
    run(rt, ADMIN, "assign LNK-0000 alice@example.com")
    assert book.partner("LNK-0000").owner_user_id == ALICE
    with pytest.raises(NotFound):
        run(rt, ADMIN, "assign LNK-0000 nobody@example.com")


def test_a_choice_made_before_the_assignee_was_deactivated_changes_nothing(
    rt: Runtime, book: Book, standin: SlackStandIn
) -> None:
    standin.add_person(GONE, "gone", "gone@example.com", deleted=True)
    with pytest.raises(BadInput, match="deactivated"):
        service.pick(rt, actor=ALICE, value=encode("assign", "LNK-0000", GONE, ""))
    assert book.partner("LNK-0000").owner_user_id == ALICE
    assert [h.source for h in book.history("LNK-0000")] == ["import"]


def test_mine_lists_open_partners_oldest_first_and_claims_unmatched_ones(
    rt: Runtime, book: Book, standin: SlackStandIn
) -> None:
    text = text_of({"blocks": run(rt, ALICE, "mine").blocks})
    assert "LNK-9001" in text and "LNK-0001" in text and "14 days left" in text
    assert text.index("LNK-9001") < text.index("LNK-0000") < text.index("LNK-0002")
    standin.add_person("U0NEWCOME1", "newcomer", "newcomer@example.com")
    assert "LNK-5000" in text_of({"blocks": run(rt, "U0NEWCOME1", "mine").blocks})
    assert book.partner("LNK-5000").owner_user_id == "U0NEWCOME1"
    assert "no open partners" in run(rt, BRUNO, "mine").text


def test_find_by_id_or_name_and_closest_on_typos(rt: Runtime, book: Book) -> None:
    assert "LNK-9001" in text_of({"blocks": run(rt, BRUNO, "find dupont").blocks})
    assert "3 partners" in text_of({"blocks": run(rt, BRUNO, "find ALICE").blocks})
    assert "LNK-0001" in text_of({"blocks": run(rt, BRUNO, "find lnk-000").blocks})
    loose = text_of({"blocks": run(rt, BRUNO, "find Dupond").blocks})
    assert "closest" in loose and "LNK-9001" in loose


def test_update_without_arguments_opens_the_form(rt: Runtime, book: Book) -> None:
    outcome = partner_commands.handle(rt, user_id=ALICE, text="update", channel_id="C0SALES01")
    assert isinstance(outcome, OpenModal)
    assert outcome.view["type"] == "modal"


def test_an_exact_partner_alone_shows_its_card(rt: Runtime, book: Book) -> None:
    assert "Réseaux Dupont" in run(rt, BRUNO, "LNK-9001").text
    with pytest.raises(BadInput):
        run(rt, BRUNO, "delete everything")


def test_set_status_for_nudge_buttons_follows_the_same_rules(rt: Runtime, book: Book) -> None:
    result = service.set_status(
        rt, actor=ALICE, partner_key="LNK-0002", status=Status.CONTACTED, note="", source="button"
    )
    assert (result.old_status, result.new_status, result.partner_id) == (
        Status.NOT_CONTACTED,
        Status.CONTACTED,
        "LNK-0002",
    )
    assert result.reply.blocks
    assert book.history("LNK-0002")[-1].source == "button"
    with pytest.raises(NotAllowed):
        service.set_status(rt, actor=BRUNO, partner_key="LNK-0002", status=Status.DECLINED, note="", source="button")
    with pytest.raises(NotFound):
        service.set_status(rt, actor=ADMIN, partner_key="NOPE", status=Status.DECLINED, note="", source="button")


def test_two_people_updating_one_partner_at_once_lose_nothing(rt: Runtime, book: Book) -> None:
    rounds = 15
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def worker(actor: str, status: Status) -> None:
        try:
            barrier.wait()
            for i in range(rounds):
                service.set_status(
                    rt, actor=actor, partner_key="LNK-0000", status=status, note=f"{actor} {i}", source="command"
                )
        except BaseException as exc:
            failures.append(exc)

    threads = [
        threading.Thread(target=worker, args=(ALICE, Status.CONTACTED)),
        threading.Thread(target=worker, args=(ADMIN, Status.IN_PROGRESS)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    history = book.history("LNK-0000")[1:]
    assert len(history) == 2 * rounds
    assert {h.by for h in history} == {ALICE, ADMIN}
    for before, after in itertools.pairwise(history):
        assert after.from_status == before.to_status  # each change saw the one before it
    partner = book.partner("LNK-0000")
    assert partner.status == history[-1].to_status
    assert partner.note == history[-1].note
    assert partner.revision == 1 + 2 * rounds


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(
        st.text(max_size=200),
        st.builds(
            lambda verb, rest: f"{verb} {rest}",
            st.sampled_from(["show", "update", "assign", "find", "mine", "help", "voir"]),
            st.text(max_size=80),
        ),
    )
)
def test_any_text_gets_a_reply_never_an_exception(rt: Runtime, book: Book, text: str) -> None:
    try:
        outcome = partner_commands.handle(rt, user_id=OTHER, text=text)
    except BotError as exc:
        assert user_text_for(exc).strip()
        return
    assert isinstance(outcome, Reply | OpenModal)
    if isinstance(outcome, Reply):
        assert outcome.text.strip()
