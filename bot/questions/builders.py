"""Pure Block Kit builders for answers, "I don't know", the experts' loop and votes (the FAQ admin's are in
faq_builders)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    plain_text,
    section,
    split_sections,
)
from bot.i18n import Lang, long_date, t
from bot.ids import Action, View
from bot.ids import Block as BlockId
from bot.ids import Field as FieldId
from bot.replies import Reply
from bot.slack_text import escape, truncate

MODAL_INPUT_MAX = 3000
MODAL_TITLE_MAX = 24
QUOTE_MAX = 500
OPTION_TEXT_MAX = 75
OPTIONS_MAX = 100
"""Slack shows at most 100 options in a menu."""
BEYOND = "-"
"""The value of "Beyond the bot's knowledge" in the gaps' picker: no slug is written so."""


@dataclass(frozen=True)
class Answered:
    """An answer ready to render: its text (mrkdwn), where it comes from, and the logged question's ID."""

    lang: str
    body: str
    source: str
    question_id: int | None
    share: bool = False
    written_in: str | None = None
    """The other language, when the answer exists only in that one (an entry written in one language only)."""


@dataclass(frozen=True)
class Unknown:
    """An "I don't know", with the closest questions the bot does know."""

    lang: str
    suggestions: tuple[str, ...]
    escalated: bool
    question_id: int | None
    capped: bool = False
    """Not passed on: the asker sent the experts their hourly share already; the question waits for the admins."""
    waiting: bool = False
    """Not passed on: the experts have this question from this asker already, unanswered."""
    beyond: bool = False
    """Not passed on: the admins marked this question beyond the bot's knowledge."""


def build_not_passed_on(lang: str, *, waiting: bool) -> Reply:
    """Tell an asker why their question was not posted to the experts: they have it already, or the asker sent them
    their hourly share and it was kept for the gaps."""
    return Reply(text=t("qa.waiting" if waiting else "qa.capped", lang))


def build_busy() -> Reply:
    """Tell an asker, in their language, that the bot has too many questions in hand to take theirs now."""
    return Reply(text=t("qa.busy"))


_SAVED_ON = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")
"""The day an answer was added in Slack, as stored in its source: `<@U…> (2026-12-08)`."""


def source_line(source: str, lang: str) -> str:
    """`Source: …` / `Source : …`, the day an answer was added written for the reader (« 8 décembre 2026 »)."""

    def day(found: re.Match[str]) -> str:
        try:
            return f"({long_date(dt.date.fromisoformat(found.group(1)), lang)})"
        except ValueError:
            return found.group(0)

    return t("qa.source", lang, source=_SAVED_ON.sub(day, source))


def _vote_buttons(question_id: int, lang: str, *, share: bool) -> Block:
    elements = [
        button("👍", Action.ANSWER_VOTE_UP, str(question_id)),
        button("👎", Action.ANSWER_VOTE_DOWN, str(question_id)),
    ]
    if share:
        elements.insert(
            0,
            button(
                t("qa.share", lang),
                Action.ANSWER_SHARE,
                str(question_id),
                style="primary",
            ),
        )
    return actions(*elements)


def build_answer(answer: Answered) -> Reply:
    """An answer with its source, 👍/👎 and, for a slash command, a button to share it."""
    tail: list[Block] = []
    if answer.source:
        tail.append(context(source_line(answer.source, answer.lang)))
    if answer.question_id is not None:
        tail.append(_vote_buttons(answer.question_id, answer.lang, share=answer.share))
    said = answer.body
    if answer.written_in:
        language = t(f"qa.language_name.{Lang(answer.written_in).value}", answer.lang)
        said = t("qa.only_in", answer.lang, language=language) + f"\n{said}"
    body = split_sections(said)[: MESSAGE_BLOCKS_MAX - len(tail)]
    text = said + (f"\n{source_line(answer.source, answer.lang)}" if answer.source else "")
    return Reply(text=text, blocks=[*body, *tail])


def build_unknown(unknown: Unknown) -> Reply:
    """Say plainly that the bot does not know, offer the closest known questions, say who was asked."""
    lang = unknown.lang
    head = t("qa.unknown", lang)
    if unknown.escalated:
        head += " " + t("qa.escalated", lang)
    elif unknown.beyond:
        head += " " + t("qa.beyond", lang)
    elif unknown.waiting:
        head += " " + t("qa.waiting", lang)
    elif unknown.capped:
        head += " " + t("qa.capped", lang)
    blocks = [section(head)]
    lines = [head]
    if unknown.suggestions:
        intro = t("qa.suggestions", lang)
        listed = "\n".join(f"• {escape(q)}" for q in unknown.suggestions)
        blocks.append(section(f"{intro}\n{listed}"))
        lines += [intro, listed]
    return Reply(text="\n".join(lines), blocks=blocks)


