"""`/transition`: deadline, progress, help, admin switches; any other text is a question."""

from __future__ import annotations

from bot import help as help_texts
from bot.nudges import commands as nudge_commands
from bot.progress import build_deadline, build_progress, current_progress
from bot.qa import service as qa_service
from bot.replies import Outcome
from bot.runtime import Runtime
from bot.text import fold

FRENCH_WORDS = {"aide", "echeance", "progression", "avancement", "relances"}
_SIMPLE = {"deadline", "echeance", "progress", "progression", "avancement"}
MAX_COMMAND_WORDS = 4
"""The command words are few: only the first ones are folded to tell a command from a question."""


def _head_and_rest(text: str) -> tuple[list[str], str, list[str]]:
    words = text.split(maxsplit=MAX_COMMAND_WORDS)
    head = fold(words[0]) if words else ""
    return words, head, [fold(w) for w in words[1:MAX_COMMAND_WORDS]]


def is_question(text: str) -> bool:
    """Say whether `/transition text` is a question to answer rather than one of the command's words."""
    _, head, rest = _head_and_rest(text)
    if head in ("", "help", "aide", "?", "faq") or (head in _SIMPLE and not rest):
        return False
    return not nudge_commands.understands(head, rest)


def handle(rt: Runtime, *, user_id: str, text: str, channel_id: str = "") -> Outcome:
    """Answer one `/transition` command."""
    words = text.split()
    head = fold(words[0]) if words else ""
    rest = [fold(w) for w in words[1:]]
    lang = "fr" if head in FRENCH_WORDS else "en"
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
        return nudge_commands.handle(rt, user_id=user_id, args=rest)
    if head == "faq":
        return qa_service.faq_command(rt, user_id=user_id, args=words[1:])
    # Any other text is a question, answered to the asker only with a button to share it.
    return qa_service.answer_command(rt, user_id=user_id, text=text, channel_id=channel_id)
