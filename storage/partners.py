"""Typed queries on partners and their history."""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Partner, StatusChange


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
