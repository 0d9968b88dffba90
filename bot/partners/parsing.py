"""One parser for `/partner` text, shared by every surface that takes typed partner commands."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import BadInput
from bot.help import quote
from bot.i18n import t
from bot.slack_text import clean, fold, mentions_as_text
from bot.statuses import MAX_STATUS_WORDS, Status, parse_status, typed_forms

QUOTES = {'"': '"', "“": "”", "”": "”", "„": "“", "«": "»"}
"""Opening → closing quote; Slack clients turn typed quotes into curly ones."""

MAX_PARTNER_WORDS = 16
"""Longest unquoted partner name tried when splitting `update <partner> <status>`."""

_USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_MENTION_LABEL = re.compile(r"<@([UW][A-Z0-9]+)\|[^>]*>")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")

VERBS = {
    "help": "help",
    "aide": "help",
    "?": "help",
    "show": "show",
    "voir": "show",
    "afficher": "show",
    "info": "show",
    "update": "update",
    "set": "update",
    "maj": "update",
    "assign": "assign",
    "assigner": "assign",
    "attribuer": "assign",
    "mine": "mine",
    "mes": "mine",
    "moi": "mine",
    "find": "find",
    "search": "find",
    "chercher": "find",
    "cherche": "find",
    "rechercher": "find",
    "export": "export",
    "exporter": "export",
    "import": "import",
    "importer": "import",
}


@dataclass(frozen=True)
class Token:
    """A word of the command, or a quoted phrase, with where it sits in the text."""

    text: str
    start: int
    end: int
    quoted: bool = False


def tokenize(text: str) -> list[Token]:
    """Split on spaces, keeping "quoted phrases" (straight or curly quotes) whole."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        closing = QUOTES.get(text[i])
        if closing is not None:
            end = text.find(closing, i + 1)
            if end < 0 and closing != '"':
                end = text.find('"', i + 1)
            end = n if end < 0 else end
            tokens.append(Token(text[i + 1 : end].strip(), i, min(end + 1, n), quoted=True))
            i = end + 1
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        tokens.append(Token(text[start:i], start, i))
    return tokens


@dataclass(frozen=True)
class Help:
    """`/partner help`."""


@dataclass(frozen=True)
class Show:
    """`/partner show <partner>`."""

    partner: str


@dataclass(frozen=True)
class OpenForm:
    """`/partner update` alone: open the form."""


@dataclass(frozen=True)
class Split:
    """One way to read `update <partner> <status> [note]`."""

    partner: str
    status: Status
    note: str


@dataclass(frozen=True)
class Update:
    """`/partner update …`: the readings to try, the most likely first."""

    splits: tuple[Split, ...]


@dataclass(frozen=True)
class Assign:
    """`/partner assign <partner> @user`."""

    partner: str
    assignee: Assignee


@dataclass(frozen=True)
class Mine:
    """`/partner mine`."""


@dataclass(frozen=True)
class Find:
    """`/partner find <text>`."""

    text: str


@dataclass(frozen=True)
class Export:
    """`/partner export [mine] [xlsx|csv]`."""

    mine: bool = False
    xlsx: bool = False


@dataclass(frozen=True)
class ImportHelp:
    """`/partner import`: how to import a file."""


EXPORT_WORDS = {"mine": "mine", "mes": "mine", "moi": "mine", "xlsx": "xlsx", "excel": "xlsx", "csv": "csv"}


@dataclass(frozen=True)
class Other:
    """Text that starts with no command word (perhaps a partner to show)."""

    text: str


@dataclass(frozen=True)
class Assignee:
    """Who a partner goes to: a Slack user ID, an e-mail, or a handle as Slack sends unescaped mentions."""

    user_id: str | None = None
    email: str | None = None
    handle: str | None = None


Command = Help | Show | OpenForm | Update | Assign | Mine | Find | Export | ImportHelp | Other