def quote(text: str) -> str:
    """User text as an inert mrkdwn quote."""
    return "\n".join(f"> {line}" for line in escape(truncate(text, QUOTE_MAX)).splitlines() or [">"])


def question_block_id(question_id: int) -> str:
    """The ID of the block holding a logged question's buttons and pickers: a picker's choice carries only a slug."""
    return f"{BlockId.QUESTION}.{question_id}"


def question_of_block(block_id: str) -> str:
    """The question ID a block's ID carries, as typed (empty when it carries none)."""
    prefix, _, value = block_id.partition(".")
    return value if prefix == BlockId.QUESTION else ""


def entry_picker(action_id: str, placeholder: str) -> Block:
    # Entries may outgrow a static menu's 100 options: Slack asks for the options matching what is typed.
    return {
        "type": "external_select",
        "action_id": action_id,
        "placeholder": plain_text(placeholder),
        "min_query_length": 0,
    }


@dataclass(frozen=True)
class EntryChoice:
    """A knowledge entry as a picker shows it: its slug, and its first phrasing in the reader's language."""

    slug: str
    title: str


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain_text(text, OPTION_TEXT_MAX), "value": value}


def build_entry_options(choices: Sequence[EntryChoice], *, beyond: bool = False) -> dict[str, Any]:
    """The answer to a picker's options request: the entries, after "Beyond the bot's knowledge" with `beyond`."""
    options = [_option(t("qa.gaps.beyond"), BEYOND)] if beyond else []
    options += [_option(choice.title, choice.slug) for choice in choices]
    return {"options": options[:OPTIONS_MAX]}


def build_expert_request(*, question_id: int, user_id: str, text: str, lang: str) -> Reply:
    """The post in the experts channel (in the reader's language): who asked what, in which language, a button to
    answer and a picker to point the question at an entry that answers it already."""
    language = t(f"qa.language_name.{Lang(lang).value}")
    head = t("qa.expert_request", asker=f"<@{user_id}>", language=language) + f"\n{quote(text)}"
    plain = t("qa.expert_request_plain", asker=f"<@{user_id}>", text=escape(truncate(text, QUOTE_MAX)))
    return Reply(
        text=plain,
        blocks=[
            section(head),
            actions(
                button(t("qa.answer"), Action.EXPERT_ANSWER, str(question_id), style="primary"),
                entry_picker(Action.EXPERT_POINT, t("qa.point")),
                block_id=question_block_id(question_id),
            ),
        ],
        ephemeral=False,
    )


def _handled_head(*, user_id: str, text: str, lang: str) -> str:
    """The head of an experts' post once the question is handled: who asked, in which language, and what."""
    language = t(f"qa.language_name.{Lang(lang).value}")
    return t("qa.expert_answered_head", asker=f"<@{user_id}>", language=language) + f"\n{quote(text)}"


def build_expert_answered(*, user_id: str, text: str, expert_id: str, lang: str) -> Reply:
    """The experts' post once answered (in the reader's language): the button is gone, who answered is said."""
    head = _handled_head(user_id=user_id, text=text, lang=lang)
    return Reply(
        text=t("qa.expert_answered_plain", expert=f"<@{expert_id}>", text=escape(truncate(text, QUOTE_MAX))),
        blocks=[section(head), context(t("qa.expert_answered", expert=f"<@{expert_id}>"))],
        ephemeral=False,
    )


def build_expert_pointed(*, user_id: str, text: str, expert_id: str, lang: str, choice: EntryChoice) -> Reply:
    """The experts' post once pointed at an entry (in the reader's language): who pointed it at which entry."""
    head = _handled_head(user_id=user_id, text=text, lang=lang)
    expert = f"<@{expert_id}>"
    slug = escape(choice.slug)
    done = t("qa.expert_pointed", expert=expert, slug=slug, question=escape(truncate(choice.title, QUOTE_MAX)))
    return Reply(
        text=t("qa.expert_pointed_plain", expert=expert, slug=slug, text=escape(truncate(text, QUOTE_MAX))),
        blocks=[section(head), context(done)],
        ephemeral=False,
    )


def build_expert_beyond(*, user_id: str, text: str, admin_id: str, lang: str) -> Reply:
    """The experts' post once an admin marked the question beyond the bot's knowledge (in the reader's language)."""
    head = _handled_head(user_id=user_id, text=text, lang=lang)
    done = t("qa.expert_beyond", admin=f"<@{admin_id}>")
    return Reply(text=done, blocks=[section(head), context(done)], ephemeral=False)


