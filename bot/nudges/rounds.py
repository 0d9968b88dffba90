"""A nudge round: who is due what, and delivery that never sends twice; the sweep that finishes what stalled.

Every nudge has a once-only key (kind, recipient, local date, seq). Delivery is claim → send → mark:
a pending row is INSERTed first (a unique violation means another sender has it), the message goes
out carrying the key in its metadata, and the row is marked sent with Slack's ts. A sender that dies
between send and mark leaves a pending row; the sweep then looks for the key in the conversation's
history and either marks the row sent or takes the claim over (compare-and-set on its token) and
sends once more. Nothing is ever sent for a past day.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum

from slack_sdk.errors import SlackApiError, SlackClientError

from bot import metrics
from bot.directory import CACHE_TTL, MISS_TTL
from bot.i18n import Lang, reading, t
from bot.nudges.builders import build_digest, build_summary
from bot.nudges.cadence import CLOSING_WINDOW_DAYS, Cadence, Kind, local_wall_time
from bot.nudges.chart import ChartError, Series, cumulative_series, render_in_child
from bot.progress import current_progress
from bot.replies import Reply
from bot.runtime import Runtime
from storage import nudges as store
from storage import partners as partners_store
from storage import users as users_store
from storage.models import NudgeLog
from storage.nudges import Backlog
from storage.partners import OPEN_STATUSES, owner_counts

log = logging.getLogger(__name__)

EVENT_TYPE = "transition_nudge"
PAUSED_KEY = "nudges_paused"
MAX_ATTEMPTS = 3
SNOOZE_DAYS = 7
"""How long "Snooze a week" hides a partner from its owner's digests, at most."""
SWEEP_GRACE = dt.timedelta(minutes=10)
"""How long a claim may stay pending before the sweep steps in: far longer than one send with its retries."""
HISTORY_MARGIN = dt.timedelta(minutes=2)
HISTORY_LIMIT = 200
TOP_OWNERS = 5
# Errors that will not go away by trying again: the row is failed at once instead of retried.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "account_inactive",
        "is_archived",
        "not_in_channel",
        "user_disabled",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "restricted_action",
        "no_permission",
        "invalid_blocks",
        "msg_too_long",
    }
)

ChartRenderer = Callable[[Series], bytes]


class Mode(StrEnum):
    """Why a round runs, which decides what it may skip."""

    SCHEDULED = "scheduled"  # the tick: cadence, hour and pause apply
    NOW = "now"  # an operator's round: at once, whatever the day or hour, still once per day
    FORCE = "force"  # a new round even if today's was sent, even while paused


class Outcome(StrEnum):
    """What became of one nudge."""

    SENT = "sent"
    TAKEN = "taken"  # someone else holds the key
    FAILED = "failed"
    FOUND = "found"  # the sweep found it already in Slack
    EXPIRED = "expired"
    HELD = "held"  # left pending while nudges are paused
    DROPPED = "dropped"  # nothing left to say (all registered since, or muted since)


@dataclass(frozen=True)
class Planned:
    """One nudge to deliver: its key and its content."""

    kind: Kind
    recipient: str
    local_date: dt.date
    seq: int
    reply: Reply
    chart: Series | None = None

    @property
    def key(self) -> str:
        """The once-only key carried in the message's metadata."""
        return nudge_key(self.kind, self.recipient, self.local_date, self.seq)


def nudge_key(kind: str, recipient: str, local_date: dt.date, seq: int) -> str:
    """`digest:U123:2008-09-02:0`."""
    return f"{kind}:{recipient}:{local_date.isoformat()}:{seq}"


