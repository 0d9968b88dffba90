"""Prometheus metrics, served on GET /metrics."""

from __future__ import annotations

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
