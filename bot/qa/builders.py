"""Pure Block Kit builders for answers, "I don't know", the experts' loop, votes and the FAQ admin."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import (
    MESSAGE_BLOCKS_MAX,
    Block,
    actions,
    button,
    context,
    divider,
    plain_text,
    section,
    split_sections,
)
from bot.ids import Action, View
from bot.ids import Block as BlockId
from bot.ids import Field as FieldId
from bot.replies import Reply
from bot.text import escape, truncate

MODAL_INPUT_MAX = 3000
QUOTE_MAX = 500
GAPS_LISTED = 15


@dataclass(frozen=True)
class Answered:
    """An answer ready to render: its text (mrkdwn), where it comes from, and the logged question's ID."""

    lang: str
    body: str
    source: str
    question_id: int | None
    share: bool = False


@dataclass(frozen=True)
class Unknown:
    """An "I don't know", with the closest questions the bot does know."""

    lang: str
    suggestions: tuple[str, ...]
    escalated: bool
    question_id: int | None
    capped: bool = False
    """Not passed on: the asker sent the experts their hourly share already; the question waits for the admins."""


CAPPED_EN = "You have sent the experts many questions this hour: I've kept this one for the admins to answer later."
CAPPED_FR = "Vous avez transmis beaucoup de questions aux experts cette heure-ci : je garde celle-ci pour les admins."
BUSY_EN = ":hourglass: I'm answering a lot of questions right now. Please ask again in a minute."
BUSY_FR = ":hourglass: Je réponds à beaucoup de questions en ce moment. Reposez la vôtre dans une minute."


def build_capped(lang: str) -> Reply:
    """Tell an asker that their question was kept for the gaps instead of being posted to the experts."""
    return Reply(text=t(lang, CAPPED_EN, CAPPED_FR))


def build_busy() -> Reply:
    """Tell an asker that the bot has too many questions in hand to take theirs now."""
    return Reply(text=f"{BUSY_EN}\n{BUSY_FR}")


def t(lang: str, en: str, fr: str) -> str:
    """Pick the English or French text."""
    return fr if lang == "fr" else en


def source_line(source: str, lang: str) -> str:
    """`Source: …` / `Source : …`."""
    return t(lang, f"Source: {source}", f"Source : {source}")