@dataclass
class RoundReport:
    """What a round did, for the CLI, the slash command and the logs."""

    mode: Mode
    sent: Counter[str] = field(default_factory=Counter)
    already_sent: int = 0
    muted: int = 0
    failed: int = 0
    deferred: int = 0
    deactivated: int = 0
    why: str = ""
    """Slack's error code for most of the failed nudges (`token_revoked`, `ratelimited`…), when some failed."""
    unmatched: int = 0
    """Owner e-mails that no Slack account matches: nobody gets a digest for their partners."""
    paused: bool = False
    closed: bool = False

    def count(self, outcome: Outcome, kind: Kind) -> None:
        """Add one delivery's outcome."""
        if outcome in (Outcome.SENT, Outcome.FOUND):
            self.sent[kind] += 1
        elif outcome is Outcome.TAKEN:
            self.already_sent += 1
        elif outcome is Outcome.FAILED:
            self.failed += 1

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())

    def line(self) -> str:
        """One plain sentence: `2 digests and 1 summary sent; 0 already sent today; …`."""
        digests = self.sent[Kind.DIGEST]
        summaries = self.sent[Kind.SUMMARY] + self.sent[Kind.CLOSING]
        what = (
            f"{digests} digest{'s' if digests != 1 else ''} and "
            f"{summaries} channel summar{'ies' if summaries != 1 else 'y'} sent"
        )
        line = (
            f"{what}; {self.already_sent} already sent today; {self.muted} owner{'s' if self.muted != 1 else ''} "
            f"muted; {self.failed} failed"
        )
        if self.failed and self.why:
            line += f" ({self.why})"
        if self.deferred:
            line += f"; {self.deferred} deferred (time zone unknown for now)"
        if self.deactivated:
            line += f"; {self.deactivated} owner{'s' if self.deactivated != 1 else ''} deactivated"
        if self.unmatched:
            line += f"; {self.unmatched} owner e-mail{'s' if self.unmatched != 1 else ''} not found in Slack"
        return line

    @classmethod
    def from_line(cls, line: str, mode: Mode) -> RoundReport | None:
        """The counts a `line()` holds (as the audit trail keeps it), or None when it is not one."""
        found = re.fullmatch(
            r"(\d+) digests? and (\d+) channel summar(?:y|ies) sent; (\d+) already sent today; (\d+) owners? muted;"
            r" (\d+) failed(?: \(([\w.-]+)\))?(?:; (\d+) deferred \(time zone unknown for now\))?"
            r"(?:; (\d+) owners? deactivated)?"
            r"(?:; (\d+) owner e-mails? not found in Slack)?",
            line,
        )
        if found is None:
            return None
        groups = list(found.groups())
        why = groups.pop(5) or ""
        digests, summaries, already, muted, failed, deferred, deactivated, unmatched = (int(n or 0) for n in groups)
        sent: Counter[str] = Counter({Kind.DIGEST: digests, Kind.SUMMARY: summaries})
        report = cls(mode, sent, already_sent=already, muted=muted, failed=failed, deferred=deferred)
        report.deactivated, report.why, report.unmatched = deactivated, why, unmatched
        return report


# ---- deciding ---------------------------------------------------------------------------------------
def snooze_until(rt: Runtime) -> dt.date | None:
    """The last day a snooze asked today hides a partner: a week, but never into the daily reminders of the last
    days, which list every open partner; None when those have begun."""
    until = min(
        rt.today() + dt.timedelta(days=SNOOZE_DAYS),
        rt.settings.transition_deadline - dt.timedelta(days=rt.settings.nudge_daily_days),
    )
    return until if until >= rt.today() else None


def is_paused(rt: Runtime) -> bool:
    """Say whether an admin paused all nudges."""
    with rt.db.session() as session:
        return store.get_setting(session=session, key=PAUSED_KEY) == "1"


def owner_profile(
    rt: Runtime, user_id: str, cached: dict[str, tuple[str | None, bool]] | None = None
) -> tuple[str | None, bool]:
    """The owner's (time zone, deactivated) from `cached`, else through the directory (users.info, cached a day)."""
    if cached is not None and user_id in cached:
        return cached[user_id]
    person = rt.directory.by_id(user_id)
    return (person.tz, person.deleted) if person else (None, False)


