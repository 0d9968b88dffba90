"""The question service on a real database: live answers, logging, experts, votes, the FAQ admin."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import col, select

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.config import Settings
from bot.errors import BadInput, Conflict, NotAllowed
from bot.i18n import reading
from bot.ids import Block
from bot.qa import service
from bot.questions import asking, experts, faq
from bot.questions.asking import Asked
from bot.replies import OpenModal
from bot.runtime import Runtime
from storage.db import Database
from storage.models import Feedback, Question
from tests.conftest import ADMIN
from tests.qa.conftest import ALICE, BRUNO, save_parking_entry
from tests.slack_standin import SlackStandIn, text_of


def questions(rt: Runtime) -> list[Question]:
    with rt.db.session() as session:
        return list(session.exec(select(Question).order_by(col(Question.id))))


def test_the_deadline_is_answered_in_the_askers_language_with_days_left(rt: Runtime) -> None:
    en = service.decide(rt, "When is the deadline?", user_id=ALICE)
    fr = service.decide(rt, "Quelle est la date limite ?", user_id=ALICE)
    assert "16 September 2008" in en.body and "14 days left" in en.body and en.lang == "en"
    assert "16 septembre 2008" in fr.body and "il reste 14 jours" in fr.body and fr.lang == "fr"
    assert "August 2008" in en.source and "août 2008" in fr.source


def test_days_left_after_the_deadline_say_when_it_was(rt: Runtime, clock: FixedClock) -> None:
    clock.advance(dt.timedelta(days=15))  # the deadline was yesterday
    en = service.decide(rt, "How many days are left?", user_id=ALICE)
    fr = service.decide(rt, "Combien de jours reste-t-il ?", user_id=ALICE)
    assert en.slug == fr.slug == "days_left"
    assert "The deadline passed 1 day ago: it was *Tuesday 16 September 2008*." in en.body
    assert "L'échéance est passée depuis 1 jour : c'était le *mardi 16 septembre 2008*." in fr.body
    assert "before the deadline" not in en.body and "avant l'échéance" not in fr.body


def test_progress_and_my_partners_come_from_the_data(rt: Runtime, partners: list[object]) -> None:
    progress = service.decide(rt, "how many partners are registered so far?", user_id=ALICE)
    assert progress.slug == "progress" and "*2 of 5*" in progress.body
    mine = service.decide(rt, "quels sont mes partenaires pas encore inscrits ?", user_id=ALICE)
    assert mine.slug == "my_partners"
    assert "Réseaux Dupont &amp; Fils" in mine.body and "Alpes Télécom SARL" in mine.body
    assert "Bretagne" not in mine.body  # registered
    bruno = service.decide(rt, "which of my partners are not registered yet?", user_id=BRUNO)
    assert "None of your partners" in bruno.body  # one registered, one declined


def test_a_partner_is_found_by_id_full_name_or_start_of_name(rt: Runtime, partners: list[object]) -> None:
    by_id = service.decide(rt, "status of lnk-0002?", user_id=ALICE)
    by_name = service.decide(rt, "Où en est Réseaux Dupont & Fils ?", user_id=ALICE)
    by_start = service.decide(rt, "where is Bretagne Réseaux at?", user_id=ALICE)
    assert by_id.slug == "partner_status" and "In progress" in by_id.body
    assert "Non contacté" in by_name.body and "LNK-0001" in by_name.body
    assert "Registered" in by_start.body and "LNK-0003" in by_start.body


def test_a_status_question_naming_no_partner_is_not_answered_with_an_empty_status(
    rt: Runtime, partners: list[object]
) -> None:
    decision = service.decide(rt, "Where do partners go online to register?", user_id=ALICE)
    assert decision.outcome == "unknown" and decision.body == ""
    assert decision.suggestions  # the closest questions it does know are offered instead


def test_a_status_question_about_a_partner_the_bot_does_not_know_says_so(rt: Runtime, partners: list[object]) -> None:
    decision = service.decide(rt, "is Techno Distrib SARL registered yet?", user_id=ALICE)
    assert decision.slug == "partner_status" and "no partner called “Techno Distrib SARL”" in decision.body
    introduced = service.decide(rt, "mon partenaire Cyber Réseaux, il est inscrit ou pas ?", user_id=ALICE)
    assert introduced.slug == "partner_status" and "« Cyber Réseaux »" in introduced.body
    company = service.decide(rt, "la société Cyber Réseaux est-elle inscrite ?", user_id=ALICE)
    assert company.slug == "partner_status" and "« Cyber Réseaux »" in company.body
    # A name in a question that asks nothing about a registration is no partner to look up.
    other = service.decide(rt, "Is Netgear doing the same thing with their partners?", user_id=ALICE)
    assert other.outcome == "unknown"


def test_a_customers_name_in_a_question_about_something_else_does_not_block_the_answer(
    rt: Runtime, partners: list[object]
) -> None:
    decision = service.decide(
        rt, "Mon client Informatique Dupont me demande ce qu'il doit faire, je lui dis quoi ?", user_id=ALICE
    )
    assert decision.outcome == "answered" and decision.slug == "what_to_do"


def test_a_name_that_is_no_partner_never_gets_an_empty_answer(rt: Runtime, partners: list[object]) -> None:
    # The whole message reads as a status question, but the name is no partner: a status entry has no text of its own.
    decision = service.decide(rt, "Que doit faire Informatique Dupont ?", user_id=ALICE)
    assert decision.outcome == "unknown" or decision.body.strip()


def test_a_two_part_question_gets_both_answers(rt: Runtime) -> None:
    both = service.decide(rt, "what did Cisco announce, and what is the deadline?", user_id=ALICE)
    assert "8 August" in both.body and "16 September" in both.body and not both.unanswered


def test_a_two_part_question_gets_the_part_the_article_answers_and_a_plain_i_dont_know_for_the_rest(
    rt: Runtime,
) -> None:
    decision = service.decide(rt, "Qui est le PDG de Cisco et quel âge a-t-il ?", user_id=ALICE)
    assert decision.outcome == "answered" and decision.slug == "ceo" and decision.unanswered == ("quel âge a-t-il",)
    assert "John Chambers" in decision.body and "Je ne sais pas pour « quel âge a-t-il »" in decision.body


def test_a_question_told_after_its_story_is_answered_as_the_question_alone(rt: Runtime) -> None:
    story = "For the onboarding deck on Monday, who heads Cisco?"
    eng = service.engine(rt)
    assert not eng.choose(story, "en").answered  # the whole message reads as no known question
    assert service.decide(rt, story, user_id=ALICE).slug == "ceo"
    fr = service.decide(
        rt, "Un client m'a appelé ce matin au sujet de son contrat, qui dirige Cisco en ce moment ?", user_id=ALICE
    )
    assert (fr.outcome, fr.slug, fr.lang) == ("answered", "ceo", "fr")


def test_a_known_question_among_many_unknown_ones_is_answered(rt: Runtime) -> None:
    unknown = " ".join(f"What is the price of the Cisco mug number {n}?" for n in range(30))
    decision = service.decide(rt, "Who is the CEO of Cisco? " + unknown, user_id=ALICE)
    assert decision.slug == "ceo" and "John Chambers" in decision.body and decision.unanswered


def test_a_partner_name_ending_in_a_number_is_looked_up_whole(rt: Runtime, partners: list[object]) -> None:
    decision = service.decide(rt, "statut de Bureautique Services 44 ?", user_id=ALICE)
    assert decision.slug == "partner_status" and "« Bureautique Services 44 »" in decision.body


def test_a_status_question_among_other_sentences_is_still_a_status_question(
    rt: Runtime, partners: list[object]
) -> None:
    decision = service.decide(
        rt,
        "Est-ce que la société Réseau Plus Informatique est bien enregistrée comme partenaire Cisco ? "
        "Leur gérant m'assure que oui mais j'ai un doute",
        user_id=ALICE,
    )
    assert decision.slug == "partner_status" and "« Réseau Plus Informatique »" in decision.body


@pytest.mark.parametrize(
    ("question", "name"),
    [
        # Named in the story, asked about with a pronoun in the question after it.
        (
            "Had a call with TechWave Distribution yesterday, their ops manager swore they submitted everything. "
            "Can you check whether they are actually registered yet?",
            "TechWave Distribution",
        ),
        # A French elision is split off the name: « d'Informatique Gagnon ».
        (
            "Le gérant d'Informatique Gagnon m'a appelé, il veut savoir si son inscription est passée",
            "Informatique Gagnon",
        ),
        # A name in camel case is a name even first in the sentence.
        ("NetWallonie, c'est fait ou pas ?", "NetWallonie"),
        # A company name from its first word, which is an ordinary word, to its legal form.
        ("Réseaux Martin SARL, c'est bon ils sont enrolled ?", "Réseaux Martin SARL"),
        # A name introduced as a name.
        (
            "a partner forwarded this to me, they're called Alpina IT GmbH, asking if their registration went "
            "through. can u check?",
            "Alpina IT GmbH",
        ),
    ],
)
def test_a_status_question_about_a_partner_named_earlier_or_first_is_looked_up(
    rt: Runtime, partners: list[object], question: str, name: str
) -> None:
    decision = service.decide(rt, question, user_id=ALICE)
    assert decision.slug == "partner_status" and name in decision.body


def test_a_pronoun_without_a_named_partner_is_not_a_status_question(rt: Runtime) -> None:
    decision = service.decide(rt, "Which of my partners are they still waiting on?", user_id=ALICE)
    assert decision.slug != "partner_status"
    # A program is no partner, whatever it is called.
    decision = service.decide(rt, "the program they're joining, is it called Cisco Select?", user_id=ALICE)
    assert decision.slug != "partner_status"


def test_context_after_a_question_is_not_answered_as_a_question_of_its_own(rt: Runtime) -> None:
    decision = service.decide(
        rt, "Can the deadline be extended for a big partner? they're asking for 2 more weeks", user_id=ALICE
    )
    assert decision.outcome == "unknown"
    kept = service.decide(rt, "On en est où sur les inscriptions ? J'ai besoin du chiffre pour lundi.", user_id=ALICE)
    assert kept.slug == "progress" and "Je ne sais pas" not in kept.body


def test_an_unknown_question_is_logged_and_posted_to_the_experts(rt: Runtime, standin: SlackStandIn) -> None:
    reply = asking.answer(rt, Asked(user_id=ALICE, text="Is there a registration fee?", channel="D0ALICE01"))
    assert "I don't know" in reply.text and "experts" in reply.text
    post = standin.calls_to("chat.postMessage")[-1]
    assert post.args["channel"] == "C0EXPERTS1" and "registration fee" in text_of(post.args)
    logged = questions(rt)[-1]
    assert logged.outcome == "unknown" and logged.expert_ts and logged.text == "Is there a registration fee?"


def test_the_part_of_a_question_nobody_knows_goes_to_the_experts_on_its_own(rt: Runtime, standin: SlackStandIn) -> None:
    text = "Who is the CEO of Cisco, and is there a registration fee?"
    reply = asking.answer(rt, Asked(user_id=ALICE, text=text, channel="D0ALICE01"))
    assert "John Chambers" in reply.text
    post = standin.calls_to("chat.postMessage")[-1]
    assert post.args["channel"] == "C0EXPERTS1" and "registration fee" in text_of(post.args)
    whole, part = questions(rt)[-2:]
    assert (whole.outcome, whole.entry_slug, whole.text) == ("answered", "ceo", text)
    assert (part.outcome, part.text) == ("unknown", "is there a registration fee") and part.expert_ts


def test_the_experts_answer_goes_to_the_asker_and_is_used_at_once(rt: Runtime, standin: SlackStandIn) -> None:
    rt.settings = rt.settings.model_copy(update={"expert_user_ids": frozenset({BRUNO})})
    asking.answer(rt, Asked(user_id=ALICE, text="Is there a registration fee?", channel="D0ALICE01"))
    question_id = str(questions(rt)[-1].id)
    modal = experts.open_expert_modal(rt, question_value=question_id, user_id=BRUNO)
    assert isinstance(modal, OpenModal)
    experts.save_expert_answer(
        rt, question_value=question_id, expert_id=BRUNO, values={Block.ANSWER: "The article names no fee."}
    )
    dm = standin.calls_to("chat.postMessage")[-1]
    assert dm.args["channel"] == ALICE and "The article names no fee." in text_of(dm.args)
    assert standin.calls_to("chat.update")[-1].args["ts"] == questions(rt)[0].expert_ts
    again = service.decide(rt, "is there a registration fee?", user_id=BRUNO)
    assert again.outcome == "answered" and "no fee" in again.body and f"<@{BRUNO}>" in again.source
    with pytest.raises(Conflict):
        experts.save_expert_answer(rt, question_value=question_id, expert_id=ADMIN, values={Block.ANSWER: "x"})


def test_one_vote_per_person_per_answer_the_last_counts(rt: Runtime) -> None:
    asking.answer(rt, Asked(user_id=ALICE, text="who is john chambers?"))
    qid = str(questions(rt)[-1].id)
    asking.vote(rt, question_value=qid, user_id=ALICE, up=True)
    asking.vote(rt, question_value=qid, user_id=ALICE, up=False)
    asking.vote(rt, question_value=qid, user_id=BRUNO, up=False)
    with rt.db.session() as session:
        votes = session.exec(select(Feedback.vote).where(Feedback.question_id == int(qid))).all()
    assert sum(votes) == -2
    gaps = faq.faq_command(rt, user_id=ADMIN, args=["gaps"])
    assert "who is john chambers?" in gaps.text and "ceo" in gaps.text  # type: ignore[union-attr]


def test_only_admins_manage_answers(rt: Runtime) -> None:
    with pytest.raises(NotAllowed):
        faq.faq_command(rt, user_id=ALICE, args=["gaps"])
    assert faq.check_faq_entry(rt, user_id=ALICE, values={Block.QUESTIONS_EN: "q", Block.ANSWER_EN: "a"})
    assert isinstance(faq.faq_command(rt, user_id=ADMIN, args=["add"]), OpenModal)


def test_a_french_admin_is_told_the_french_faq_forms_which_work(rt: Runtime) -> None:
    with reading("fr"), pytest.raises(BadInput) as wrong:
        faq.faq_command(rt, user_id=ADMIN, args=["liste"])
    forms = wrong.value.args[0] + " " + str(wrong.value.hint)
    assert "faq trous" in forms and "faq ajouter" in forms and "gaps" not in forms
    assert isinstance(faq.faq_command(rt, user_id=ADMIN, args=["ajouter"]), OpenModal)
    assert faq.faq_command(rt, user_id=ADMIN, args=["trous"]).text  # type: ignore[union-attr]


def test_a_new_entry_cannot_take_another_entrys_question(rt: Runtime) -> None:
    """Saved, « When is the deadline? » would have been answered « It is whenever. » instead of the computed date."""
    taken = {Block.QUESTIONS_EN: "when is the DEADLINE", Block.ANSWER_EN: "It is whenever."}
    errors = faq.check_faq_entry(rt, user_id=ADMIN, values=taken)
    assert "is answered by `deadline` already" in errors[Block.QUESTIONS_EN]
    assert faq.save_faq_entry(rt, user_id=ADMIN, slug="", values=taken) is None
    with reading("fr"):
        french = faq.check_faq_entry(
            rt, user_id=ADMIN, values={Block.QUESTIONS_FR: "Quelle est la date limite ?", Block.ANSWER_FR: "x"}
        )
    assert "a déjà sa réponse : `deadline`" in french[Block.QUESTIONS_FR]
    assert "16 September 2008" in service.decide(rt, "When is the deadline?", user_id=ALICE).body
    # An entry keeps its own questions when edited; saving the same new entry twice adds it once.
    ceo = service.engine(rt).entry("ceo")
    assert ceo is not None
    own = {Block.QUESTIONS_EN: ceo.questions_en[0], Block.ANSWER_EN: "J. C."}
    assert faq.check_faq_entry(rt, user_id=ADMIN, values=own, slug="ceo") == {}
    new = {Block.QUESTIONS_EN: "Is there a partner hotline?", Block.ANSWER_EN: "Yes: 0800 90 81 28."}
    assert faq.save_faq_entry(rt, user_id=ADMIN, slug="", values=new) is not None
    assert faq.save_faq_entry(rt, user_id=ADMIN, slug="", values=new) is None
    assert [e.slug for e in service.engine(rt).entries].count("is_there_a_partner_hotline") == 1


def test_an_admin_adds_and_edits_entries_used_at_once(rt: Runtime) -> None:
    values = {Block.QUESTIONS_EN: "Who pays for the migration?\nwho pays", Block.ANSWER_EN: "Nobody pays."}
    assert faq.check_faq_entry(rt, user_id=ADMIN, values=values) == {}
    assert faq.save_faq_entry(rt, user_id=ADMIN, slug="", values={Block.QUESTIONS_EN: "q"}) is None
    saved = faq.save_faq_entry(rt, user_id=ADMIN, slug="", values=values)
    assert saved is not None and "added" in saved.text
    assert "Nobody pays." in service.decide(rt, "who pays for the migration?", user_id=ALICE).body
    edit = faq.faq_command(rt, user_id=ADMIN, args=["edit", "ceo"])
    assert isinstance(edit, OpenModal) and edit.view["private_metadata"] == "ceo"
    faq.save_faq_entry(
        rt, user_id=ADMIN, slug="ceo", values={Block.QUESTIONS_EN: "Who is Cisco's CEO?", Block.ANSWER_EN: "J. C."}
    )
    answer = service.decide(rt, "Who is Cisco's CEO?", user_id=ALICE)
    # A rewritten answer is the admin's, not the article's; new phrasings alone keep the entry's source.
    assert answer.body == "J. C." and "August 2008" not in answer.source and ADMIN in answer.source
    council = faq.faq_command(rt, user_id=ADMIN, args=["edit", "council"])
    assert isinstance(council, OpenModal)
    kept = service.engine(rt).entry("council")
    assert kept is not None
    faq.save_faq_entry(
        rt,
        user_id=ADMIN,
        slug="council",
        values={
            Block.QUESTIONS_EN: "\n".join([*kept.questions_en, "what is that SMB advisory group"]),
            Block.QUESTIONS_FR: "\n".join(kept.questions_fr),
            Block.ANSWER_EN: kept.answer_en,
            Block.ANSWER_FR: kept.answer_fr,
        },
    )
    assert "August 2008" in service.decide(rt, "what is that SMB advisory group", user_id=ALICE).source


def test_another_process_adding_an_entry_is_seen_at_the_next_question(rt: Runtime) -> None:
    service.decide(rt, "hello", user_id=ALICE)  # builds the engine
    save_parking_entry(rt)
    assert service.decide(rt, "where do I park?", user_id=ALICE).body == "Level -2."


def test_a_forged_question_id_beyond_the_database_integer_is_refused(rt: Runtime) -> None:
    """Found by the fuzzer: eleven digits reached PostgreSQL, which refuses integers past 2**31 - 1."""
    for value in ("99999999999", "2147483648"):
        with pytest.raises(BadInput):
            asking.share(rt, question_value=value, user_id=ALICE)


def test_an_answer_naming_the_articles_deadline_names_the_one_set_here(
    rt: Runtime, settings: Settings, db: Database, clock: FixedClock
) -> None:
    moved = build_runtime(settings.model_copy(update={"transition_deadline": dt.date(2008, 9, 30)}), db=db, clock=clock)
    en = service.decide(moved, "What do Linksys partners have to do?", user_id=ALICE)
    fr = service.decide(moved, "Que doivent faire les partenaires Linksys ?", user_id=ALICE)
    assert "16 September" in en.body and "The deadline set here is Tuesday 30 September 2008." in en.body
    assert "16 septembre" in fr.body and "L'échéance retenue ici est le mardi 30 septembre 2008." in fr.body
    # The deadline's own answer names both dates once; nothing is added where the article's date is not named.
    deadline = service.decide(moved, "When is the deadline?", user_id=ALICE).body
    assert deadline.count("30 September 2008") == 1 and "The deadline set here is" not in deadline
    program = service.decide(moved, "Which program must partners join?", user_id=ALICE).body
    assert "deadline set here" not in program
    # With the article's deadline, its answers are as written.
    assert "deadline set here" not in service.decide(rt, "What do Linksys partners have to do?", user_id=ALICE).body


def test_thanks_get_a_short_reply_in_the_askers_language_not_the_help(rt: Runtime) -> None:
    en = service.decide(rt, "thank you so much!", user_id=ALICE)
    fr = service.decide(rt, "Merci pour l'info !", user_id=ALICE)
    assert en.slug == fr.slug == "thanks" and (en.lang, fr.lang) == ("en", "fr")
    assert en.body.startswith("You're welcome!") and fr.body.startswith("Avec plaisir !")
    assert "deadline" not in en.body and not en.source
    # Thanks around a question leave the question to be answered.
    assert service.decide(rt, "Thanks! By the way, when is the deadline?", user_id=ALICE).slug == "deadline"


def test_the_gaps_say_how_many_more_wait_and_list_a_question_asked_twice_once(rt: Runtime) -> None:
    for n in range(12):
        asking.answer(rt, Asked(user_id=BRUNO, text=f"What is the price of the Cisco mug number {n}?"))
    asking.answer(rt, Asked(user_id=BRUNO, text="What is the price of the Cisco mug number 11?"))
    listed = faq.faq_command(rt, user_id=ADMIN, args=["gaps"]).text  # type: ignore[union-attr]
    assert listed.count("mug number 11?") == 1  # Bruno asked it twice: one gap
    assert "…and 2 more questions waiting" in listed
    assert "mug number 1?" not in listed and "mug number 0?" not in listed  # the oldest wait their turn
