"""Pure Block Kit builders for partner cards, confirmations, choices, lists, the update form and options."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

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
from bot.i18n import clock_time, number, short_datetime, t, tn
from bot.ids import Action, Field, View
from bot.ids import Block as BlockId
from bot.partners.io import read_import_note
from bot.partners.parsing import encode
from bot.partners.resolver import Candidate
from bot.progress import days_left_text
from bot.replies import Reply
from bot.slack_text import clean, escape, plain, truncate
from bot.statuses import EMOJI, ORDER, Status, label
from storage.models import Partner, StatusChange

NOTE_MAX = 1000
"""Longest note kept; longer ones are refused whole rather than cut."""

HISTORY_NOTE_MAX = 200
"""How much of each older note a card's history shows (the last note is shown whole)."""

OPTION_TEXT_MAX = 75
MODAL_TITLE_MAX = 24
SOURCES = frozenset({"command", "button", "modal", "import", "undo", "assign"})


def code(text: str) -> str:
    """User text shown inside backticks, escaped so it can neither ping nor break out."""
    return "`" + escape(text).replace("`", "'") + "`"


def title(partner: Partner) -> str:
    """`*Name* (`ID`)`, escaped."""
    return f"*{escape(partner.name)}* ({code(partner.partner_id)})"


def status_text(status: str | Status) -> str:
    """Emoji and label of a status, in the reader's language."""
    try:
        status = Status(status)
    except ValueError:
        return escape(str(status))
    return f"{EMOJI[status]} {label(status)}"


def owner_text(partner: Partner) -> str:
    """The owner as a mention, or their e-mail while Slack has not matched it."""
    if partner.owner_user_id:
        return f"<@{partner.owner_user_id}>"
    if partner.owner_email:
        return t("partner.owner_unmatched", email=escape(partner.owner_email))
    return t("partner.nobody")


def who_text(by: str) -> str:
    """Who made a change: a mention for Slack users, the import's name otherwise."""
    if by and by[0] in "UW" and by.isalnum():
        return f"<@{by}>"
    return escape(by) if by else t("partner.someone")


def when_text(at: dt.datetime, tz: ZoneInfo) -> str:
    """`2 Sep 2008 09:30 CEST` / `2 sept. 2008 09:30 CEST`."""
    return short_datetime(at.astimezone(tz))


def quoted_note(note: str) -> str:
    """A note as a mrkdwn block quote, escaped, every line quoted."""
    return "\n".join("> " + escape(line) for line in note.splitlines() or [""])


def status_action_id(status: Status) -> str:
    """The action_id of a card's one-click status button (unique within its block)."""
    return f"{Action.PARTNER_SET_STATUS}.{status.value}"


def history_line(change: StatusChange, tz: ZoneInfo) -> str:
    """One history entry as a line."""
    if change.from_status is None:
        what = t("history.created", status=status_text(change.to_status))
        if change.to_owner:
            what += t("history.created_owner", owner=who_text(change.to_owner))
    elif change.from_owner != change.to_owner and (change.from_owner or change.to_owner):
        nobody = t("partner.nobody")
        what = t(
            "history.owner",
            old=who_text(change.from_owner) if change.from_owner else nobody,
            new=who_text(change.to_owner) if change.to_owner else nobody,
        )
        if change.from_status != change.to_status:
            what += f", {status_text(change.from_status or '')} → {status_text(change.to_status)}"
    elif change.from_status == change.to_status:
        what = t("history.unchanged", status=status_text(change.to_status))
    else:
        what = f"{status_text(change.from_status)} → {status_text(change.to_status)}"
    source = t(f"history.source.{change.source if change.source in SOURCES else 'unknown'}")
    line = f"• {when_text(change.at, tz)} · {who_text(change.by)} · {what} · _{source}_"
    note = imported_text(change.note) if change.source == "import" else change.note
    if note:
        line += f" — “{escape(truncate(' '.join(note.split()), HISTORY_NOTE_MAX))}”"
    return line


IMPORTED_FIELDS = frozenset({"name", "country"})
"""The columns an import names in history when it changes them (history.field.*)."""


def imported_text(note: str) -> str:
    """An import's history note in the reader's language."""
    origin = read_import_note(note)
    if origin is None:
        return note
    file_name, changed = origin
    text = t("history.import_file", name=file_name)
    if not changed:
        return text
    names = ", ".join(t(f"history.field.{name}") if name in IMPORTED_FIELDS else name for name in changed)
    return t("history.import_changed", file=text, fields=names)