def owner_wall_time(rt: Runtime, user_id: str, now: dt.datetime) -> dt.datetime:
    """`now` on the owner's wall clock (users.info zone, cached a day), else TRANSITION_TIMEZONE's."""
    zone, _deleted = owner_profile(rt, user_id)
    return local_wall_time(now, zone, rt.settings.transition_timezone)


def display_name(rt: Runtime, who: str) -> str:
    """A person's name for the channel (never an @-mention, which would ping them)."""
    if "@" in who:
        return who
    person = rt.directory.by_id(who)
    return person.name if person and person.name else who


def since_yesterday(rt: Runtime) -> dt.datetime:
    """The start of yesterday in the deadline's zone: a digest names the partners registered since."""
    yesterday = rt.today() - dt.timedelta(days=1)
    return dt.datetime.combine(yesterday, dt.time(0), tzinfo=rt.settings.tz)


def digest_reply(rt: Runtime, backlog: Backlog, now: dt.datetime, lang: Lang | None = None) -> Reply:
    """The owner's digest as of now, in the owner's language (`lang` when the round looked it up already)."""
    with reading(lang or rt.language_of(backlog.owner_user_id)):
        return _digest(rt, backlog, now)


def _digest(rt: Runtime, backlog: Backlog, now: dt.datetime) -> Reply:
    settings = rt.settings
    return build_digest(
        backlog=backlog,
        days_left=rt.days_left(),
        deadline=settings.transition_deadline,
        now=now,
        max_shown=settings.nudge_digest_max_partners,
        partner_command=settings.partner_command,
        transition_command=settings.transition_command,
        snooze=snooze_until(rt) is not None,
    )


def summary_content(rt: Runtime, *, closing: bool, with_chart: bool) -> tuple[Reply, Series | None] | None:
    """The channel summary (in NUDGE_CHANNEL_LANGUAGE) and its chart series as of now; None without partners."""
    progress = current_progress(rt)
    if progress.total == 0:
        return None
    with rt.db.session() as session:
        # Snoozed partners count: snoozing is not progress.
        top = owner_counts(session=session, statuses=OPEN_STATUSES, limit=TOP_OWNERS)
        changes = store.registration_changes(session=session) if with_chart else []
    top_named = [(display_name(rt, who), n) for who, n in top]
    series = None
    if with_chart:
        series = cumulative_series(
            changes,
            tz=rt.settings.tz,
            total=progress.total,
            deadline=rt.settings.transition_deadline,
            today=rt.today(),
            lang=rt.settings.nudge_language,
        )
    with reading(rt.settings.nudge_language):
        reply = build_summary(progress=progress, top_owners=top_named, closing=closing, chart_follows=with_chart)
    return reply, series


OWNER_LOOKUPS = 50
"""Owner e-mails asked of Slack (users.lookupByEmail) at most per round: the rest wait for the next ticks."""


def match_owners(rt: Runtime, report: RoundReport) -> None:
    """Give the partners imported under an e-mail that Slack did not know then to its person, if Slack knows them now.

    Owners who never open the bot are the ones nudges are for: waiting for them to use it to match them meant they
    never got a digest. An e-mail Slack does not know is asked again after the directory's MISS_TTL; when Slack
    does not answer at all, the next round tries again (a round never spends its time on an outage)."""
    now = rt.clock.now()
    with rt.db.session() as session:
        emails, report.unmatched = partners_store.unmatched_owner_emails(
            session=session, missed_since=now - MISS_TTL, limit=OWNER_LOOKUPS
        )
    for email in emails:
        person = rt.directory.by_email(email)
        if person is None:
            with rt.db.session() as session:
                if not users_store.recent_miss(session=session, email=email, since=now):
                    log.info("Slack did not say who owners' e-mails are: the next round asks again")
                    break
        elif not person.deleted:
            with rt.db.session(write=True) as session:
                matched = partners_store.claim_owner(session=session, email=email, user_id=person.user_id)
            log.info("matched %d partners to %s by their imported e-mail", matched, person.user_id)
            report.unmatched -= 1


