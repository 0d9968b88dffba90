"""What people may do with partners, and doing it: show, update, assign, undo, mine, find, the form."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.directory import Person
from bot.errors import BadInput, Conflict, DatabaseUnavailable, NotAllowed, NotFound
from bot.home import home_view
from bot.i18n import number, t, tn
from bot.ids import Block as BlockId
from bot.partners import builders
from bot.partners.builders import NOTE_MAX, FormOrigin, Submission, code
from bot.partners.parsing import Assignee, Split, Update, decode
from bot.partners.resolver import (
    Ambiguous,
    Found,
    Missing,
    name_index,
    resolve,
    resolve_exact,
    resolve_first,
    resolve_fuzzy,
)
from bot.replies import OpenModal, Reply
from bot.runtime import Runtime
from bot.slack_text import clean, escape, fold
from bot.statuses import OPEN, ORDER, Status, label, parse_status
from storage import partners as store
from storage.models import Partner

log = logging.getLogger(__name__)

UNDO_WINDOW = dt.timedelta(minutes=5)
HISTORY_SHOWN = 5
MINE_SHOWN = 25
FIND_SHOWN = 10
OPTIONS_SHOWN = 50
# What a partner ID typed as is looks like; anything else goes through resolution.
_PLAIN_ID = re.compile(r"[\w.\-/#:]{1,64}")
UNDOABLE_SOURCES = frozenset({"command", "button", "modal"})
SOURCES = frozenset({"command", "button", "modal", "import", "undo", "assign"})


@dataclass(frozen=True)
class UpdateResult:
    """A status change that was made, and the reply confirming it (with Undo)."""

    partner_key: str
    partner_id: str
    name: str
    old_status: Status
    new_status: Status
    note: str
    change_id: int
    reply: Reply


@dataclass(frozen=True)
class Done:
    """What to send after a change made outside a message: a DM to the person, and their fresh App Home."""

    reply: Reply
    home: dict[str, Any] | None = None


def _command(rt: Runtime) -> str:
    return rt.settings.partner_command


def _key(key: str) -> str:
    """A partner key as given by a button or a caller, made safe to look up."""
    return clean(key).upper()[:64]


def clean_note(note: str) -> str:
    """The note as kept: control and direction-override characters dropped; refused whole when too long."""
    note = clean(note)
    if len(note) > NOTE_MAX:
        raise BadInput(
            t("error.note_too_long", length=number(len(note)), max=number(NOTE_MAX)),
            hint=t("error.note_too_long_hint"),
        )
    return note


def _missing(rt: Runtime, result: Missing) -> NotFound:
    if result.by_id:
        hint = builders.closest_hint(result.closest, _command(rt), by_id=True)
        return NotFound(t("error.no_id", key=code(result.query)), hint=hint)
    what = t("error.no_match", query=code(result.query)) if result.query else t("error.which_partner")
    return NotFound(what, hint=builders.closest_hint(result.closest, _command(rt)))


def _not_found(rt: Runtime, key: str) -> NotFound:
    return NotFound(t("error.no_partner", key=code(key)), hint=t("error.no_partner_hint", command=_command(rt)))


def _actor_email(rt: Runtime, actor: str) -> str | None:
    person = rt.directory.by_id(actor)
    return person.email.lower() if person and person.email else None


def _may_change(rt: Runtime, partner: Partner, actor: str, actor_email: str | None) -> bool:
    """Owners and admins may change a partner; so may the person whose e-mail the import named."""
    if rt.is_admin(actor) or partner.owner_user_id == actor:
        return True
    return partner.owner_user_id is None and bool(actor_email) and actor_email == partner.owner_email


def _refuse(rt: Runtime, partner: Partner, verb: str) -> NotAllowed:
    owner = builders.owner_text(partner)
    return NotAllowed(
        t(f"error.refused_{verb}", partner=builders.title(partner), owner=owner),
        hint=t("error.refused_hint", owner=owner, command=_command(rt)),
    )


def _prepare(rt: Runtime, actor: str, key: str) -> str | None:
    """Check the partner exists and, when it has no Slack owner yet, learn the actor's e-mail (outside any lock)."""
    with rt.db.session() as session:
        partner = store.get_partner(session=session, key=key)
    if partner is None:
        raise _not_found(rt, key)
    return _email_if_unowned(rt, actor, partner)


