"""Whose language each message of the questions' loop is in, over signed HTTP against the Slack stand-in, on SQLite
and PostgreSQL: a vote's thanks in the clicker's, an expert's first form in the expert's, an expert's answer with a
clean source line in each asker's, and a note when it exists only in the other language."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.ids import Action, View
from bot.ids import Block as BlockId
from storage.db import Database
from tests.conftest import RunningBot, bots_started
from tests.qa.test_e2e import button, posts_to, submit
from tests.slack_standin import SlackStandIn, text_of

FRANCOISE, ALICE = "U0FRANC01", "U0ALICE01"
FRANCK = "U0FRANC02"
EXPERTS_CHANNEL = "C0EXPERTS1"
CAT_QUESTION = "Quelle est la couleur du chat du PDG ?"
Start = Callable[..., RunningBot]


@pytest.fixture
def start(standin: SlackStandIn, database_url: str, db: Database, clock: FixedClock) -> Iterator[Start]:
    """Start the bot with two French-speaking experts beside the usual (English-speaking) people."""
    standin.add_person(FRANCOISE, "françoise", "francoise@example.com", "Europe/Paris", locale="fr-FR")
    standin.add_person(FRANCK, "franck", "franck@example.com", "Europe/Paris", locale="fr-FR")
    with bots_started(standin, database_url, db, clock, experts=frozenset({FRANCOISE, FRANCK})) as starter:
        yield starter


def _expert_form(question_id: str) -> dict[str, Any]:
    return {"callback_id": View.EXPERT_ANSWER, "private_metadata": question_id}


def _escalate(bot: RunningBot, standin: SlackStandIn, user: str, text: str) -> str:
    """Ask `text` as `user` by /transition; return the value of the Answer button of its post to the experts."""
    bot.sender.command("/transition", text, user)
    request = standin.wait_for(lambda s: posts_to(s, EXPERTS_CHANNEL))[-1]
    return str(button(request, Action.EXPERT_ANSWER)["value"])


def _ask(bot: RunningBot, standin: SlackStandIn, user: str, text: str) -> str:
    _, _, key = bot.sender.command("/transition", text, user)
    return text_of(standin.wait_response(key))


def test_a_vote_is_thanked_in_the_clickers_language(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    bot.sender.mention(FRANCOISE, "Quelle est la date limite ?")
    answer = standin.wait_for(lambda s: posts_to(s, "C0SALES01"))[0]
    assert "septembre" in text_of(answer)
    question_id = button(answer, Action.ANSWER_VOTE_UP)["value"]
    _, _, key = bot.sender.click(ALICE, Action.ANSWER_VOTE_UP, question_id)
    assert text_of(standin.wait_response(key)) == "Thanks for the 👍 — noted."
    _, _, key = bot.sender.click(FRANCOISE, Action.ANSWER_VOTE_DOWN, question_id)
    assert text_of(standin.wait_response(key)).startswith("Merci pour le 👎")
    assert not standin.problems


def test_an_experts_first_form_is_refused_in_their_language(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    status, _ = submit(bot, FRANCOISE, _expert_form("999"), {BlockId.ANSWER: "Il est noir."})
    assert status == 200
    gone = standin.wait_for(lambda s: posts_to(s, FRANCOISE))[0]
    assert text_of(gone) == "Je n'ai plus cette question."

    question_id = _escalate(bot, standin, ALICE, CAT_QUESTION)
    submit(bot, FRANCOISE, _expert_form(question_id), {BlockId.ANSWER: "Il est noir."})
    standin.wait_for(lambda s: posts_to(s, ALICE))
    status, _ = submit(bot, FRANCK, _expert_form(question_id), {BlockId.ANSWER: "Il est blanc."})
    assert status == 200
    late = standin.wait_for(lambda s: posts_to(s, FRANCK))[0]
    assert text_of(late) == f"<@{FRANCOISE}> a déjà répondu à cette question."
    assert not standin.problems


def test_an_experts_answer_names_its_source_cleanly_in_each_language(start: Start, standin: SlackStandIn) -> None:
    bot = start()
    question_id = _escalate(bot, standin, ALICE, CAT_QUESTION)
    submit(bot, FRANCOISE, _expert_form(question_id), {BlockId.ANSWER: "Il est noir."})
    standin.wait_for(lambda s: posts_to(s, ALICE))

    french = _ask(bot, standin, FRANCOISE, CAT_QUESTION)
    assert "Il est noir." in french
    assert f"Source : réponse de notre expert <@{FRANCOISE}> (mardi 2 septembre 2008)" in french
    assert "answer from" not in french and "Cette réponse n'existe" not in french

    # Asked in English, the French answer comes with a note that it exists only in French.
    english = _ask(bot, standin, ALICE, "What colour is the CEO's cat?")
    assert "This answer exists only in French:\nIl est noir." in english
    assert f"Source: answer from our expert <@{FRANCOISE}> (Tuesday 2 September 2008)" in english
    assert "our expert answer from" not in english
    assert not standin.problems