def due_keys(
    rt: Runtime, *, mode: Mode, report: RoundReport
) -> tuple[list[tuple[Kind, str, dt.date]], dict[str, Backlog]]:
    """The (kind, recipient, local date) due now, and the backlogs of the owners among them."""
    settings = rt.settings
    now = rt.clock.now()
    cadence = Cadence.from_settings(settings)
    report.closed = now >= settings.deadline_end
    backlogs: dict[str, Backlog] = {}
    profiles: dict[str, tuple[str | None, bool]] = {}
    if not report.closed:
        match_owners(rt, report)
    with rt.db.session() as session:
        muted = store.muted_users(session=session)
        if not report.closed:
            backlogs = store.digest_backlogs(
                session=session,
                today=rt.today(),
                per_owner=settings.nudge_digest_max_partners,
                registered_since=since_yesterday(rt),
            )
            # One query for the profiles cached within the directory's TTL; the others go through it.
            profiles = store.cached_profiles(session=session, user_ids=list(backlogs), fetched_since=now - CACHE_TTL)
    due: list[tuple[Kind, str, dt.date]] = []
    for owner in sorted(backlogs):
        if owner in muted:
            report.muted += 1
            continue
        try:
            zone, deactivated = owner_profile(rt, owner, profiles)
            local = local_wall_time(now, zone, settings.transition_timezone)
        except Exception as exc:  # a wrong zone could mean a wrong day's key: better late than twice
            log.warning("zone of %s unknown for now (%s); their digest waits a tick", owner, type(exc).__name__)
            report.deferred += 1
            continue
        if deactivated:
            # Nobody reads a deactivated account's DMs; its partners stay in the channel summary's counts.
            log.info("no digest for %s: Slack account deactivated, their partners need a new owner", owner)
            report.deactivated += 1
            continue
        if mode is not Mode.SCHEDULED or cadence.is_due(local):
            due.append((Kind.DIGEST, owner, local.date()))
    channel = settings.nudge_channel
    if channel:
        local = now.astimezone(settings.tz)
        if not report.closed and (mode is not Mode.SCHEDULED or cadence.is_due(local)):
            due.append((Kind.SUMMARY, channel, local.date()))
        elif report.closed and (mode is not Mode.SCHEDULED or cadence.is_closing_due(local)):
            due.append((Kind.CLOSING, channel, cadence.closing_date()))
    return due, backlogs


def plan_round(
    rt: Runtime,
    *,
    mode: Mode = Mode.SCHEDULED,
    with_chart: bool = True,
    retried: Collection[tuple[Kind, str, dt.date]] = (),
) -> tuple[list[Planned], RoundReport]:
    """Decide who gets what now, from the database and the clock, and build each message (the keys `retried`
    this round are not counted as sent before)."""
    report = RoundReport(mode=mode)
    if mode is not Mode.FORCE and is_paused(rt):
        report.paused = True
        return [], report
    due, backlogs = due_keys(rt, mode=mode, report=report)
    seqs: dict[tuple[Kind, str, dt.date], int] = {}
    with rt.db.session() as session:
        if mode is Mode.FORCE:
            for kind, recipient, day in due:
                seqs[(kind, recipient, day)] = store.next_seq(
                    session=session, kind=kind, recipient=recipient, local_date=day
                )
        else:
            for kind in Kind:
                keys = [(recipient, day) for k, recipient, day in due if k is kind]
                claimed = store.claimed_recipients(session=session, kind=kind, keys=keys)
                for (recipient, day), gave_up in claimed.items():
                    if (kind, recipient, day) not in retried:
                        # Given up after failing is no "already sent": a round asked for now tries them again.
                        report.failed += gave_up
                        report.already_sent += not gave_up
                    due.remove((kind, recipient, day))
    now = rt.clock.now()
    languages = rt.languages_of([recipient for kind, recipient, _ in due if kind is Kind.DIGEST])
    planned: list[Planned] = []
    for kind, recipient, day in due:
        seq = seqs.get((kind, recipient, day), 0)
        if kind is Kind.DIGEST:
            digest = digest_reply(rt, backlogs[recipient], now, languages[recipient])
            planned.append(Planned(kind, recipient, day, seq, digest))
            continue
        content = summary_content(rt, closing=kind is Kind.CLOSING, with_chart=with_chart)
        if content is not None:
            reply, series = content
            planned.append(Planned(kind, recipient, day, seq, reply, series))
    return planned, report


