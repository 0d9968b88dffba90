"""The Slack stand-in in a process of its own, so benchmark senders do not share its interpreter.

    python -m tests.bench.standin_server OWNERS    # prints "PORT <n>", serves until stdin closes

GET /_bench/summary returns what the bot sent: response_url payloads' text by key, Web API calls
by method, and any Slack-rule problems; GET /_bench/posts lists the chat.postMessage calls;
GET /_bench/count?prefix=P counts replies whose key starts with P (cheap, for waiting).
"""

from __future__ import annotations

import json
import sys
import urllib.parse
from collections import Counter
from typing import Any

from tests.slack_standin import SlackStandIn, text_of


def owner_id(n: int) -> str:
    return f"U0OWN{n:05d}"


def owner_email(n: int) -> str:
    return f"owner{n}@bench.example"


class BenchStandIn(SlackStandIn):
    """The stand-in plus a summary endpoint; it keeps only texts, not whole payloads."""

    def route(self, path: str, query: str, headers: dict[str, str], body: bytes) -> tuple[int, Any, dict[str, str]]:
        if path == "/_bench/summary":
            with self._lock:
                summary = {
                    "responses": {r["key"]: text_of(r["payload"]) for r in self.responses},
                    "calls": dict(Counter(c.method for c in self.calls if c.status == 200)),
                    "failed_calls": dict(Counter(c.method for c in self.calls if c.status != 200)),
                    "problems": self.problems[:50],
                }
            return 200, summary, {}
        if path == "/_bench/count":
            prefix = dict(urllib.parse.parse_qsl(query)).get("prefix", "")
            with self._lock:
                replies = sum(1 for r in self.responses if r["key"].startswith(prefix))
                return 200, {"responses": replies, "calls": len(self.calls)}, {}
        if path == "/_bench/posts":
            with self._lock:
                posts = [
                    {
                        "channel": str(c.args.get("channel", "")),
                        "text": str(c.args.get("text", ""))[:200],
                        "event_type": (c.args.get("metadata") or {}).get("event_type")
                        if isinstance(c.args.get("metadata"), dict)
                        else None,
                    }
                    for c in self.calls
                    if c.method == "chat.postMessage" and c.status == 200
                ]
            return 200, posts, {}
        if path == "/_bench/fault":
            args = json.loads(body or b"{}")
            from tests.slack_standin import Fault

            self.fail_next(args["method"], *[Fault(**f) for f in args["faults"]])
            return 200, {"ok": True}, {}
        return super().route(path, query, headers, body)


def main() -> None:
    owners = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    standin = BenchStandIn().start()
    standin.add_person("U0ADMIN01", "admin", "admin@example.com")
    for n in range(owners):
        standin.add_person(owner_id(n), f"owner{n}", owner_email(n))
    print(f"PORT {standin.port}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin (or dies)
    standin.stop()


if __name__ == "__main__":
    main()
