"""Prometheus metrics, served on GET /metrics."""

from __future__ import annotations

import threading

from prometheus_client import Counter, Histogram

HTTP_RESPONSES = Counter(
    "transition_http_responses_total", "HTTP responses by path and status, refusals included", ["path", "status"]
)
REQUESTS = Counter("transition_requests_total", "Requests from Slack by kind and outcome", ["kind", "outcome"])
ACK_SECONDS = Histogram(
    "transition_ack_seconds",
    "Time from receiving a Slack request to acknowledging it",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
NUDGES = Counter("transition_nudges_total", "Nudges by kind and outcome", ["kind", "outcome"])
QUESTIONS = Counter("transition_questions_total", "Questions by outcome", ["outcome"])
DUPLICATE_EVENTS = Counter("transition_duplicate_events_total", "Event redeliveries ignored")
REPLAYS = Counter("transition_replays_total", "Replayed slash commands and interactions ignored")
UNHANDLED = Counter("transition_unhandled_requests_total", "Well-formed Slack requests no listener takes", ["kind"])
RATE_LIMITED = Counter("transition_events_rate_limited_total", "app_rate_limited notices: Slack dropped events")
REVOCATIONS = Counter("transition_slack_revocations_total", "tokens_revoked and app_uninstalled events", ["event"])

KINDS = frozenset(
    {
        "event_callback",
        "command",
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "dialog_submission",
        "dialog_suggestion",
        "dialog_cancellation",
        "interactive_message",
        "app_rate_limited",
    }
)


def bounded_kind(kind: str) -> str:
    """`kind` when Slack documents it, else "other": a label's values must stay few."""
    return kind if kind in KINDS else "other"


# Bolt runs global middleware before its listeners, so no middleware can time an ack: the HTTP
# front times the whole request, and the middleware, on the same thread, says what kind it was.
_current = threading.local()


def note_kind(kind: str) -> None:
    """Remember the kind of the Slack request this thread is serving."""
    _current.kind = kind


def observe_ack(seconds: float, status: int) -> None:
    """Count one answered Slack request and its time to acknowledgement, by the kind noted."""
    kind = getattr(_current, "kind", None) or "unverified"  # refused before Bolt's middleware ran
    _current.kind = None
    ACK_SECONDS.labels(kind).observe(seconds)
    REQUESTS.labels(kind, str(status)).inc()