def _vote_buttons(question_id: int, lang: str, *, share: bool) -> Block:
    elements = [
        button("👍", Action.ANSWER_VOTE_UP, str(question_id)),
        button("👎", Action.ANSWER_VOTE_DOWN, str(question_id)),
    ]
    if share:
        elements.insert(
            0,
            button(
                t(lang, "Share in channel", "Partager dans le canal"),
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
    body = split_sections(answer.body)[: MESSAGE_BLOCKS_MAX - len(tail)]
    text = answer.body + (f"\n{source_line(answer.source, answer.lang)}" if answer.source else "")
    return Reply(text=text, blocks=[*body, *tail])


def build_unknown(unknown: Unknown) -> Reply:
    """Say plainly that the bot does not know, offer the closest known questions, say who was asked."""
    lang = unknown.lang
    head = t(
        lang,
        ":thinking_face: I don't know the answer to that, and I'd rather not guess.",
        ":thinking_face: Je ne sais pas répondre à cela, et je préfère ne pas deviner.",
    )
    if unknown.escalated:
        head += " " + t(
            lang,
            "I've passed your question on to our experts; their answer will come to you by direct message.",
            "J'ai transmis votre question à nos experts ; leur réponse vous arrivera en message direct.",
        )
    elif unknown.capped:
        head += " " + t(lang, CAPPED_EN, CAPPED_FR)
    blocks = [section(head)]
    lines = [head]
    if unknown.suggestions:
        intro = t(
            lang, "Questions I can answer that look close:", "Des questions proches auxquelles je sais répondre :"
        )
        listed = "\n".join(f"• {escape(q)}" for q in unknown.suggestions)
        blocks.append(section(f"{intro}\n{listed}"))
        lines += [intro, listed]
    return Reply(text="\n".join(lines), blocks=blocks)


def quote(text: str) -> str:
    """User text as an inert mrkdwn quote."""
    return "\n".join(f"> {line}" for line in escape(truncate(text, QUOTE_MAX)).splitlines() or [">"])


def build_expert_request(*, question_id: int, user_id: str, text: str, lang: str) -> Reply:
    """The post in the experts channel: who asked what, in which language, and an Answer button."""
    language = "French" if lang == "fr" else "English"
    head = f":raising_hand: <@{user_id}> asked a question I could not answer ({language}):\n{quote(text)}"
    return Reply(
        text=f"<@{user_id}> asked a question I could not answer: {escape(truncate(text, QUOTE_MAX))}",
        blocks=[
            section(head),
            actions(button("Answer", Action.EXPERT_ANSWER, str(question_id), style="primary")),
        ],
        ephemeral=False,
    )


def build_expert_answered(*, user_id: str, text: str, expert_id: str, lang: str) -> Reply:
    """The experts' post once answered: the button is gone, who answered is said."""
    language = "French" if lang == "fr" else "English"
    head = f":white_check_mark: <@{user_id}> asked ({language}):\n{quote(text)}"
    return Reply(
        text=f"Answered by <@{expert_id}>: {escape(truncate(text, QUOTE_MAX))}",
        blocks=[section(head), context(f"Answered by <@{expert_id}>; the answer is now in the knowledge base.")],
        ephemeral=False,
    )


def _input(block_id: str, label: str, *, initial: str = "", optional: bool = False, hint: str = "") -> Block:
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
    """The modal where an expert writes the answer (in the asker's language, optionally translated)."""
    main = t(lang, "Answer (in English)", "Réponse (en français)")
    other_id = BlockId.ANSWER_FR if lang == "en" else BlockId.ANSWER_EN
    other = "Same answer in French (optional)" if lang == "en" else "Same answer in English (optional)"
    return {
        "type": "modal",
        "callback_id": View.EXPERT_ANSWER,
        "private_metadata": str(question_id),
        "title": plain_text("Answer a question", 24),
        "submit": plain_text("Send", 24),
        "close": plain_text("Cancel", 24),
        "blocks": [
            section(f"*Question*\n{quote(text)}"),
            _input(BlockId.ANSWER, main, hint="Goes to the asker by DM and becomes a new answer of the bot at once."),
            _input(other_id, other, optional=True),
        ],
    }


def build_faq_modal(
    *,
    slug: str = "",
    questions_en: Sequence[str] = (),
    questions_fr: Sequence[str] = (),
    answer_en: str = "",
    answer_fr: str = "",
) -> dict[str, Any]:
    """The modal to add an entry, or edit the one named by `slug`."""
    return {
        "type": "modal",
        "callback_id": View.FAQ_ENTRY,
        "private_metadata": slug,
        "title": plain_text("Edit an answer" if slug else "Add an answer", 24),
        "submit": plain_text("Save", 24),
        "close": plain_text("Cancel", 24),
        "blocks": [
            context(f"Entry `{escape(slug)}`" if slug else "A new entry of the knowledge base, used at once."),
            _input(
                BlockId.QUESTIONS_EN,
                "Questions in English",
                initial="\n".join(questions_en),
                optional=True,
                hint="One way of asking per line: formal, casual, with the usual typos.",
            ),
            _input(BlockId.QUESTIONS_FR, "Questions en français", initial="\n".join(questions_fr), optional=True),
            _input(BlockId.ANSWER_EN, "Answer in English", initial=answer_en, optional=True),
            _input(BlockId.ANSWER_FR, "Réponse en français", initial=answer_fr, optional=True),
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


def build_thanks(lang: str, vote: int) -> Reply:
    """The reply to a 👍 or 👎."""
    if vote > 0:
        text = t(lang, "Thanks for the 👍 — noted.", "Merci pour le 👍, c'est noté.")
    else:
        text = t(
            lang,
            "Thanks for the 👎 — noted; the admins will review this answer.",
            "Merci pour le 👎, c'est noté ; les admins vont revoir cette réponse.",
        )
    return Reply(text=text)


def build_shared(*, user_id: str, answer: Reply) -> Reply:
    """An answer shared in the channel by the person who asked."""
    intro = f"<@{user_id}> shared an answer:"
    blocks = [section(intro), *[b for b in (answer.blocks or []) if b.get("type") != "actions"]]
    return Reply(text=f"{intro}\n{answer.text}", blocks=blocks[:MESSAGE_BLOCKS_MAX], ephemeral=False)


@dataclass(frozen=True)
class Gap:
    """A question to look at: never answered, or its answer voted down."""

    question_id: int
    text: str
    lang: str
    asked: str
    slug: str | None
    votes: int | None


def build_gaps(*, unanswered: Sequence[Gap], down_voted: Sequence[Gap], command: str) -> Reply:
    """`/transition faq gaps`: questions without an answer and answers voted down, with buttons to fix them."""
    blocks: list[Block] = [section("*Questions I could not answer* (newest first)")]
    lines = ["Questions I could not answer:"]
    if not unanswered:
        blocks.append(context("None: every question got an answer."))
    for gap in unanswered[:GAPS_LISTED]:
        line = f"{quote(gap.text)}\n_{gap.asked} · {gap.lang.upper()}_"
        blocks.append(section(line, accessory=button("Answer", Action.EXPERT_ANSWER, str(gap.question_id))))
        lines.append(f"- {escape(truncate(gap.text, 200))}")
    blocks += [divider(), section("*Answers voted down*")]
    lines.append("Answers voted down:")
    if not down_voted:
        blocks.append(context("None."))
    for gap in down_voted[:GAPS_LISTED]:
        line = f"{quote(gap.text)}\n_answered from `{escape(gap.slug or '?')}` · votes {gap.votes:+d}_"
        accessory = button("Edit answer", Action.FAQ_EDIT, gap.slug) if gap.slug else None
        blocks.append(section(line, accessory=accessory))
        lines.append(f"- {escape(truncate(gap.text, 200))} ({gap.slug}, {gap.votes:+d})")
    blocks.append(context(escape(f"Add an answer: `{command} faq add` · edit one: `{command} faq edit <entry>`")))
    return Reply(text="\n".join(lines), blocks=blocks[:MESSAGE_BLOCKS_MAX])


def build_saved(*, slug: str, created: bool) -> Reply:
    """Confirmation to an admin that an entry was saved."""
    verb = "added" if created else "updated"
    return Reply(text=f":white_check_mark: Answer `{escape(slug)}` {verb}; I use it from now on.")


def build_expert_reply(*, question: str, answer: str, expert_id: str, lang: str, question_id: int) -> Reply:
    """The DM to the asker carrying an expert's answer."""
    head = t(
        lang,
        f":bulb: <@{expert_id}> answered your question:\n{quote(question)}",
        f":bulb: <@{expert_id}> a répondu à votre question :\n{quote(question)}",
    )
    body = build_answer(
        Answered(
            lang=lang,
            body=answer,
            source=t(lang, f"answer from <@{expert_id}>", f"réponse de <@{expert_id}>"),
            question_id=question_id,
        )
    )
    return Reply(text=f"{head}\n{body.text}", blocks=[section(head), *(body.blocks or [])][:MESSAGE_BLOCKS_MAX])
