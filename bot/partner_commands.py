"""`/partner`: parse the text once, then show, update, assign, list or search partners."""

from __future__ import annotations

from bot import help as help_texts
from bot.errors import BadInput
from bot.i18n import t
from bot.partners import files, parsing, service
from bot.partners.builders import FormOrigin
from bot.partners.file_builders import notice
from bot.replies import Outcome
from bot.runtime import Runtime


def handle(rt: Runtime, *, user_id: str, text: str, channel_id: str = "") -> Outcome:
    """Answer one `/partner` command."""
    command = rt.settings.partner_command
    parsed = parsing.parse(text, command)
    if isinstance(parsed, parsing.Help):
        return help_texts.partner_help(command)
    if isinstance(parsed, parsing.Show):
        return service.show(rt, text=parsed.partner)
    if isinstance(parsed, parsing.OpenForm):
        return service.open_update_form(rt, origin=FormOrigin("command", channel_id))
    if isinstance(parsed, parsing.Update):
        return service.update(rt, actor=user_id, command=parsed)
    if isinstance(parsed, parsing.Assign):
        return service.assign(rt, actor=user_id, partner_text=parsed.partner, assignee=parsed.assignee)
    if isinstance(parsed, parsing.Mine):
        return service.mine(rt, actor=user_id)
    if isinstance(parsed, parsing.Export):
        return files.export(rt, actor=user_id, mine=parsed.mine, xlsx=parsed.xlsx)
    if isinstance(parsed, parsing.ImportHelp):
        return notice(t("files.how"), ephemeral=True)
    if isinstance(parsed, parsing.Find):
        return service.find(rt, actor=user_id, text=parsed.text)
    shown = service.show_exact(rt, text=parsed.text)
    if shown is not None:
        return shown
    raise BadInput(
        t("error.not_a_command", text=help_texts.quote(text), command=command),
        hint=t("error.try_help", command=command),
    )