def _email_if_unowned(rt: Runtime, actor: str, partner: Partner) -> str | None:
    """The actor's e-mail when `partner` (as last read) has no Slack owner yet: it may name the actor as owner."""
    if partner.owner_user_id is None and not rt.is_admin(actor):
        return _actor_email(rt, actor)
    return None


def _lock_for_change(
    rt: Runtime, session: Session, actor: str, key: str, actor_email: str | None, verb: str
) -> Partner:
    partner = store.lock_partner(session=session, key=key)
    if partner is None:
        raise _not_found(rt, key)
    if not _may_change(rt, partner, actor, actor_email):
        raise _refuse(rt, partner, verb)
    if partner.owner_user_id is None and actor_email and actor_email == partner.owner_email:
        store.claim_owner(session=session, email=actor_email, user_id=actor)
        partner.owner_user_id = actor
    return partner


def set_status(
    rt: Runtime,
    *,
    actor: str,
    partner_key: str,
    status: Status,
    note: str,
    source: str,
    replace: bool = False,
    seen: Status | None = None,
) -> UpdateResult:
    """Change a partner's status (owner or admin only), append it to the history, and confirm with Undo.

    `seen`: the status the person saw when they clicked (a digest's button, maybe days old); if the partner's has
    changed since, nothing changes and they are told: « Contacted » on a partner registered since is no news."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    note = clean_note(note)
    partner_key = _key(partner_key)
    actor_email = _prepare(rt, actor, partner_key)
    return _change_status(
        rt,
        actor=actor,
        actor_email=actor_email,
        partner_key=partner_key,
        status=status,
        note=note,
        source=source,
        replace=replace,
        seen=seen,
    )


def _change_status(
    rt: Runtime,
    *,
    actor: str,
    actor_email: str | None,
    partner_key: str,
    status: Status,
    note: str,
    source: str,
    replace: bool = False,
    seen: Status | None = None,
) -> UpdateResult:
    """Lock the partner, check the actor may change it, and record the change (`note` already cleaned)."""
    with rt.db.session(write=True) as session:
        partner = _lock_for_change(rt, session, actor, partner_key, actor_email, "change")
        if seen is not None and partner.status != seen.value:
            raise Conflict(
                t("error.changed_since_seen", partner=builders.title(partner), status=label(Status(partner.status))),
                hint=t("error.undo_changed_since_hint", command=_command(rt), id=partner.partner_id),
            )
        return _record_status(
            rt, session, partner, actor=actor, status=status, note=note, source=source, replace=replace
        )


def _record_status(
    rt: Runtime,
    session: Session,
    partner: Partner,
    *,
    actor: str,
    status: Status,
    note: str,
    source: str,
    replace: bool = False,
) -> UpdateResult:
    """Record a status change of a partner locked and checked in `session`, and build its confirmation."""
    status = Status(status)
    now = rt.clock.now()
    old = Status(partner.status)
    change = store.record_change(
        session=session,
        partner=partner,
        at=now,
        by=actor,
        source=source,
        status=status.value,
        note=note,
        partner_note=note or None,
    )
    reply = builders.build_update_done(
        partner, change, undo_until=now + UNDO_WINDOW, tz=rt.settings.tz, replace=replace
    )
    assert change.id is not None
    log.info("partner %s: %s -> %s by %s (%s)", partner.partner_key, old.value, status.value, actor, source)
    return UpdateResult(partner.partner_key, partner.partner_id, partner.name, old, status, note, change.id, reply)


def _update_by_id(rt: Runtime, *, actor: str, split: Split) -> Reply | None:
    """`/partner update <ID> …`, the usual way to name a partner, in one transaction: lock, check, record.

    A first reading that is a plain ID (no quotes, spaces or control characters: as resolution
    looks IDs up) and names a partner is also what resolution would pick. None when it names no
    partner, or when the partner has no Slack owner yet and the actor is no admin: their e-mail,
    which may make them its owner, is then learned outside any lock, as for any update.
    """
    if not _PLAIN_ID.fullmatch(split.partner):
        return None
    note = clean_note(split.note)
    with rt.db.session(write=True) as session:
        partner = store.lock_partner(session=session, key=split.partner)
        if partner is None or (partner.owner_user_id is None and not rt.is_admin(actor)):
            return None
        if not _may_change(rt, partner, actor, None):
            raise _refuse(rt, partner, "change")
        return _record_status(rt, session, partner, actor=actor, status=split.status, note=note, source="command").reply


def update(rt: Runtime, *, actor: str, command: Update) -> Reply:
    """`/partner update <partner> <status> [note]`: change it, or ask which partner when several match."""
    if command.splits and (done := _update_by_id(rt, actor=actor, split=command.splits[0])) is not None:
        return done
    with rt.db.session() as session:
        i, found = resolve_first(session, [split.partner for split in command.splits])
    split = command.splits[i]
    note = clean_note(split.note)
    if isinstance(found, Found):
        # The partner was just read: no second read before the locked one, which checks it again.
        return _change_status(
            rt,
            actor=actor,
            actor_email=_email_if_unowned(rt, actor, found.partner),
            partner_key=found.partner.partner_key,
            status=split.status,
            note=note,
            source="command",
        ).reply
    if isinstance(found, Ambiguous):
        return builders.build_choice(
            verb="update",
            query=found.query,
            candidates=found.candidates,
            total=found.total,
            arg=split.status.value,
            note=note,
        )
    raise _missing(rt, found)


def card(rt: Runtime, partner: Partner, *, replace: bool = False) -> Reply:
    """A partner's card: status, owner, last note, recent history."""
    assert partner.id is not None
    with rt.db.session() as session:
        entries = store.history(session=session, partner_pk=partner.id, limit=HISTORY_SHOWN)
    reply = builders.build_card(partner, entries, tz=rt.settings.tz)
    return Reply(text=reply.text, blocks=reply.blocks, replace_original=replace)