def card_actions(partner: Partner) -> Block:
    """One-click status buttons for the other statuses, and the form for a note."""
    buttons = [
        button(label(s), status_action_id(s), encode(partner.partner_key, s.value))
        for s in ORDER
        if s.value != partner.status
    ]
    buttons.append(button(t("partner.update_with_note"), Action.PARTNER_OPEN_UPDATE, partner.partner_key))
    return actions(*buttons)


def build_card(partner: Partner, entries: Sequence[StatusChange], *, tz: ZoneInfo) -> Reply:
    """A partner's status, owner, last note and recent history, with quick actions."""
    head = f"{title(partner)} · {escape(partner.country or '—')}"
    facts = t(
        "card.facts",
        status=status_text(partner.status),
        owner=owner_text(partner),
        when=when_text(partner.updated_at, tz),
        who=who_text(partner.updated_by),
    )
    blocks: list[Block] = [section(head), section(facts)]
    if partner.note:
        blocks.append(section(t("card.last_note") + "\n" + quoted_note(partner.note)))
    if entries:
        lines = "\n".join(history_line(change, tz) for change in entries)
        blocks.extend(split_sections(t("card.history") + "\n" + lines))
    blocks.append(card_actions(partner))
    note = " " + t("card.last_note_plain", note=escape(partner.note)) if partner.note else ""
    named = f"{escape(partner.name)} ({escape(partner.partner_id)})"
    text = t("card.plain", partner=named, status=label(Status(partner.status)), note=note)
    return Reply(text=truncate(text, 3000), blocks=blocks[:MESSAGE_BLOCKS_MAX])


def build_update_done(
    partner: Partner, change: StatusChange, *, undo_until: dt.datetime, tz: ZoneInfo, replace: bool = False
) -> Reply:
    """The confirmation of a change, with what changed and an Undo button."""
    old, new = change.from_status or "", change.to_status
    if old == new:
        what = t(
            "update.stays_noted" if change.note else "update.stays", partner=title(partner), status=status_text(new)
        )
        plain_what = t("update.stays_plain", partner=f"{partner.name} ({partner.partner_id})", status=label(new))
    else:
        what = t("update.changed", partner=title(partner), old=status_text(old), new=status_text(new))
        named = f"{partner.name} ({partner.partner_id})"
        plain_what = t("update.changed_plain", partner=named, old=label(Status(old)), new=label(Status(new)))
    blocks: list[Block] = [section(":white_check_mark: " + what)]
    if change.note:
        blocks.append(section(t("update.note") + "\n" + quoted_note(change.note)))
    assert change.id is not None
    blocks.append(
        actions(button(t("update.undo"), Action.PARTNER_UNDO, str(change.id)), block_id=f"undo-{change.id}"),
    )
    blocks.append(context(t("update.undo_until", time=clock_time(undo_until.astimezone(tz)))))
    text = escape(plain_what) + (t("update.note_plain", note=escape(change.note)) if change.note else ".")
    return Reply(text=truncate(text, 3000), blocks=blocks, replace_original=replace)


def build_undone(partner: Partner, change: StatusChange) -> Reply:
    """The confirmation that a change was undone (replaces the message that offered Undo)."""
    text = t(
        "undo.done",
        partner=title(partner),
        status=status_text(change.to_status),
        was=status_text(change.from_status or ""),
    )
    plain_text_ = t(
        "undo.done_plain", partner=f"{partner.name} ({partner.partner_id})", status=label(Status(change.to_status))
    )
    return Reply(text=escape(plain_text_), blocks=[section(text)], replace_original=True)


def build_assigned(partner: Partner, change: StatusChange) -> Reply:
    """The confirmation of a new owner."""
    text = t("assign.done", partner=title(partner), owner=owner_text(partner))
    if change.from_owner:
        text += " " + t("assign.before", who=who_text(change.from_owner))
    return Reply(
        text=escape(t("assign.done_plain", partner=f"{partner.name} ({partner.partner_id})")),
        blocks=[section(text)],
    )


