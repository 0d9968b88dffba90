"""The ranker's fit: shipped with the bot, refitted by the scheduler from what Slack taught it, read by every worker."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

from bot.qa.knowledge import Entry, merge, shipped, stored_entry
from bot.qa.learning import AddedSet, Labelled, added_rows, cross_fitted, digest, shipped_added, with_verdicts
from bot.qa.ranker import Ranker, fit
from bot.qa.semantic import Encoder
from bot.runtime import Runtime
from storage import knowledge as store

log = logging.getLogger(__name__)

FIT_FILE = "ranker.json"
LEXICAL_WIDTH = 12
"""Features of a row that need no model (bot/qa/index.py `features`): the fallback ranker reads these only."""


@dataclass(frozen=True)
class Fit:
    """The ranker for each way the bot may run: with the sentence model, or on words alone."""

    semantic: Ranker
    lexical: Ranker
    fitted_at: dt.datetime | None = None

    @property
    def digest(self) -> str:
        """A fingerprint of the data it learnt from."""
        return self.semantic.digest

    def to_json(self) -> str:
        """Both rankers and when they were fitted."""
        stamp = self.fitted_at.isoformat() if self.fitted_at else None
        rankers = {name: json.loads(getattr(self, name).to_json()) for name in ("semantic", "lexical")}
        return json.dumps({**rankers, "fitted_at": stamp}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Fit:
        """A fit stored by `to_json`."""
        data = json.loads(text)
        stamp = data.get("fitted_at")
        rankers = {name: Ranker.from_json(json.dumps(data[name])) for name in ("semantic", "lexical")}
        return cls(**rankers, fitted_at=dt.datetime.fromisoformat(stamp) if stamp else None)


def shipped_fit() -> Fit:
    """The fit made from the shipped knowledge and questions (scripts/fit_ranker.py writes it)."""
    return Fit.from_json(resources.files("bot.knowledge").joinpath(FIT_FILE).read_text("utf-8"))


def fit_all(
    entries: Sequence[Entry],
    labelled: list[Labelled],
    encoder: Encoder,
    *,
    added: Sequence[AddedSet] | None = None,
    now: dt.datetime | None = None,
) -> Fit:
    """Both rankers fitted on `labelled`, their features measured against `entries` with the question's fold out,
    and on the questions of `added` (default: the shipped sets), asked with each set's entries just added."""
    added = shipped_added() if added is None else added
    rows = cross_fitted(entries, labelled, encoder) + added_rows(entries, labelled, added, encoder)
    stamp = digest(entries, labelled, added)
    semantic = fit(rows.features, rows.labels, rows.groups, digest=stamp)
    lexical = fit(rows.features[:, :LEXICAL_WIDTH], rows.labels, rows.groups, digest=stamp)
    return Fit(semantic, lexical, now)


def refit(rt: Runtime, encoder: Encoder) -> bool:
    """Fit the rankers again when the entries or the verdicts given in Slack changed; say whether it did.

    The scheduler process runs this; every worker picks the new fit up before its next question.
    """
    with rt.db.session() as session:
        stored = store.list_entries(session=session)
        verdicts = store.list_examples(session=session)
        latest = store.latest_fit(session=session)
    entries = list(merge(shipped(), [stored_entry(row) for row in stored]))
    slack = [Labelled(v.text, v.lang, (v.slug,) if v.slug else (), "slack") for v in verdicts]
    labelled = with_verdicts(slack)
    stamp = digest(entries, labelled, shipped_added())
    if latest is not None and latest.digest == stamp:
        return False
    if latest is None and not slack and stamp == shipped_fit().digest:
        return False
    now = rt.clock.now()
    made = fit_all(entries, labelled, encoder, now=now)
    with rt.db.session(write=True) as session:
        store.save_fit(session=session, payload=made.to_json(), digest=stamp, fitted_at=now)
    log.info("answer ranker refitted on %d questions, %d of them from Slack", len(labelled), len(slack))
    return True
