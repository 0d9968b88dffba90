"""What the ranker learns from: the shipped labelled questions and the verdicts given in Slack."""

from __future__ import annotations

from bot.qa.learning import Labelled, shipped_labelled, with_verdicts


def test_a_verdict_given_in_slack_replaces_a_shipped_questions_label() -> None:
    shipped = shipped_labelled()
    beyond = next(q for q in shipped if not q.expect)
    moved = Labelled(beyond.text, beyond.lang, ("fees",), "slack")
    new = Labelled("Who signs the new contract?", "en", (), "slack")
    learnt = with_verdicts([moved, new])
    assert [q for q in learnt if q.text == beyond.text] == [moved]
    assert learnt[-2:] == [moved, new]
    assert len(learnt) == len(shipped) - sum(q.text == beyond.text for q in shipped) + 2
    assert with_verdicts([]) == shipped