def show(rt: Runtime, *, text: str) -> Reply:
    """`/partner show <partner>`."""
    with rt.db.session() as session:
        found = resolve(session, text)
    if isinstance(found, Found):
        return card(rt, found.partner)
    if isinstance(found, Ambiguous):
        return builders.build_choice(verb="show", query=found.query, candidates=found.candidates, total=found.total)
    raise _missing(rt, found)


def show_key(rt: Runtime, *, key: str, replace: bool = False) -> Reply:
    """The card of the partner with ID `key`."""
    with rt.db.session() as session:
        partner = store.get_partner(session=session, key=_key(key))
    if partner is None:
        raise _not_found(rt, key)
    return card(rt, partner, replace=replace)


def show_exact(rt: Runtime, *, text: str) -> Reply | None:
    """The card of the partner `text` names exactly (ID or name), if any."""
    with rt.db.session() as session:
        found = resolve_exact(session, text)
    return card(rt, found.partner) if isinstance(found, Found) else None


def _assignee(rt: Runtime, who: Assignee) -> Person:
    if who.user_id:
        person = rt.directory.by_id(who.user_id)
    elif who.email:
        person = rt.directory.by_email(who.email)
    else:
        with rt.db.session() as session:
            ids = store.cached_user_ids_named(session=session, name=who.handle or "")
        person = rt.directory.by_id(ids[0]) if len(ids) == 1 else None
    if person is None:
        shown = who.user_id or who.email or f"@{who.handle}"
        raise NotFound(t("error.no_person", who=code(shown)), hint=t("error.no_person_hint"))
    return _active(person)


