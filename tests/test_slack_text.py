"""Text as Slack sends it, read back as the person typed it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.slack_text import as_typed, escape, mentions_as_text


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("<mailto:bruno@example.com|bruno@example.com>", "bruno@example.com"),
        ("see <https://www.cisco.com/go/partner>", "see https://www.cisco.com/go/partner"),
        ("<https://cisco.com|the portal>", "the portal"),
        ("in <#C0SALES01|ventes> and <#C0SALES02>", "in #ventes and #C0SALES02"),
        (
            "<!here> <!channel> <!subteam^S012|@sales-fr> <!date^1221523200^{date}|16 Sept>",
            "@here @channel @sales-fr 16 Sept",
        ),
        ("A &amp; B &lt;not markup&gt;", "A & B <not markup>"),
        ("to <@U0BRUNO01|bruno> and <@W0ALICE01>", "to <@U0BRUNO01|bruno> and <@W0ALICE01>"),
    ],
)
def test_what_slack_marked_up_reads_as_typed(sent: str, typed: str) -> None:
    assert as_typed(sent) == typed


def test_people_in_kept_text_are_names_that_ping_nobody() -> None:
    assert mentions_as_text("to <@U0BRUNO01|bruno> and <@U0ALICE01>") == "to @bruno and @U0ALICE01"


@pytest.mark.parametrize("hostile", ["<" * 40_000, "<a" * 20_000, "<" + "a|" * 20_000, "<@U" + "A" * 39_990])
def test_markup_that_never_closes_is_left_alone(hostile: str) -> None:
    assert as_typed(hostile) == hostile
    assert mentions_as_text(hostile) == hostile


@given(st.text(max_size=300))
def test_text_typed_in_slack_comes_back_as_typed(typed: str) -> None:
    # What a person types reaches the bot with its brackets and ampersands escaped; nothing else is touched.
    assert as_typed(escape(typed)) == typed