def build_beyond_reply(*, question: str, lang: str) -> Reply:
    """The DM to an asker waiting for the experts: the team marked their question beyond what the bot answers."""
    text = t("qa.beyond_reply", lang) + f"\n{quote(question)}"
    return Reply(text=text, blocks=[section(text)])


def build_pointed_done(*, asker: str, slug: str) -> Reply:
    """Tell whoever pointed a question at an entry that the asker has its answer."""
    return Reply(text=t("qa.pointed_done", asker=f"<@{asker}>", slug=escape(slug)))


def modal_input(block_id: str, label: str, *, initial: str = "", optional: bool = False, hint: str = "") -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": FieldId.TEXT,
        "multiline": True,
        "max_length": MODAL_INPUT_MAX,
    }
    if initial:
        element["initial_value"] = initial[:MODAL_INPUT_MAX]
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain_text(label, 2000),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint, 2000)
    return block


def build_expert_modal(*, question_id: int, text: str, lang: str) -> dict[str, Any]:
    """The modal where an expert writes the answer in the asker's language `lang`, optionally translated.

    Its labels are in the expert's own language.
    """
    asker = Lang(lang)
    other_lang = Lang.FR if asker is Lang.EN else Lang.EN
    other_id = BlockId.ANSWER_FR if asker is Lang.EN else BlockId.ANSWER_EN
    return {
        "type": "modal",
        "callback_id": View.EXPERT_ANSWER,
        "private_metadata": str(question_id),
        "title": plain_text(t("qa.modal.expert_title"), MODAL_TITLE_MAX),
        "submit": plain_text(t("qa.modal.send"), MODAL_TITLE_MAX),
        "close": plain_text(t("form.cancel"), MODAL_TITLE_MAX),
        "blocks": [
            section(t("qa.modal.question") + f"\n{quote(text)}"),
            modal_input(
                BlockId.ANSWER,
                t(f"qa.modal.answer_in.{asker.value}"),
                hint=t("qa.modal.answer_hint"),
            ),
            modal_input(other_id, t(f"qa.modal.same_answer_in.{other_lang.value}"), optional=True),
        ],
    }


def read_modal(values: Mapping[str, Any]) -> dict[str, str]:
    """The text of every input of a submitted modal, by block ID (missing ones empty)."""
    out: dict[str, str] = {}
    for block_id, fields in values.items():
        field = fields.get(FieldId.TEXT) if isinstance(fields, dict) else None
        value = field.get("value") if isinstance(field, dict) else None
        out[str(block_id)] = value.strip() if isinstance(value, str) else ""
    return out


def build_thanks(vote: int) -> Reply:
    """The reply to a 👍 or 👎, in the language of whoever clicked (not necessarily the answer's)."""
    return Reply(text=t("qa.thanks_up" if vote > 0 else "qa.thanks_down"))


def build_shared(*, user_id: str, answer: Reply, lang: str | None = None) -> Reply:
    """An answer shared in the channel by the person who asked, introduced in the answer's language."""
    intro = t("qa.shared", lang, user=f"<@{user_id}>")
    blocks = [section(intro), *[b for b in (answer.blocks or []) if b.get("type") != "actions"]]
    return Reply(text=f"{intro}\n{answer.text}", blocks=blocks[:MESSAGE_BLOCKS_MAX], ephemeral=False)


def build_kept(answer: Reply) -> Reply:
    """The asker's private answer once shared: in place of the one with the Share button, saying it was shared."""
    done = context(t("qa.shared_done"))
    blocks = [*(answer.blocks or [])[: MESSAGE_BLOCKS_MAX - 1], done]
    return dataclasses.replace(answer, blocks=blocks, replace_original=True)


def _answer_with_head(head: str, answer: Answered) -> Reply:
    body = build_answer(answer)
    return Reply(text=f"{head}\n{body.text}", blocks=[section(head), *(body.blocks or [])][:MESSAGE_BLOCKS_MAX])


def build_expert_reply(*, question: str, answer: str, expert_id: str, lang: str, question_id: int) -> Reply:
    """The DM to the asker carrying an expert's answer."""
    head = t("qa.expert_reply", lang, expert=f"<@{expert_id}>") + f"\n{quote(question)}"
    source = t("qa.expert_source", lang, expert=f"<@{expert_id}>")
    return _answer_with_head(head, Answered(lang=lang, body=answer, source=source, question_id=question_id))


def build_pointed_reply(*, question: str, answer: Answered, expert_id: str) -> Reply:
    """The DM to the asker carrying the answer of the entry an expert pointed their question at."""
    head = t("qa.pointed_reply", answer.lang, expert=f"<@{expert_id}>") + f"\n{quote(question)}"
    return _answer_with_head(head, answer)
