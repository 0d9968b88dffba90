"""`/transition`: deadline, progress, help, admin switches; any other text is a question."""

from __future__ import annotations

import logging

from bot import help as help_texts
from bot.errors import BadInput
from bot.i18n import Lang, current, parse_lang, reading, set_reader, t
from bot.nudges import commands as nudge_commands
from bot.progress import build_deadline, build_progress, current_progress
from bot.questions import asking, faq
from bot.replies import Outcome, Reply
from bot.runtime import Runtime
from bot.slack_text import fold
from storage import users as user_store

log = logging.getLogger(__name__)

FRENCH_WORDS = {"aide", "echeance", "progression", "avancement", "relances"}
LANGUAGE_WORDS = {"language", "langue", "lang"}
_SIMPLE = {"deadline", "echeance", "progress", "progression", "avancement"}
MAX_COMMAND_WORDS = 4
"""The command words are few: only the first ones are folded to tell a command from a question."""


def _head_and_rest(text: str) -> tuple[list[str], str, list[str]]:
    words = text.split(maxsplit=MAX_COMMAND_WORDS)
    head = fold(words[0]) if words else ""
    return words, head, [fold(w) for w in words[1:MAX_COMMAND_WORDS]]


def is_question(text: str) -> bool:
    """Say whether `/transition text` is a question to answer rather than one of the command's words."""
    words, head, rest = _head_and_rest(text)
    if head in ("", "help", "aide", "?", "faq") or (head in _SIMPLE and not rest):
        return False
    if head in LANGUAGE_WORDS and len(rest) <= 1:
        return False
    # The remainder past the command words comes as one folded piece: enough to see a question mark in it.
    return not nudge_commands.understands(head, [fold(w) for w in words[1:]])


def handle(rt: Runtime, *, user_id: str, text: str, channel_id: str = "") -> Outcome:
    """Answer one `/transition` command."""
    words = text.split()
    head = fold(words[0]) if words else ""
    rest = [fold(w) for w in words[1:]]
    # A French command word asks for French even from someone whose Slack speaks English.
    lang = Lang.FR if head in FRENCH_WORDS else current()
    if head in LANGUAGE_WORDS and len(rest) <= 1:
        return choose_language(rt, user_id=user_id, text=" ".join(words[1:]))
    if head in ("", "help", "aide", "?"):
        return help_texts.transition_help(rt.settings.transition_command, lang)
    if head in ("deadline", "echeance") and not rest:
        return build_deadline(
            deadline=rt.settings.transition_deadline,
            days=rt.days_left(),
            tz=rt.settings.transition_timezone,
            lang=lang,
        )
    if head in ("progress", "progression", "avancement") and not rest:
        return build_progress(current_progress(rt), lang)
    if nudge_commands.understands(head, rest):
        with reading(lang):
            return nudge_commands.handle(rt, user_id=user_id, args=rest)
    if head == "faq":
        return faq.faq_command(rt, user_id=user_id, args=words[1:])
    # Any other text is a question, answered to the asker only with a button to share it.
    return asking.answer_command(rt, user_id=user_id, text=text, channel_id=channel_id)


def choose_language(rt: Runtime, *, user_id: str, text: str) -> Reply:
    """`/transition language fr|en`: keep the person's choice, and confirm in the language chosen."""
    command = rt.settings.transition_command
    if not text.strip():
        return Reply(text=t("language.current", command=command))
    lang = parse_lang(text)
    if lang is None:
        raise BadInput(
            t("language.unknown", text=help_texts.quote(text)), hint=t("language.unknown_hint", command=command)
        )
    with rt.db.session(write=True) as session:
        user_store.choose_language(session=session, user_id=user_id, language=lang.value, now=rt.clock.now())
    log.info("%s reads the bot in %s from now on", user_id, lang.value)
    set_reader(lang)
    return Reply(text=t("language.set", lang))
