"""The FAQ admin: `/transition faq gaps|add|edit`, and moving a gap to the entry that answers it, for admins; what is
saved here is used at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

from bot.errors import BadInput, Conflict, NotAllowed, NotFound
from bot.i18n import reading, t
from bot.ids import Block as BlockId
from bot.qa.knowledge import SLUG, split_lines
from bot.qa.service import engine
from bot.qa.terms import flat, fold_word
from bot.questions import builders, entries, experts, faq_builders
from bot.questions.asking import read_question_id
from bot.questions.builders import BEYOND
from bot.questions.faq_builders import NEAR_LISTED, Gap, Near
from bot.replies import OpenModal, Outcome, Reply
from bot.runtime import Runtime
from bot.slack_text import escape
from storage import knowledge as store

log = logging.getLogger(__name__)

NEAR_FLOOR = 0.75
"""Cosine from which a question marked beyond the bot's knowledge is offered to a saved entry that sits close to it
(to one of its phrasings or its answer): below it, in the shipped questions, few are what the entry answers."""


def _when(rt: Runtime, at: dt.datetime) -> str:
    return at.astimezone(rt.settings.tz).strftime("%Y-%m-%d %H:%M")


def faq_command(rt: Runtime, *, user_id: str, args: list[str]) -> Outcome:
    """`/transition faq gaps|add|edit <entry>` for admins."""
    command = rt.settings.transition_command
    if not rt.is_admin(user_id):
        raise NotAllowed(t("qa.admins_only"), hint=t("qa.admins_only_hint"))
    action = fold_word(args[0]) if args else ""
    if action in ("gaps", "trous", "lacunes"):
        return gaps(rt)
    if action in ("add", "ajouter") and len(args) == 1:
        return OpenModal(faq_builders.build_faq_modal())
    if action in ("edit", "modifier") and len(args) == 2:
        return edit_modal(rt, slug=args[1])
    raise BadInput(t("qa.faq_usage"), hint=t("qa.faq_usage_hint", command=command))


def gaps(rt: Runtime) -> Reply:
    """Unanswered questions and down-voted answers."""
    unanswered, down = _open_gaps(rt)
    with rt.db.session() as session:
        total = store.count_unanswered(session=session)
    return faq_builders.build_gaps(
        unanswered=unanswered, down_voted=down, command=rt.settings.transition_command, total=total
    )


def _open_gaps(rt: Runtime) -> tuple[list[Gap], list[Gap]]:
    """The questions nobody answered, and the answers voted down, that no admin has reviewed yet (a question one
    person asked twice, once)."""
    with rt.db.session() as session:
        missing = store.unanswered(session=session)
        bad = store.down_voted(session=session)
    once = {(q.user_id, q.text.casefold()): q for q in reversed(missing)}  # the first time they asked it
    missing = [q for q in missing if once[(q.user_id, q.text.casefold())] is q]
    unanswered = [Gap(q.id or 0, q.text, q.language, _when(rt, q.asked_at), q.entry_slug, None) for q in missing]
    down = [
        Gap(
            d.question.id or 0,
            d.question.text,
            d.question.language,
            _when(rt, d.question.asked_at),
            d.question.entry_slug,
            d.total,
        )
        for d in bad
    ]
    return unanswered, down


def edit_modal(rt: Runtime, *, slug: str) -> OpenModal:
    """The FAQ modal filled with the entry `slug`."""
    entry = engine(rt).entry(slug.strip())
    if entry is None:
        raise NotFound(
            t("qa.no_entry", slug=escape(slug[:100])),
            hint=t("qa.no_entry_hint", command=rt.settings.transition_command),
        )
    if entry.live:
        raise BadInput(t("qa.live_entry", slug=entry.slug), hint=t("qa.live_entry_hint"))
    return OpenModal(
        faq_builders.build_faq_modal(
            slug=entry.slug,
            questions_en=entry.questions_en,
            questions_fr=entry.questions_fr,
            answer_en=entry.answer_en,
            answer_fr=entry.answer_fr,
        )
    )


def check_faq_entry(rt: Runtime, *, user_id: str, values: dict[str, str], slug: str = "") -> dict[str, str]:
    """Errors to show in the FAQ modal for the entry `slug` (empty: a new one), by block ID (empty when fine)."""
    if not rt.is_admin(user_id):
        return {BlockId.QUESTIONS_EN: t("qa.admins_only_change")}
    if not (split_lines(values.get(BlockId.QUESTIONS_EN, "")) or split_lines(values.get(BlockId.QUESTIONS_FR, ""))):
        return {BlockId.QUESTIONS_EN: t("qa.modal.need_question")}
    if not (values.get(BlockId.ANSWER_EN, "").strip() or values.get(BlockId.ANSWER_FR, "").strip()):
        return {BlockId.ANSWER_EN: t("qa.modal.need_answer")}
    return _asked_elsewhere(rt, slug, values)


def _asked_elsewhere(rt: Runtime, slug: str, values: dict[str, str]) -> dict[str, str]:
    """A way of asking that another entry has already: saved, the new entry would take its question silently (a
    computed answer such as the deadline's included)."""
    owner: dict[str, str] = {}
    for entry in engine(rt).entries:
        if entry.slug != slug:
            for text in (*entry.questions_en, *entry.questions_fr):
                owner.setdefault(flat(text), entry.slug)
    for block in (BlockId.QUESTIONS_EN, BlockId.QUESTIONS_FR):
        for line in split_lines(values.get(block, "")):
            if (other := owner.get(flat(line))) is not None:
                command = rt.settings.transition_command
                return {block: t("qa.modal.asked_elsewhere", question=line[:100], slug=other, command=command)}
    return {}


def _new_slug(first_question: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", fold_word(first_question)).strip("_")[:40] or "entry"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}_{n}", n + 1
    return slug


def save_faq_entry(rt: Runtime, *, user_id: str, slug: str, values: dict[str, str]) -> Reply | None:
    """Add or replace an entry from the FAQ modal; it is used at once. None when the modal showed errors."""
    if not rt.is_admin(user_id):
        raise NotAllowed(t("qa.admins_only_change"))
    if check_faq_entry(rt, user_id=user_id, values=values, slug=slug):
        return None  # the modal showed the errors and was not accepted
    questions_en = "\n".join(split_lines(values.get(BlockId.QUESTIONS_EN, "")))
    questions_fr = "\n".join(split_lines(values.get(BlockId.QUESTIONS_FR, "")))
    eng = engine(rt)
    existing = eng.entry(slug) if slug else None
    if slug and (existing is None or not SLUG.match(slug)):
        raise NotFound(t("qa.entry_gone", slug=escape(slug[:100])))
    if not slug:
        first = (questions_en or questions_fr).splitlines()[0]
        slug = _new_slug(first, {e.slug for e in eng.entries})
    now = rt.clock.now()
    answer_en, answer_fr = values.get(BlockId.ANSWER_EN, "").strip(), values.get(BlockId.ANSWER_FR, "").strip()
    # The source vouches for the answer's text: an answer rewritten here is the admin's, not the article's.
    same_answer = existing is not None and (existing.answer_en, existing.answer_fr) == (answer_en, answer_fr)
    with rt.db.session(write=True) as session:
        store.save_entry(
            session=session,
            slug=slug,
            questions_en=questions_en,
            questions_fr=questions_fr,
            answer_en=answer_en,
            answer_fr=answer_fr,
            source=existing.source_key
            if existing and existing.source_key and same_answer
            else f"<@{user_id}> ({now.date().isoformat()})",
            origin="admin",
            by=user_id,
            now=now,
        )
    eng.refresh(rt, force=True)
    log.info("knowledge entry %s saved by an admin", slug)
    near = eng.index.near_beyond(slug, floor=NEAR_FLOOR, limit=NEAR_LISTED)
    offered = [Near(question_key(example.text), example.text, example.lang) for example in near]
    # The gaps this entry now comes first for: moving one answers whoever still waits (as the gaps' picker does).
    unanswered, down = _open_gaps(rt)
    open_gaps = {gap.question_id: gap for gap in [*unanswered, *down]}.values()  # a block ID names a question once
    waiting = [gap for gap in open_gaps if eng.choose(gap.text, gap.lang).entry.slug == slug]
    return faq_builders.build_saved(slug=slug, created=existing is None, near=offered, waiting=waiting)


def question_key(text: str) -> str:
    """A question's short fingerprint, for a button to name it (its text may be too long for a button's value)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def relabel_beyond(rt: Runtime, *, value: str, user_id: str) -> Reply:
    """`Answer with <entry>` under a question marked beyond the bot's knowledge (offered when the entry was saved):
    the question becomes one more phrasing of the entry, at once, and the next refit learns from it."""
    if not rt.is_admin(user_id):
        raise NotAllowed(t("qa.admins_only_change"), hint=t("qa.admins_only_hint"))
    slug, _, key = value.partition(" ")
    entry = entries.chosen(rt, slug)
    eng = engine(rt)
    found = next((example for example in eng.index.negatives if question_key(example.text) == key), None)
    if found is None:
        with rt.db.session() as session:
            done = [e.text for e in store.list_examples(session) if e.slug == slug and question_key(e.text) == key]
        if not done:  # a second click on the same button finds it moved already
            raise Conflict(t("qa.not_beyond"))
        return faq_builders.build_relabelled(text=done[0], slug=entry.slug)
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        store.relabel(session, text=found.text, lang=found.lang, slug=entry.slug, created_by=user_id, now=now)
    eng.refresh(rt, force=True)
    log.info("a question marked beyond the knowledge moved to %s by an admin", entry.slug)
    return faq_builders.build_relabelled(text=found.text, slug=entry.slug)


def move_question(rt: Runtime, *, question_value: str, value: str, user_id: str) -> Reply:
    """`Move to…` in the gaps: an admin names the entry that answers a question, or says none can (`BEYOND`).

    The question becomes an example of that entry (or a negative one) and leaves the gaps. An escalated question
    nobody answered yet is answered as an expert pointing it would: the asker gets the entry's answer by DM.
    """
    if not rt.is_admin(user_id):
        raise NotAllowed(t("qa.admins_only_change"), hint=t("qa.admins_only_hint"))
    question_id = read_question_id(question_value)
    entry = None if value == BEYOND else entries.chosen(rt, value)
    with rt.db.session() as session:
        found = store.get_question(session=session, question_id=question_id)
    if found is None:
        raise NotFound(t("qa.question_gone"))
    if entry is not None and found.outcome == "unknown":
        return experts.point_question(
            rt, question_value=question_value, slug=entry.slug, user_id=user_id, origin=store.ADMIN
        )
    slug = entry.slug if entry is not None else None
    with rt.db.session(write=True) as session:
        question = store.lock_question(session=session, question_id=question_id)
        if question is None:
            raise NotFound(t("qa.question_gone"))
        if question.outcome != "unknown" and store.vote_total(session=session, question_id=question_id) >= 0:
            raise Conflict(t("qa.gaps.not_a_gap"))
        store.add_example(
            session,
            text=question.text,
            lang=question.language,
            slug=slug,
            origin=store.ADMIN,
            question_id=question_id,
            created_by=user_id,
            now=rt.clock.now(),
        )
        text, asker, lang = question.text, question.user_id, question.language
        # Still waiting for the experts: the asker hears that nobody will answer, and the experts' post says so
        # (an expert may still write an answer, which then wins over this verdict).
        waiting = slug is None and bool(question.expert_ts) and question.answered_by is None
        expert_ts = question.expert_ts
    engine(rt).refresh(rt, force=True)
    log.info("question %s moved by an admin to %s", question_id, slug or "beyond the bot's knowledge")
    if waiting:
        rt.client.chat_postMessage(
            channel=asker, **builders.build_beyond_reply(question=text, lang=lang).as_message_kwargs()
        )
        with reading(rt.settings.experts_language):
            post = builders.build_expert_beyond(user_id=asker, text=text, admin_id=user_id, lang=lang)
        experts.update_post(rt, question_id, expert_ts, post)
    return faq_builders.build_moved(text=text, slug=slug)