def build_choice(
    *, verb: str, query: str, candidates: Sequence[Candidate], total: int, arg: str = "", note: str = ""
) -> Reply:
    """Several partners match: one Choose button each, carrying what to do with the one chosen."""
    head = t("choice.single", query=code(query)) if total == 1 else tn("choice.many", total, query=code(query))
    blocks: list[Block] = [section(head)]
    for candidate in candidates:
        blocks.append(
            section(
                f"*{escape(candidate.name)}* ({code(candidate.partner_id)})",
                accessory=button(t("choice.choose"), Action.PARTNER_PICK, encode(verb, candidate.key, arg, note)),
            )
        )
    if total > len(candidates):
        blocks.append(context(tn("choice.more", total - len(candidates))))
    names = ", ".join(f"{c.name} ({c.partner_id})" for c in candidates)
    return Reply(text=escape(truncate(t("choice.plain", names=names), 3000)), blocks=blocks)


def closest_hint(candidates: Sequence[Candidate], command: str, *, by_id: bool = False) -> str:
    """The hint of a 'no such partner' reply: the closest names (`by_id`: the nearest IDs, for an ID no partner
    has), and how to search."""
    search = t("hint.search", command=command)
    if not candidates:
        return search
    if by_id:
        ids = ", ".join(f"{code(c.partner_id)} ({escape(c.name)})" for c in candidates)
        return t("hint.nearest_ids", ids=ids, search=search)
    names = ", ".join(f"{escape(c.name)} ({code(c.partner_id)})" for c in candidates)
    return t("hint.closest", names=names, search=search)


def partner_line(partner: Partner, tz: ZoneInfo, *, with_owner: bool = False) -> str:
    """One partner on one line, for lists."""
    line = f"{EMOJI.get(Status(partner.status), '')} {title(partner)} — {label(Status(partner.status))}"
    if with_owner:
        line += f" · {owner_text(partner)}"
    return line + " · " + t("partner.updated", when=when_text(partner.updated_at, tz))


def build_mine(
    partners: Sequence[Partner],
    *,
    total_open: int,
    counts: Mapping[Status, int],
    days_left: int,
    tz: ZoneInfo,
    command: str = "/partner",
) -> Reply:
    """A person's open partners, least recently touched first."""
    if not total_open:
        text = t("mine.none", left=days_left_text(days_left))
        return Reply(text=text, blocks=[section(text)])
    summary = ", ".join(t("mine.count", label=label(s), n=number(counts.get(s, 0))) for s in ORDER if counts.get(s, 0))
    head = t("mine.head", total=number(total_open), left=days_left_text(days_left)) + f"\n{summary}"
    body = "\n".join(partner_line(p, tz) for p in partners)
    blocks = [section(head), *split_sections(body)]
    if total_open > len(partners):
        blocks.append(context(tn("mine.more", total_open - len(partners), command=command)))
    text = (
        t("mine.plain", total=number(total_open))
        + " "
        + escape(", ".join(f"{p.name} ({p.partner_id})" for p in partners))
    )
    return Reply(text=truncate(text, 3000), blocks=blocks[:MESSAGE_BLOCKS_MAX])


def build_found(query: str, partners: Sequence[Partner], *, total: int, tz: ZoneInfo, loose: bool = False) -> Reply:
    """Search results, each with a Show button; `loose` when they are only the closest names."""
    nothing = t("find.nothing", query=code(query))
    if not partners:
        return Reply(text=nothing, blocks=[section(nothing)])
    head = t("find.closest", nothing=nothing) if loose else tn("find.head", total, query=code(query))
    blocks: list[Block] = [section(head)]
    for partner in partners:
        blocks.append(
            section(
                partner_line(partner, tz, with_owner=True),
                accessory=button(t("find.show"), Action.PARTNER_SHOW, partner.partner_key),
            )
        )
    if total > len(partners):
        blocks.append(context(tn("find.more", total - len(partners))))
    names = escape(truncate(", ".join(f"{p.name} ({p.partner_id})" for p in partners), 2800))
    # The notification says what the message says: matches, or only the closest names.
    plain = f"{head} {names}" if loose else tn("find.plain", total, names=names)
    return Reply(text=plain, blocks=blocks)


# ---- the update form -------------------------------------------------------------------


def status_option(status: Status) -> dict[str, Any]:
    """A status as a select option, labelled in the reader's language."""
    return {"text": plain_text(label(status), OPTION_TEXT_MAX), "value": status.value}