# ---- delivering -------------------------------------------------------------------------------------
def new_token() -> str:
    """A claim token: whoever holds it may send and mark this nudge."""
    return uuid.uuid4().hex


def deliver(rt: Runtime, planned: Planned, *, chart: ChartRenderer | None = render_in_child) -> Outcome:
    """Claim the nudge's key, send it, mark it sent; skip it if another sender holds the key."""
    token = new_token()
    with rt.db.session(write=True) as session:
        row = store.claim_nudge(
            session=session,
            kind=planned.kind,
            recipient=planned.recipient,
            local_date=planned.local_date,
            seq=planned.seq,
            token=token,
            now=rt.clock.now(),
        )
        if row is None:
            return Outcome.TAKEN
        assert row.id is not None
        nudge_id = row.id
    return send_claimed(rt, planned, nudge_id=nudge_id, token=token, attempt=1, chart=chart)


def send_claimed(
    rt: Runtime, planned: Planned, *, nudge_id: int, token: str, attempt: int, chart: ChartRenderer | None
) -> Outcome:
    """Send a nudge this caller holds the claim of, then mark it (or record why it failed)."""
    try:
        response = rt.client.chat_postMessage(
            channel=planned.recipient,
            metadata={"event_type": EVENT_TYPE, "event_payload": {"key": planned.key}},
            unfurl_links=False,
            unfurl_media=False,
            **planned.reply.as_message_kwargs(),
        )
    except (SlackClientError, OSError, http.client.HTTPException) as exc:
        error = slack_error(exc)
        give_up = error in PERMANENT_ERRORS or attempt >= MAX_ATTEMPTS
        with rt.db.session(write=True) as session:
            store.mark_failed_attempt(session=session, nudge_id=nudge_id, token=token, error=error, give_up=give_up)
        metrics.NUDGES.labels(planned.kind, "failed").inc()
        log.warning("%s nudge to %s failed (attempt %d): %s", planned.kind, planned.recipient, attempt, error)
        return Outcome.FAILED
    channel, ts = str(response["channel"]), str(response["ts"])
    with rt.db.session(write=True) as session:
        marked = store.mark_sent(
            session=session, nudge_id=nudge_id, token=token, channel=channel, ts=ts, now=rt.clock.now()
        )
    if not marked:
        log.warning("%s nudge to %s was sent but its claim had been taken over", planned.kind, planned.recipient)
    metrics.NUDGES.labels(planned.kind, "sent").inc()
    log.info("%s nudge sent to %s", planned.kind, planned.recipient)
    if planned.chart is not None and chart is not None:
        upload_chart(rt, channel=channel, series=planned.chart, render=chart)
    return Outcome.SENT


def slack_error(exc: Exception) -> str:
    """A short, text-free name for what went wrong (Slack's error code, or the exception's type)."""
    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or f"http_{exc.response.status_code}")
    return type(exc).__name__


def upload_chart(rt: Runtime, *, channel: str, series: Series, render: ChartRenderer) -> bool:
    """Draw the registrations chart and upload it to the channel; a failure costs only the chart."""
    try:
        png = render(series)
        rt.client.files_upload_v2(
            channel=channel,
            file=png,
            filename="registrations.png",
            title=t("chart.upload_title", series.lang),
            alt_txt=t("chart.alt", series.lang),
        )
    except (ChartError, SlackClientError, OSError, http.client.HTTPException) as exc:
        log.warning("registrations chart not uploaded: %s", slack_error(exc))
        return False
    return True


