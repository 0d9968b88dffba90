"""`/transition nudges …` and `/transition nudge now`: read the words, call the service."""

from __future__ import annotations

from collections.abc import Sequence

from bot import help as help_texts
from bot.errors import BadInput
from bot.i18n import t
from bot.nudges import service
from bot.replies import Reply
from bot.runtime import Runtime

HEADS = frozenset({"nudge", "nudges", "relance", "relances"})
OFF = frozenset({"off", "mute", "stop", "non", "couper", "desactiver"})
ON = frozenset({"on", "unmute", "start", "oui", "retablir", "activer"})
PAUSE = frozenset({"pause", "suspendre"})
RESUME = frozenset({"resume", "reprendre", "unpause"})
NOW = frozenset({"now", "maintenant"})
FORCE = frozenset({"force", "--force", "forcer"})
LOG = frozenset({"log", "audit", "history", "historique", "journal"})


def understands(head: str, args: Sequence[str]) -> bool:
    """Say whether `/transition <head> <args>` (folded words) is meant as a nudges command rather than a question.

    A subcommand word or one lone word after `nudges` is a command, perhaps miswritten (`handle` then says how
    to write it); a sentence, or anything with a question mark, is a question about nudges.
    """
    if head not in HEADS:
        return False
    if not args:
        return True
    if any("?" in word for word in args):
        return False
    return args[0] in OFF | ON | PAUSE | RESUME | NOW | LOG or len(args) == 1


def handle(rt: Runtime, *, user_id: str, args: Sequence[str]) -> Reply:
    """Answer `/transition nudge(s) <args>`; `args` are the folded words after `nudges`."""
    if not args:
        return service.status(rt, user_id=user_id)
    word, rest = args[0], list(args[1:])
    if word in OFF and not rest:
        return service.set_muted(rt, user_id=user_id, muted=True)
    if word in ON and not rest:
        return service.set_muted(rt, user_id=user_id, muted=False)
    if word in PAUSE and not rest:
        return service.set_paused(rt, actor=user_id, paused=True)
    if word in RESUME and not rest:
        return service.set_paused(rt, actor=user_id, paused=False)
    if word in NOW and all(w in FORCE for w in rest) and len(rest) <= 1:
        return service.round_now_reply(rt, actor=user_id, force=bool(rest))
    if word in LOG and not rest:
        return service.audit(rt, actor=user_id)
    command = rt.settings.transition_command
    raise BadInput(
        t("nudges.not_a_command", text=help_texts.quote(" ".join(args))), hint=t("nudges.usage", command=command)
    )
