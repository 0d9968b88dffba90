"""Logging set-up: parameterised lines, and nothing that could carry message text or tokens."""

from __future__ import annotations

import logging
import re
import sys

_PAYLOAD = re.compile(r"\{.*\}|\[.*\]", re.S)
_TOKEN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
_LIBRARIES = (
    "bolt",
    "slack_bolt",
    "slack_sdk",
    "apscheduler",
    "waitress",
    "alembic",
    "sqlalchemy",
    "bm25s",
    "matplotlib",
)


class RedactPayloads(logging.Filter):
    """Strip request bodies and tokens from library log lines (Bolt puts bodies in some warnings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith(_LIBRARIES):
            message = record.getMessage()
            message = _PAYLOAD.sub("{…}", message)
            record.msg = _TOKEN.sub("xox…", message)
            record.args = ()
        return True


def configure(level: str = "INFO", stream: object = None) -> None:
    """Send logs to stderr with one format; libraries never log below WARNING."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactPayloads())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "INFO")
    for name in _LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
