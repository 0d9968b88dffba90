"""Typed queries on partners and their history."""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.models import Partner, StatusChange

OPEN_STATUSES: frozenset[str] = frozenset({"not_contacted", "contacted", "in_progress"})
"""Statuses that still need work (storage's copy of bot.statuses.OPEN; a test keeps them equal)."""


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
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def open_partners_by_owner(*, session: Session, today: dt.date | None = None) -> dict[str, list[Partner]]:
    """Owner user ID → their open partners, least recently updated first; with `today`, skip snoozed ones."""
    query = (
        select(Partner)
        .where(col(Partner.owner_user_id).is_not(None), col(Partner.status).in_(OPEN_STATUSES))
        .order_by(col(Partner.updated_at), col(Partner.id))
    )
    if today is not None:
        query = query.where(or_(col(Partner.snoozed_until).is_(None), col(Partner.snoozed_until) < today))
    grouped: dict[str, list[Partner]] = {}
    for partner in session.exec(query):
        assert partner.owner_user_id is not None
        grouped.setdefault(partner.owner_user_id, []).append(partner)
    return grouped


def get_partner(*, session: Session, key: str) -> Partner | None:
    """The partner whose ID is `key`, in any case."""
    return session.exec(select(Partner).where(Partner.partner_key == key.strip().upper())).first()