def run_round(
    rt: Runtime, *, mode: Mode = Mode.SCHEDULED, chart: ChartRenderer | None = render_in_child
) -> RoundReport:
    """Plan and deliver one round; one failing recipient never stops the others. A round asked for now first
    sends again what failed earlier, as the sweep would some minutes later."""
    retried = retry_failed(rt, chart=chart) if mode is Mode.NOW else {}
    planned, report = plan_round(rt, mode=mode, with_chart=chart is not None, retried=retried)
    for (kind, _, _), retry in retried.items():
        report.count(retry, kind)
    for item in planned:
        try:
            outcome = deliver(rt, item, chart=chart)
        except Exception as exc:  # e.g. the database went away mid-round: the next tick or sweep retries
            log.warning("%s nudge to %s not delivered: %s", item.kind, item.recipient, type(exc).__name__)
            outcome = Outcome.FAILED
        report.count(outcome, item.kind)
    if report.failed:
        with rt.db.session() as session:
            errors = store.failing_errors(session=session, since=rt.today() - dt.timedelta(days=1))
        report.why = errors.most_common(1)[0][0] if errors else ""
    if planned or mode is not Mode.SCHEDULED:  # a quiet tick (nothing due) logs nothing, every 5 minutes
        log.info("nudge round (%s): %s", mode, report.line())
    return report


# ---- sweeping ---------------------------------------------------------------------------------------
@dataclass
class SweepReport:
    """What a sweep did with the nudges it found pending."""

    outcomes: Counter[str] = field(default_factory=Counter)


def is_past(rt: Runtime, row: NudgeLog, now: dt.datetime) -> bool:
    """Say whether a nudge belongs to a day already over for its recipient (the closing one lasts a week)."""
    if row.kind == Kind.DIGEST:
        return row.local_date < owner_wall_time(rt, row.recipient, now).date()
    today = now.astimezone(rt.settings.tz).date()
    if row.kind == Kind.CLOSING:
        return (today - row.local_date).days >= CLOSING_WINDOW_DAYS
    return row.local_date < today


def conversation_of(rt: Runtime, recipient: str, known: str | None) -> str:
    """Where a nudge to `recipient` lands: the channel itself, or the DM that conversations.open gives."""
    if known:
        return known
    if recipient.startswith(("U", "W")):
        return str(rt.client.conversations_open(users=recipient)["channel"]["id"])
    return recipient


def find_in_history(rt: Runtime, *, channel: str, key: str, since: dt.datetime) -> str | None:
    """The ts of the message carrying `key` in its metadata, posted after `since`, if Slack has it."""
    response = rt.client.conversations_history(
        channel=channel,
        oldest=f"{since.timestamp():.6f}",
        include_all_metadata=True,
        limit=HISTORY_LIMIT,
    )
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        if metadata.get("event_type") == EVENT_TYPE and (metadata.get("event_payload") or {}).get("key") == key:
            return str(message["ts"])
    return None


def rebuild(
    rt: Runtime, kind: Kind, recipient: str, local_date: dt.date, seq: int, *, with_chart: bool
) -> Planned | None:
    """The content of a nudge to send again, as of now; None when there is nothing left to say."""
    if kind is Kind.DIGEST:
        with rt.db.session() as session:
            if store.is_muted(session=session, user_id=recipient):
                return None
            backlogs = store.digest_backlogs(
                session=session,
                today=rt.today(),
                per_owner=rt.settings.nudge_digest_max_partners,
                owner_user_id=recipient,
                registered_since=since_yesterday(rt),
            )
        if recipient not in backlogs:
            return None
        return Planned(kind, recipient, local_date, seq, digest_reply(rt, backlogs[recipient], rt.clock.now()))
    content = summary_content(rt, closing=kind is Kind.CLOSING, with_chart=with_chart)
    if content is None:
        return None
    reply, series = content
    return Planned(kind, recipient, local_date, seq, reply, series)


