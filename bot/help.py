"""Help texts for the slash commands, in the reader's language, naming both forms of every subcommand."""

from __future__ import annotations

from bot.blocks import context, section
from bot.i18n import t
from bot.replies import Reply
from bot.slack_text import escape, truncate
from bot.statuses import typed_forms

PARTNER_VERBS = (("show", "voir"), ("update", "maj"), ("assign", "attribuer"), ("mine", "mes"), ("find", "chercher"))


def quote(text: str, limit: int = 80) -> str:
    """User text made safe to echo inside backticks."""
    return escape(truncate(" ".join(text.split()), limit)).replace("`", "'")


def partner_help(command: str = "/partner", lang: str | None = None) -> Reply:
    """Usage of `/partner`: every subcommand in English and in French."""
    lines = [t(f"help.partner.{en}", lang, command=command, verb=f"{en}|{fr}") for en, fr in PARTNER_VERBS]
    lines.append(t("help.partner.export", lang, command=command, verb="export|exporter"))
    lines.append(t("help.partner.import", lang, command=command, verb="import|importer"))
    lines.append(t("help.partner.help", lang, command=command, verb="help|aide"))
    body = escape("\n".join(lines))
    notes = escape(t("help.partner.notes", lang, command=command, statuses=typed_forms()))
    text = f"{t('help.partner.intro', lang, command=command)}\n{body}\n{notes}"
    return Reply(
        text=text,
        blocks=[section(t("help.partner.title", lang, command=command)), section(body), context(notes)],
    )


def transition_help(command: str = "/transition", lang: str | None = None) -> Reply:
    """Usage of `/transition`."""
    keys = ("question", "deadline", "progress", "language", "nudges", "nudge_now", "faq_gaps", "faq_add", "faq_edit")
    lines = [t(f"help.transition.{key}", lang, command=command) for key in keys]
    intro = t("help.transition.intro", lang)
    body = escape("\n".join(lines))
    return Reply(text=f"{intro}\n{body}", blocks=[section(intro), section(body)])