def _active(person: Person) -> Person:
    """The person, if their Slack account may own partners: a deactivated one would leave them unattended."""
    if person.deleted:
        raise BadInput(
            t("error.person_deactivated", who=f"<@{person.user_id}>"), hint=t("error.person_deactivated_hint")
        )
    return person


def assign(rt: Runtime, *, actor: str, partner_text: str, assignee: Assignee) -> Reply:
    """`/partner assign <partner> @user` (owner or admin)."""
    person = _assignee(rt, assignee)
    with rt.db.session() as session:
        found = resolve(session, partner_text)
    if isinstance(found, Found):
        return assign_key(rt, actor=actor, key=found.partner.partner_key, user_id=person.user_id)
    if isinstance(found, Ambiguous):
        return builders.build_choice(
            verb="assign", query=found.query, candidates=found.candidates, total=found.total, arg=person.user_id
        )
    raise _missing(rt, found)


def assign_key(rt: Runtime, *, actor: str, key: str, user_id: str, replace: bool = False) -> Reply:
    """Give the partner with ID `key` to `user_id`, recording the change of owner."""
    person = rt.directory.by_id(user_id)
    if person is None:
        raise NotFound(t("error.no_person", who=code(user_id)), hint=t("error.no_person_menu"))
    _active(person)  # a choice offered before the account was deactivated
    key = _key(key)
    actor_email = _prepare(rt, actor, key)
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        partner = _lock_for_change(rt, session, actor, key, actor_email, "reassign")
        if partner.owner_user_id == person.user_id:
            text = t("assign.already", partner=builders.title(partner), owner=f"<@{person.user_id}>")
            return Reply(text=text, blocks=[builders.section(text)], replace_original=replace)
        change = store.record_change(
            session=session,
            partner=partner,
            at=now,
            by=actor,
            source="assign",
            status=partner.status,
            note="",
            owner_email=(person.email or "").lower(),
            owner_user_id=person.user_id,
        )
        reply = builders.build_assigned(partner, change)
    log.info("partner %s assigned to %s by %s", key, person.user_id, actor)
    return Reply(text=reply.text, blocks=reply.blocks, replace_original=replace)