def parse(text: str, command: str = "/partner") -> Command:
    """Read `/partner` text; raise BadInput saying how to write it when it cannot be read."""
    text = clean(text)
    tokens = tokenize(text)
    if not tokens:
        return Help()
    verb = VERBS.get(fold(tokens[0].text)) if not tokens[0].quoted else None
    rest = tokens[1:]
    after = text[tokens[0].end :].strip()
    if verb is None:
        return Other(text)
    if verb == "help":
        return Help()
    if verb == "mine":
        return Mine()
    if verb == "import":
        return ImportHelp()
    if verb == "export":
        words = [EXPORT_WORDS.get(fold(token.text)) for token in rest]
        if None in words:
            raise BadInput(t("parse.not_exportable", text=quote(after)), hint=t("parse.export_hint", command=command))
        return Export(mine="mine" in words, xlsx="xlsx" in words)
    if verb == "show":
        if not rest:
            raise BadInput(t("parse.show_which"), hint=t("parse.show_which_hint", command=command))
        return Show(_phrase(rest))
    if verb == "find":
        if not after:
            raise BadInput(t("parse.find_what"), hint=t("parse.find_what_hint", command=command))
        return Find(" ".join(t.text for t in rest))
    if verb == "assign":
        # An escaped mention's label may hold spaces; the ID alone says who it is.
        return _assign(tokenize(_MENTION_LABEL.sub(r"<@\1>", after)), command)
    if not rest:
        return OpenForm()
    return Update(_splits(text, rest, command))


def _phrase(tokens: list[Token]) -> str:
    """The partner named by `tokens`: a quoted phrase as is, words joined by single spaces."""
    if len(tokens) == 1:
        return tokens[0].text
    return " ".join(t.text for t in tokens)


def _status_at(tokens: list[Token], k: int) -> tuple[Status, int] | None:
    """The status that starts at token `k` (longest form first) and how many words it takes; a quoted status
    (`"en cours"`) is one on its own."""
    for width in range(min(MAX_STATUS_WORDS, len(tokens) - k), 0, -1):
        words = tokens[k : k + width]
        if any(w.quoted for w in words) and width > 1:
            continue
        status = parse_status(" ".join(w.text for w in words))
        if status is not None:
            return status, width
    return None


def _splits(text: str, tokens: list[Token], command: str) -> tuple[Split, ...]:
    hint = t("parse.update_hint", command=command, statuses=typed_forms())
    if len(tokens) == 1:
        raise BadInput(t("parse.which_status", partner=quote(tokens[0].text)), hint=hint)
    splits: list[Split] = []
    last = len(tokens) - 1 if not tokens[0].quoted else 1
    for k in range(1, min(last, MAX_PARTNER_WORDS) + 1):
        found = _status_at(tokens, k)
        if found is None:
            continue
        status, width = found
        note = mentions_as_text(text[tokens[k + width - 1].end :].strip())
        splits.append(Split(_phrase(tokens[:k]), status, note))
    if not splits:
        if tokens[0].quoted or len(tokens) == 2:
            raise BadInput(t("parse.unknown_status", status=quote(tokens[1].text)), hint=hint)
        raise BadInput(t("parse.no_status", text=quote(text)), hint=hint)
    return tuple(splits)


def _assign(tokens: list[Token], command: str) -> Assign:
    hint = t("parse.assign_hint", command=command)
    if len(tokens) < 2:
        raise BadInput(t("parse.assign_whom"), hint=hint)
    who = parse_assignee(tokens[-1].text)
    if who is None:
        raise BadInput(t("parse.not_a_person", who=quote(tokens[-1].text)), hint=hint)
    return Assign(_phrase(tokens[:-1]), who)


def parse_assignee(text: str) -> Assignee | None:
    """A mention `<@U…>`, a user ID, an e-mail or an `@handle`; None when it is none of those."""
    text = text.strip()
    if match := _USER_MENTION.match(text):
        return Assignee(user_id=match.group(1))
    if _USER_ID.match(text):
        return Assignee(user_id=text)
    if _EMAIL.match(text):
        return Assignee(email=text.lower())
    if text.startswith("@") and len(text) > 1 and not any(c in text for c in "<>"):
        return Assignee(handle=text[1:])
    return None


def encode(*parts: str) -> str:
    """Pack values into one button value; the last part may itself contain `|`."""
    return "|".join(parts)


def decode(value: str, count: int) -> list[str]:
    """Unpack a button value made by `encode` into exactly `count` parts (missing ones empty)."""
    parts = value.split("|", count - 1)
    return parts + [""] * (count - len(parts))
