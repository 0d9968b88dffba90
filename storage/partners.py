"""Typed queries on partners and their history."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.folding import fold
from storage.models import EmailLookupMiss, Partner, Setting, SlackUser, StatusChange

OPEN_STATUSES: frozenset[str] = frozenset({"not_contacted", "contacted", "in_progress"})
"""Statuses that still need work: not registered and not declined (bot.statuses.OPEN is built from it)."""


def count_by_status(*, session: Session, owner_user_id: str | None = None) -> dict[str, int]:
    """How many partners have each status (optionally only one owner's)."""
    query = select(Partner.status, func.count()).group_by(Partner.status)
    if owner_user_id is not None:
        query = query.where(Partner.owner_user_id == owner_user_id)
    return {status: int(n) for status, n in session.exec(query).all()}


def add_partner(
    *,
    session: Session,
    partner_id: str,
    name: str,
    country: str,
    owner_email: str,
    owner_user_id: str | None,
    status: str,
    note: str,
    at: dt.datetime,
    by: str,
    source: str,
) -> Partner:
    """Insert a new partner with its first history entry."""
    partner = Partner(
        partner_id=partner_id,
        partner_key=partner_id.upper(),
        name=name,
        name_folded=fold_name(name),
        country=country,
        owner_email=owner_email.lower(),
        owner_user_id=owner_user_id,
        status=status,
        note=note,
        updated_at=at,
        updated_by=by,
        revision=1,
    )
    session.add(partner)
    bump_names_version(session=session)
    session.flush()
    assert partner.id is not None
    session.add(
        StatusChange(
            partner_pk=partner.id,
            at=at,
            by=by,
            source=source,
            from_status=None,
            to_status=status,
            to_owner=owner_user_id or owner_email.lower(),
            note=note,
        )
    )
    return partner


def fold_name(name: str) -> str:
    """The case- and accent-insensitive key stored in `name_folded`."""
    return fold(name)


def _by_key(key: str) -> Any | None:
    """The query for the partner whose ID is `key` in any case, or None when no stored ID can be it: PostgreSQL
    refuses a NUL in any text it is asked about, and a forged button may hold one."""
    stored = key.strip().upper()
    return None if "\x00" in stored else select(Partner).where(Partner.partner_key == stored)


def get_partner(*, session: Session, key: str) -> Partner | None:
    """The partner whose ID is `key`, in any case."""
    query = _by_key(key)
    return None if query is None else session.exec(query).first()


def lock_partner(*, session: Session, key: str) -> Partner | None:
    """The partner with ID `key`, row-locked until the session ends (FOR UPDATE; SQLite's write lock)."""
    query = _by_key(key)
    return None if query is None else session.exec(query.with_for_update()).first()


def partners_named(*, session: Session, name: str, limit: int = 50) -> list[Partner]:
    """Partners whose name is exactly `name`."""
    return list(session.exec(select(Partner).where(Partner.name == name).order_by(col(Partner.id)).limit(limit)))


def partners_folded(*, session: Session, folded: str, limit: int = 50) -> list[Partner]:
    """Partners whose case- and accent-folded name is `folded`."""
    query = select(Partner).where(Partner.name_folded == folded).order_by(col(Partner.id)).limit(limit)
    return list(session.exec(query))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def partners_with_word_prefix(*, session: Session, folded: str, limit: int = 50) -> list[Partner]:
    """Partners whose folded name has a word starting with `folded` (which may span several words)."""
    pattern = _like_escape(folded)
    query = (
        select(Partner)
        .where(
            or_(
                col(Partner.name_folded).like(f"{pattern}%", escape="\\"),
                col(Partner.name_folded).like(f"% {pattern}%", escape="\\"),
            )
        )
        .order_by(col(Partner.name_folded), col(Partner.id))
        .limit(limit)
    )
    return list(session.exec(query))


def _matching(folded: str) -> Any:
    return or_(
        col(Partner.partner_key).like(f"{_like_escape(folded.upper())}%", escape="\\"),
        col(Partner.name_folded).like(f"%{_like_escape(folded)}%", escape="\\"),
    )


def search_partners(
    *, session: Session, folded: str, owner_user_id: str | None = None, limit: int = 20
) -> list[Partner]:
    """Partners whose ID starts with, or whose folded name contains, `folded`; one owner's first."""
    query = select(Partner).where(_matching(folded))
    mine_first = sa.case((col(Partner.owner_user_id) == owner_user_id, 0), else_=1) if owner_user_id else sa.literal(1)
    query = query.order_by(mine_first, col(Partner.partner_key)).limit(limit)
    return list(session.exec(query))


@dataclass(frozen=True)
class NameEntry:
    """What fuzzy matching needs of a partner."""

    key: str
    partner_id: str
    name: str
    name_folded: str


NAMES_VERSION_KEY = "partner_names_version"


def names_version(*, session: Session) -> str:
    """A token that changes whenever partners are added or renamed, so name caches know when to reload."""
    setting = session.get(Setting, NAMES_VERSION_KEY)
    return setting.value if setting else ""


def _bump(*, session: Session, key: str) -> str:
    """Give the version token stored under `key` a new random value; return it."""
    setting = session.get(Setting, key) or Setting(key=key, updated_by="storage")
    setting.value = uuid.uuid4().hex
    setting.updated_at = dt.datetime.now(dt.UTC)
    session.add(setting)
    return setting.value


def bump_names_version(*, session: Session) -> None:
    """Mark every process's cached partner names stale."""
    _bump(session=session, key=NAMES_VERSION_KEY)


IMPORT_VERSION_KEY = "partner_import_version"


def import_version(*, session: Session, lock: bool = False) -> str:
    """A token that changes with every import, so a report checked before another import knows it is stale."""
    query = select(Setting).where(Setting.key == IMPORT_VERSION_KEY)
    setting = session.exec(query.with_for_update() if lock else query).first()
    return setting.value if setting else ""


def bump_import_version(*, session: Session) -> str:
    """Mark every checked-but-not-run import stale; return the new token."""
    token = _bump(session=session, key=IMPORT_VERSION_KEY)
    session.flush()
    return token


NAME_ROWS_PER_FETCH = 1024
"""Rows of names the database hands over at a time: 20,000 at once made 8 MB of objects for a moment."""


def name_index(*, session: Session) -> Iterator[NameEntry]:
    """Every partner's key and names, for fuzzy matching, read as they are used (consume it in `session`)."""
    query = select(Partner.partner_key, Partner.partner_id, Partner.name, Partner.name_folded)
    return (NameEntry(*row) for row in session.exec(query.execution_options(yield_per=NAME_ROWS_PER_FETCH)))


def partners_by_keys(*, session: Session, keys: Collection[str]) -> list[Partner]:
    """The partners with these keys (upper-case IDs), oldest first."""
    if not keys:
        return []
    return list(session.exec(select(Partner).where(col(Partner.partner_key).in_(list(keys))).order_by(col(Partner.id))))


def partners_of_owner(
    *, session: Session, owner_user_id: str, statuses: Collection[str] | None = None, limit: int | None = None
) -> list[Partner]:
    """One owner's partners, least recently updated first, optionally only some statuses."""
    query = select(Partner).where(Partner.owner_user_id == owner_user_id)
    if statuses is not None:
        query = query.where(col(Partner.status).in_(list(statuses)))
    query = query.order_by(col(Partner.updated_at), col(Partner.id))
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def owner_counts(*, session: Session, statuses: Collection[str], limit: int = 10) -> list[tuple[str, int]]:
    """Owners (user ID, or e-mail while unresolved) with the most partners in `statuses`."""
    owner = func.coalesce(Partner.owner_user_id, Partner.owner_email)
    query = (
        select(owner, func.count())
        .where(col(Partner.status).in_(list(statuses)))
        .group_by(owner)
        .order_by(func.count().desc(), owner)
        .limit(limit)
    )
    return [(str(who), int(n)) for who, n in session.exec(query)]


def count_unresolved(*, session: Session, email: str) -> int:
    """How many partners name `email` as owner without a Slack user yet."""
    query = select(func.count()).where(
        Partner.owner_email == email.strip().lower(), col(Partner.owner_user_id).is_(None)
    )
    return int(session.exec(query).one())


def claim_owner(*, session: Session, email: str, user_id: str) -> int:
    """Give partners owned by `email` but not yet matched to a Slack user to `user_id`; return how many."""
    result = session.execute(
        sa.update(Partner)
        .where(col(Partner.owner_email) == email.strip().lower(), col(Partner.owner_user_id).is_(None))
        .values(owner_user_id=user_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def cached_user_ids_named(*, session: Session, name: str) -> list[str]:
    """IDs of cached Slack users whose handle is `name` (how Slack writes unescaped @mentions)."""
    query = select(SlackUser.user_id).where(
        func.lower(SlackUser.name) == name.strip().lower(), col(SlackUser.deleted).is_(False)
    )
    return list(session.exec(query))


def record_change(
    *,
    session: Session,
    partner: Partner,
    at: dt.datetime,
    by: str,
    source: str,
    status: str,
    note: str,
    partner_note: str | None = None,
    owner_email: str | None = None,
    owner_user_id: str | None = None,
    undoes: int | None = None,
) -> StatusChange:
    """Change a (locked) partner's status, last note or owner and append the matching history entry.

    `note` goes into the history; `partner_note`, when given, becomes the partner's last note.
    The partner row carries the latest state and the history every state it went through, so both
    are written in the caller's one transaction and `revision` counts the changes.
    """
    assert partner.id is not None
    old_owner = partner.owner_user_id or partner.owner_email
    change = StatusChange(
        partner_pk=partner.id,
        at=at,
        by=by,
        source=source,
        from_status=partner.status,
        to_status=status,
        note=note,
        undoes=undoes,
    )
    if owner_email is not None or owner_user_id is not None:
        new_owner = owner_user_id or owner_email
        change.from_owner, change.to_owner = old_owner, new_owner
        partner.owner_email = (owner_email if owner_email is not None else partner.owner_email).lower()
        partner.owner_user_id = owner_user_id
    partner.status = status
    if partner_note is not None:
        partner.note = partner_note
    partner.updated_at = at
    partner.updated_by = by
    partner.revision += 1
    session.add(partner)
    session.add(change)
    session.flush()
    return change


def history(*, session: Session, partner_pk: int, limit: int = 5) -> list[StatusChange]:
    """A partner's latest history entries, newest first."""
    query = (
        select(StatusChange)
        .where(StatusChange.partner_pk == partner_pk)
        .order_by(col(StatusChange.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def get_change(*, session: Session, change_id: int) -> StatusChange | None:
    """One history entry."""
    return session.get(StatusChange, change_id)


def latest_change_id(*, session: Session, partner_pk: int) -> int | None:
    """The ID of a partner's newest history entry."""
    query = select(func.max(StatusChange.id)).where(StatusChange.partner_pk == partner_pk)
    value = session.exec(query).one()
    return int(value) if value is not None else None


def undone_by(*, session: Session, change_id: int) -> int | None:
    """The ID of the history entry that undid entry `change_id`, if one did."""
    return session.exec(select(StatusChange.id).where(StatusChange.undoes == change_id).limit(1)).first()


def note_before(*, session: Session, partner_pk: int, change_id: int) -> str:
    """The last non-empty note written before history entry `change_id`."""
    query = (
        select(StatusChange.note)
        .where(StatusChange.partner_pk == partner_pk, col(StatusChange.id) < change_id, StatusChange.note != "")
        .where(col(StatusChange.source).not_in(["import", "assign", "undo"]))
        .order_by(col(StatusChange.id).desc())
        .limit(1)
    )
    return session.exec(query).first() or ""


# ---- import and export ---------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRow:
    """The columns an import writes, as stored."""

    id: int
    partner_key: str
    partner_id: str
    name: str
    country: str
    owner_email: str
    owner_user_id: str | None
    status: str
    revision: int


def rows_for_import(*, session: Session) -> dict[str, PartnerRow]:
    """Every partner's import columns by key, row-locked for the import's transaction."""
    columns = ("id", "partner_key", "partner_id", "name", "country", "owner_email", "owner_user_id", "status")
    table = Partner.__table__  # type: ignore[attr-defined]
    query = sa.select(*(table.c[name] for name in columns), table.c.revision).with_for_update()
    return {row[1]: PartnerRow(*row) for row in session.execute(query)}


def insert_partners(*, session: Session, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Insert many partners at once; return their primary keys by partner key."""
    if not rows:
        return {}
    bump_names_version(session=session)
    table = Partner.__table__  # type: ignore[attr-defined]
    if _copy_rows(session, table, rows):
        keys = {row["partner_key"] for row in rows}
        # Keys come back from one unparameterised read: a 20,000-value IN list costs more than it saves.
        everything = session.execute(sa.select(table.c.partner_key, table.c.id))
        return {key: int(pk) for key, pk in everything if key in keys}
    result = session.execute(table.insert().returning(table.c.partner_key, table.c.id), rows)
    return {key: int(pk) for key, pk in result}


def update_partners(*, session: Session, rows: list[dict[str, Any]]) -> None:
    """Update many partners at once by primary key (`id` in each row)."""
    if rows:
        session.execute(sa.update(Partner), rows)
        if any("name" in row for row in rows):
            bump_names_version(session=session)


def insert_changes(*, session: Session, rows: list[dict[str, Any]]) -> None:
    """Append many history entries at once."""
    table = StatusChange.__table__  # type: ignore[attr-defined]
    if rows and not _copy_rows(session, table, rows):
        session.execute(table.insert(), rows)


def _copy_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> bool:
    """Load rows with PostgreSQL's COPY, in the session's transaction; False on other databases.

    psycopg re-parses every large multi-row INSERT, which makes bulk loads several times slower than COPY.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return False
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])
    return True


def iter_partners(*, session: Session, batch: int = 1000, owner_user_id: str | None = None) -> Iterator[Partner]:
    """Every partner (or one owner's) in ID order, fetched in batches."""
    last = ""
    while True:
        query = select(Partner).where(Partner.partner_key > last).order_by(col(Partner.partner_key)).limit(batch)
        if owner_user_id is not None:
            query = query.where(Partner.owner_user_id == owner_user_id)
        chunk = list(session.exec(query))
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].partner_key


def unmatched_owner_emails(*, session: Session, missed_since: dt.datetime, limit: int) -> tuple[list[str], int]:
    """Up to `limit` owner e-mails no Slack user is matched to yet, leaving out those Slack did not know after
    `missed_since`, and how many such e-mails there are in all (those included)."""
    unmatched = col(Partner.owner_user_id).is_(None) & (Partner.owner_email != "")
    total = session.exec(select(func.count(sa.distinct(col(Partner.owner_email)))).where(unmatched)).one()
    missed = select(EmailLookupMiss.email).where(
        EmailLookupMiss.email == Partner.owner_email, col(EmailLookupMiss.checked_at) >= missed_since
    )
    query = (
        select(Partner.owner_email)
        .where(unmatched, ~missed.exists())
        .distinct()
        .order_by(col(Partner.owner_email))
        .limit(limit)
    )
    return list(session.exec(query)), int(total)


def any_unmatched_owner(*, session: Session) -> bool:
    """Say whether some partner's owner e-mail is not matched to a Slack user yet."""
    query = select(Partner.id).where(col(Partner.owner_user_id).is_(None), Partner.owner_email != "").limit(1)
    return session.exec(query).first() is not None


def count_matching(*, session: Session, folded: str) -> int:
    """How many partners `search_partners` would find without a limit."""
    query = select(func.count()).where(_matching(folded))
    return int(session.exec(query).one())


def first_partners(*, session: Session, limit: int = 50) -> list[Partner]:
    """The first partners by ID."""
    return list(session.exec(select(Partner).order_by(col(Partner.partner_key)).limit(limit)))