def partner_option(partner: Partner) -> dict[str, Any]:
    """A partner as a select option: name and ID, the key as value."""
    suffix = f" ({plain(partner.partner_id)})"
    name = truncate(plain(partner.name), OPTION_TEXT_MAX - len(suffix)) if len(suffix) < OPTION_TEXT_MAX else ""
    return {"text": plain_text(name + suffix, OPTION_TEXT_MAX), "value": partner.partner_key}


def build_partner_options(partners: Sequence[Partner]) -> dict[str, Any]:
    """The answer to a block_suggestion for the partner picker."""
    return {"options": [partner_option(p) for p in partners[:100]]}


@dataclass(frozen=True)
class FormOrigin:
    """Where the update form was opened, kept in the modal's private_metadata."""

    surface: str = "command"  # command, home, button
    channel: str = ""

    def dump(self) -> str:
        return json.dumps({"surface": self.surface, "channel": self.channel})

    @classmethod
    def load(cls, text: str) -> FormOrigin:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(surface=str(data.get("surface") or "command"), channel=str(data.get("channel") or ""))


def build_update_form(*, partner: Partner | None = None, origin: FormOrigin | None = None) -> dict[str, Any]:
    """The modal of `/partner update`: partner picker with type-ahead, status, note."""
    picker: dict[str, Any] = {
        "type": "external_select",
        "action_id": Field.PARTNER,
        "placeholder": plain_text(t("form.partner_placeholder")),
        "min_query_length": 0,
    }
    status_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": Field.STATUS,
        "placeholder": plain_text(t("form.status_placeholder")),
        "options": [status_option(s) for s in ORDER],
    }
    if partner is not None:
        picker["initial_option"] = partner_option(partner)
        status_select["initial_option"] = status_option(Status(partner.status))
    note_input = {
        "type": "plain_text_input",
        "action_id": Field.NOTE,
        "multiline": True,
        "max_length": NOTE_MAX,
        "placeholder": plain_text(t("form.note_placeholder")),
    }
    return {
        "type": "modal",
        "callback_id": View.PARTNER_UPDATE,
        "title": plain_text(t("form.title"), MODAL_TITLE_MAX),
        "submit": plain_text(t("form.save"), MODAL_TITLE_MAX),
        "close": plain_text(t("form.cancel"), MODAL_TITLE_MAX),
        "private_metadata": (origin or FormOrigin()).dump(),
        "blocks": [
            {"type": "input", "block_id": BlockId.PARTNER, "label": plain_text(t("form.partner")), "element": picker},
            {
                "type": "input",
                "block_id": BlockId.STATUS,
                "label": plain_text(t("form.status")),
                "element": status_select,
            },
            {
                "type": "input",
                "block_id": BlockId.NOTE,
                "label": plain_text(t("form.note")),
                "element": note_input,
                "optional": True,
            },
        ],
    }


@dataclass(frozen=True)
class Submission:
    """What the update form holds when submitted; `errors` maps block IDs to what is wrong."""

    partner_key: str
    status: Status | None
    note: str
    origin: FormOrigin
    errors: dict[str, str]


def read_update_form(values: Mapping[str, Any], private_metadata: str = "") -> Submission:
    """Read the update form's state values (view.state.values) into a Submission."""

    def field(block: str, element: str) -> Mapping[str, Any]:
        found = (values.get(block) or {}).get(element)
        return found if isinstance(found, Mapping) else {}

    partner_key = str((field(BlockId.PARTNER, Field.PARTNER).get("selected_option") or {}).get("value") or "")
    status_value = str((field(BlockId.STATUS, Field.STATUS).get("selected_option") or {}).get("value") or "")
    note = str(field(BlockId.NOTE, Field.NOTE).get("value") or "")
    errors: dict[str, str] = {}
    if not partner_key:
        errors[BlockId.PARTNER] = t("form.choose_partner")
    try:
        status: Status | None = Status(status_value)
    except ValueError:
        status = None
        errors[BlockId.STATUS] = t("form.choose_status")
    if len(clean(note)) > NOTE_MAX:
        errors[BlockId.NOTE] = t("form.note_too_long", max=number(NOTE_MAX), length=number(len(clean(note))))
    return Submission(partner_key, status, note, FormOrigin.load(private_metadata), errors)