def undo(rt: Runtime, *, actor: str, change_id: int) -> Reply:
    """Revert a status change: same person or an admin, within the window, if nothing changed since."""
    now = rt.clock.now()
    command = _command(rt)
    with rt.db.session(write=True) as session:
        change = store.get_change(session=session, change_id=change_id)
        if change is None:
            raise NotFound(t("error.no_change"), hint=t("error.no_change_hint", command=command))
        holder = session.get(Partner, change.partner_pk)
        partner = store.lock_partner(session=session, key=holder.partner_key) if holder else None
        if partner is None or partner.id is None:
            raise NotFound(t("error.partner_gone"))
        if change.id is None or change.source not in UNDOABLE_SOURCES or change.from_status is None:
            raise Conflict(t("error.undo_source"))
        if change.by != actor and not rt.is_admin(actor):
            raise NotAllowed(
                t("error.undo_not_yours"), hint=t("error.undo_not_yours_hint", command=command, id=partner.partner_id)
            )
        if now - change.at > UNDO_WINDOW:
            minutes = int(UNDO_WINDOW.total_seconds() // 60)
            raise Conflict(
                tn("error.undo_late", minutes), hint=t("error.undo_late_hint", command=command, id=partner.partner_id)
            )
        latest = store.latest_change_id(session=session, partner_pk=partner.id)
        if latest != change.id and store.undone_by(session=session, change_id=change.id) == latest:
            raise Conflict(
                t("error.undo_done_already", partner=builders.title(partner)),
                hint=t("error.undo_changed_since_hint", command=command, id=partner.partner_id),
            )
        if latest != change.id:
            raise Conflict(
                t("error.undo_changed_since", partner=builders.title(partner)),
                hint=t("error.undo_changed_since_hint", command=command, id=partner.partner_id),
            )
        back = store.record_change(
            session=session,
            partner=partner,
            at=now,
            by=actor,
            source="undo",
            status=change.from_status,
            note="",
            partner_note=store.note_before(session=session, partner_pk=partner.id, change_id=change.id),
            undoes=change.id,
        )
        reply = builders.build_undone(partner, back)
    log.info("partner %s: change %s undone by %s", partner.partner_key, change_id, actor)
    return reply


def claim_unmatched(rt: Runtime, user_id: str) -> int:
    """Give `user_id` the partners imported under their e-mail before Slack knew them; return how many."""
    with rt.db.session() as session:
        if not store.any_unmatched_owner(session=session):
            return 0
    email = _actor_email(rt, user_id)
    if not email:
        return 0
    with rt.db.session() as session:
        if not store.count_unresolved(session=session, email=email):
            return 0
    with rt.db.session(write=True) as session:
        claimed = store.claim_owner(session=session, email=email, user_id=user_id)
    log.info("matched %s partners to %s by e-mail", claimed, user_id)
    return claimed


def open_home(rt: Runtime, user_id: str) -> dict[str, Any]:
    """The App Home of `user_id`, after giving them the partners imported under their e-mail."""
    claim_unmatched(rt, user_id)
    return home_view(rt, user_id)


def mine(rt: Runtime, *, actor: str) -> Reply:
    """`/partner mine`: the person's open partners (not registered, not declined), oldest first."""
    claim_unmatched(rt, actor)
    with rt.db.session() as session:
        partners = store.partners_of_owner(session=session, owner_user_id=actor, statuses=[s.value for s in OPEN])
        raw = store.count_by_status(session=session, owner_user_id=actor)
    counts = {s: raw.get(s.value, 0) for s in ORDER}
    return builders.build_mine(
        partners[:MINE_SHOWN],
        total_open=len(partners),
        counts=counts,
        days_left=rt.days_left(),
        tz=rt.settings.tz,
        command=_command(rt),
    )


def find(rt: Runtime, *, actor: str, text: str) -> Reply:
    """`/partner find <text>`: partners whose ID starts with, or name contains, the text; else the closest."""
    folded = fold(clean(text))[:300]
    if len(folded) < 2:
        raise BadInput(t("error.find_short"), hint=t("parse.find_what_hint", command=_command(rt)))
    loose = False
    with rt.db.session() as session:
        partners = store.search_partners(session=session, folded=folded, owner_user_id=actor, limit=FIND_SHOWN)
        total = store.count_matching(session=session, folded=folded) if len(partners) == FIND_SHOWN else len(partners)
        if not partners:
            fuzzy = resolve_fuzzy(text, name_index(session))
            keys = [c.key for c in (fuzzy.candidates if isinstance(fuzzy, Ambiguous) else fuzzy.closest)]
            by_key = {p.partner_key: p for p in store.partners_by_keys(session=session, keys=keys)}
            partners = [by_key[k] for k in keys if k in by_key]
            total, loose = len(partners), True
    return builders.build_found(clean(text), partners, total=total, loose=loose, tz=rt.settings.tz)


def pick(rt: Runtime, *, actor: str, value: str) -> Reply:
    """A Choose button of an ambiguous-name reply: do what was asked with the partner chosen."""
    verb, key, arg, note = decode(value, 4)
    if verb == "update":
        status = parse_status(arg)
        if status is None:
            raise BadInput(t("error.stale_button"), hint=t("error.stale_button_update", command=_command(rt)))
        return set_status(
            rt, actor=actor, partner_key=key, status=status, note=note, source="command", replace=True
        ).reply
    if verb == "show":
        return show_key(rt, key=key, replace=True)
    if verb == "assign":
        return assign_key(rt, actor=actor, key=key, user_id=arg, replace=True)
    raise BadInput(t("error.stale_button"), hint=t("error.try_help", command=_command(rt)))


def click_status(rt: Runtime, *, actor: str, value: str) -> Reply:
    """A card's one-click status button (`key|status`)."""
    key, status_value = decode(value, 2)
    status = parse_status(status_value)
    if status is None:
        raise BadInput(
            t("error.stale_button"), hint=t("error.stale_button_show", command=_command(rt), key=escape(key))
        )
    return set_status(rt, actor=actor, partner_key=key, status=status, note="", source="button").reply


def open_update_form(rt: Runtime, *, key: str = "", origin: FormOrigin | None = None) -> OpenModal:
    """The update form, with the partner chosen already when `key` is given."""
    partner = None
    if key:
        with rt.db.session() as session:
            partner = store.get_partner(session=session, key=_key(key))
    return OpenModal(builders.build_update_form(partner=partner, origin=origin))


def partner_options(rt: Runtime, *, actor: str, query: str) -> dict[str, Any]:
    """Options for the form's partner picker: matches of what was typed, the person's own first."""
    folded = fold(clean(query))[:100]
    with rt.db.session() as session:
        if folded:
            partners = store.search_partners(session=session, folded=folded, owner_user_id=actor, limit=OPTIONS_SHOWN)
        else:
            partners = store.partners_of_owner(
                session=session, owner_user_id=actor, statuses=[s.value for s in OPEN], limit=OPTIONS_SHOWN
            ) or store.first_partners(session=session, limit=OPTIONS_SHOWN)
    return builders.build_partner_options(partners)


def update_form_errors(rt: Runtime, *, actor: str, submission: Submission) -> dict[str, str]:
    """What is wrong with a submitted update form, by block ID, for showing in the form before it is accepted.

    Beyond the form's shape: the partner must exist and be the actor's to change, as far as one read
    of it tells (the save checks again under its lock). A partner with no Slack owner but an imported
    e-mail may be the actor's by that e-mail, which only Slack knows: it is left to the save, as is a
    database that does not answer, so that this check never keeps Slack waiting for the acknowledgement.
    """
    if submission.errors:
        return submission.errors
    key = _key(submission.partner_key)
    try:
        with rt.db.session() as session:
            partner = store.get_partner(session=session, key=key)
    except DatabaseUnavailable:
        return {}
    if partner is None:
        return {BlockId.PARTNER: t("form.no_partner", key=key)}
    # With no Slack owner, the partner may still be the actor's by the imported e-mail; with neither, only admins'.
    decided = partner.owner_user_id is not None or not partner.owner_email
    if decided and not _may_change(rt, partner, actor, None):
        return {BlockId.PARTNER: t("form.not_yours", partner=f"{clean(partner.name)[:80]} ({partner.partner_id})")}
    return {}


def submit_update_form(rt: Runtime, *, actor: str, submission: Submission) -> Done:
    """Save the update form; the confirmation goes to the person, and their App Home is refreshed if opened there."""
    if submission.errors or submission.status is None:
        raise BadInput(t("error.form_incomplete", errors=" ".join(submission.errors.values())))
    result = set_status(
        rt,
        actor=actor,
        partner_key=submission.partner_key,
        status=submission.status,
        note=submission.note,
        source="modal",
    )
    home = home_view(rt, actor) if submission.origin.surface == "home" else None
    return Done(reply=result.reply, home=home)


def home_menu(rt: Runtime, *, actor: str, value: str, origin: FormOrigin) -> Done | OpenModal:
    """A choice in an App Home partner menu: set a status in one click, or open the form."""
    verb, key, arg = decode(value, 3)
    if verb == "form":
        return open_update_form(rt, key=key, origin=origin)
    status = parse_status(arg)
    if verb != "status" or status is None:
        raise BadInput(t("error.stale_menu"), hint=t("error.stale_menu_hint"))
    result = set_status(rt, actor=actor, partner_key=key, status=status, note="", source="button")
    return Done(reply=result.reply, home=home_view(rt, actor))