def sweep(
    rt: Runtime, *, grace: dt.timedelta = SWEEP_GRACE, chart: ChartRenderer | None = render_in_child
) -> SweepReport:
    """Settle nudges left pending: mark them sent if Slack has them, resend them once if not, expire old ones."""
    now = rt.clock.now()
    report = SweepReport()
    with rt.db.session() as session:
        rows = store.stale_pending(session=session, claimed_before=now - grace)
    paused = is_paused(rt) if rows else False
    for row in rows:
        assert row.id is not None
        try:
            outcome = settle(rt, row, now=now, paused=paused, chart=chart)
        except Exception as exc:  # one stuck nudge must not stop the sweep; the next one tries again
            log.warning("sweep could not settle a %s nudge: %s", row.kind, slack_error(exc))
            outcome = Outcome.FAILED
        report.outcomes[outcome] += 1
    if rows:
        log.info("nudge sweep: %s", dict(report.outcomes))
    return report


def retry_failed(rt: Runtime, *, chart: ChartRenderer | None) -> dict[tuple[Kind, str, dt.date], Outcome]:
    """Settle at once the nudges whose last send failed and that nobody has taken over (see `settle`), those given
    up after MAX_ATTEMPTS included: asked for now, a round tries again (a past day's expire)."""
    now = rt.clock.now()
    with rt.db.session(write=True) as session:
        if revived := store.revive_given_up(session=session, since=rt.today() - dt.timedelta(days=1)):
            log.info("%d nudges given up after failing are tried again", revived)
    with rt.db.session() as session:
        rows = store.released_pending(session=session)
    paused = is_paused(rt) if rows else False
    done: dict[tuple[Kind, str, dt.date], Outcome] = {}
    for row in rows:
        try:
            outcome = settle(rt, row, now=now, paused=paused, chart=chart)
        except Exception as exc:  # as in the sweep: one stuck nudge must not stop the round
            log.warning("could not retry a %s nudge: %s", row.kind, slack_error(exc))
            outcome = Outcome.FAILED
        done[(Kind(row.kind), row.recipient, row.local_date)] = outcome
    return done


def settle(rt: Runtime, row: NudgeLog, *, now: dt.datetime, paused: bool, chart: ChartRenderer | None) -> Outcome:
    """Settle one pending nudge (see `sweep`)."""
    assert row.id is not None
    kind = Kind(row.kind)
    if is_past(rt, row, now):
        with rt.db.session(write=True) as session:
            store.expire(session=session, nudge_id=row.id, token=row.claim_token)
        return Outcome.EXPIRED
    key = nudge_key(kind, row.recipient, row.local_date, row.seq)
    channel = conversation_of(rt, row.recipient, row.channel)
    if channel != row.channel:
        with rt.db.session(write=True) as session:
            store.remember_channel(session=session, nudge_id=row.id, channel=channel)
    ts = find_in_history(rt, channel=channel, key=key, since=row.claimed_at - HISTORY_MARGIN)
    if ts is not None:
        with rt.db.session(write=True) as session:
            store.mark_sent(session=session, nudge_id=row.id, token=row.claim_token, channel=channel, ts=ts, now=now)
        log.info("sweep found a %s nudge already in Slack", kind)
        return Outcome.FOUND
    if paused:
        return Outcome.HELD
    if row.attempts >= MAX_ATTEMPTS:
        with rt.db.session(write=True) as session:
            store.mark_failed_attempt(
                session=session, nudge_id=row.id, token=row.claim_token, error=row.error or "gave_up", give_up=True
            )
        return Outcome.FAILED
    planned = rebuild(rt, kind, row.recipient, row.local_date, row.seq, with_chart=chart is not None)
    token = new_token()
    with rt.db.session(write=True) as session:
        if not store.reclaim(session=session, nudge_id=row.id, old_token=row.claim_token, new_token=token, now=now):
            return Outcome.TAKEN
        if planned is None:
            store.expire(session=session, nudge_id=row.id, token=token)
    if planned is None:
        return Outcome.DROPPED
    return send_claimed(rt, planned, nudge_id=row.id, token=token, attempt=row.attempts + 1, chart=chart)
