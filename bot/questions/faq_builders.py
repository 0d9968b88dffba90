"""Pure Block Kit builders for the FAQ admin: the entry form, the gaps, and what an admin is told after a change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.blocks import MESSAGE_BLOCKS_MAX, Block, actions, button, context, divider, plain_text, section
from bot.i18n import t, tn
from bot.ids import Action, View
from bot.ids import Block as BlockId
from bot.questions.builders import MODAL_TITLE_MAX, entry_picker, modal_input, question_block_id, quote
from bot.replies import Reply
from bot.slack_text import escape, truncate

GAPS_LISTED = 10
"""Questions listed in each half of the gaps: each takes two blocks (the question, its buttons and picker)."""


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
        "title": plain_text(t("qa.modal.faq_edit" if slug else "qa.modal.faq_add"), MODAL_TITLE_MAX),
        "submit": plain_text(t("form.save"), MODAL_TITLE_MAX),
        "close": plain_text(t("form.cancel"), MODAL_TITLE_MAX),
        "blocks": [
            context(t("qa.modal.entry", slug=escape(slug)) if slug else t("qa.modal.new_entry")),
            modal_input(
                BlockId.QUESTIONS_EN,
                t("qa.modal.questions_in.en"),
                initial="\n".join(questions_en),
                optional=True,
                hint=t("qa.modal.questions_hint"),
            ),
            modal_input(
                BlockId.QUESTIONS_FR, t("qa.modal.questions_in.fr"), initial="\n".join(questions_fr), optional=True
            ),
            modal_input(BlockId.ANSWER_EN, t("qa.modal.answer_in.en"), initial=answer_en, optional=True),
            modal_input(BlockId.ANSWER_FR, t("qa.modal.answer_in.fr"), initial=answer_fr, optional=True),
        ],
    }


@dataclass(frozen=True)
class Gap:
    """A question to look at: never answered, or its answer voted down."""

    question_id: int
    text: str
    lang: str
    asked: str
    slug: str | None
    votes: int | None


def _gap_actions(gap: Gap, first: Block | None) -> Block:
    picker = entry_picker(Action.GAP_MOVE, t("qa.gaps.move"))
    return actions(*([first] if first else []), picker, block_id=question_block_id(gap.question_id))


def build_gaps(*, unanswered: Sequence[Gap], down_voted: Sequence[Gap], command: str, total: int = 0) -> Reply:
    """`/transition faq gaps`: questions without an answer and answers voted down, with buttons to fix them and a
    picker to move each to the entry that answers it, or out of the bot's knowledge."""
    blocks: list[Block] = [section(t("qa.gaps.unanswered_head"))]
    lines = [t("qa.gaps.unanswered_plain")]
    if not unanswered:
        blocks.append(context(t("qa.gaps.unanswered_none")))
    listed = unanswered[:GAPS_LISTED]
    for gap in listed:
        blocks.append(section(f"{quote(gap.text)}\n_{gap.asked} · {gap.lang.upper()}_"))
        blocks.append(_gap_actions(gap, button(t("qa.answer"), Action.EXPERT_ANSWER, str(gap.question_id))))
        lines.append(f"- {escape(truncate(gap.text, 200))}")
    if total > len(listed):  # the rest wait their turn: answering or moving these brings the next ones up
        more = tn("qa.gaps.more", total - len(listed))
        blocks.append(context(more))
        lines.append(more)
    blocks += [divider(), section(t("qa.gaps.down_head"))]
    lines.append(t("qa.gaps.down_plain"))
    if not down_voted:
        blocks.append(context(t("qa.gaps.down_none")))
    # A block ID names one question once in a message.
    seen = {gap.question_id for gap in listed}
    for gap in [gap for gap in down_voted if gap.question_id not in seen][:GAPS_LISTED]:
        votes = f"{gap.votes:+d}"
        line = f"{quote(gap.text)}\n_" + t("qa.gaps.answered_from", slug=escape(gap.slug or "?"), votes=votes) + "_"
        blocks.append(section(line))
        blocks.append(_gap_actions(gap, button(t("qa.gaps.edit"), Action.FAQ_EDIT, gap.slug) if gap.slug else None))
        lines.append(f"- {escape(truncate(gap.text, 200))} ({gap.slug}, {votes})")
    blocks.append(context(t("qa.gaps.footer", command=command)))
    return Reply(text="\n".join(lines), blocks=blocks[:MESSAGE_BLOCKS_MAX])


def build_moved(*, text: str, slug: str | None) -> Reply:
    """Tell an admin that a question now leads to the entry `slug`, or (None) lies beyond the bot's knowledge."""
    question = escape(truncate(text, 200))
    if slug is None:
        return Reply(text=t("qa.gaps.moved_beyond", question=question))
    return Reply(text=t("qa.gaps.moved", question=question, slug=escape(slug)))


@dataclass(frozen=True)
class Near:
    """A question marked beyond the bot's knowledge that sits close to an entry, and the key its button carries."""

    key: str
    text: str
    lang: str


NEAR_LISTED = 5
"""Questions of each kind offered to a newly saved entry (beyond the knowledge, waiting in the gaps): a block each."""


@dataclass(frozen=True)
class _Offer:
    """A question offered to a saved entry: its text, where it comes from, and the button that moves it."""

    text: str
    where: str
    action: Block
    block_id: str | None = None


def near_value(slug: str, key: str) -> str:
    """What the button moving a question to the entry `slug` carries (slugs hold no space)."""
    return f"{slug} {key}"


def build_saved(*, slug: str, created: bool, near: Sequence[Near] = (), waiting: Sequence[Gap] = ()) -> Reply:
    """Confirmation to an admin that an entry was saved, with the questions it may answer, each with a button to
    answer it with the entry from now on: those marked beyond the bot's knowledge that look close to it, and those
    waiting in the gaps that it now comes first for (the button does what the gaps' picker does)."""
    text = t("qa.saved_added" if created else "qa.saved_updated", slug=escape(slug))
    move = t("qa.near_move", slug=slug)
    beyond = [
        _Offer(q.text, f"_{q.lang.upper()}_", button(move, Action.BEYOND_MOVE, near_value(slug, q.key)))
        for q in near[:NEAR_LISTED]
    ]
    gaps = [
        _Offer(
            g.text,
            f"_{g.asked} · {g.lang.upper()}_",
            button(move, Action.GAP_MOVE, slug),
            question_block_id(g.question_id),
        )
        for g in waiting[:NEAR_LISTED]
    ]
    blocks, lines = [section(text)], [text]
    for head, offers in (
        (t("qa.near_beyond", slug=escape(slug)), beyond),
        (t("qa.near_waiting", slug=escape(slug)), gaps),
    ):
        if offers:
            blocks.append(section(head))
            lines.append(head)
        for offer in offers:
            blocks.append(
                section(f"{quote(offer.text)}\n{offer.where}", accessory=offer.action, block_id=offer.block_id)
            )
            lines.append(f"- {escape(truncate(offer.text, 200))}")
    return Reply(text="\n".join(lines), blocks=blocks if len(blocks) > 1 else None)


def build_relabelled(*, text: str, slug: str) -> Reply:
    """Tell an admin that a question once beyond the bot's knowledge now leads to the entry `slug`."""
    return Reply(text=t("qa.relabelled", question=escape(truncate(text, 200)), slug=escape(slug)))
