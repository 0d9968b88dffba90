#!/usr/bin/env python3
"""Fit the answer ranker on the shipped knowledge and labelled questions; write bot/knowledge/ranker.json.

Usage: .venv/bin/python scripts/fit_ranker.py [--check]
Also prints the cross-validated figures: each fold of question sets is measured against an index without it and
judged by a ranker fitted without it. `--check` only says whether the shipped fit is current.
tests/qa/frozen/ is never read here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.qa.evaluation import wilson  # noqa: E402
from bot.qa.knowledge import shipped  # noqa: E402
from bot.qa.learning import FOLDS, added_rows, cross_fitted, digest, shipped_added, shipped_labelled  # noqa: E402
from bot.qa.ranker import fit  # noqa: E402
from bot.qa.semantic import shared_encoder  # noqa: E402
from bot.qa.training import FIT_FILE, LEXICAL_WIDTH, fit_all, shipped_fit  # noqa: E402


def _rates(
    probability: np.ndarray, labels: np.ndarray, groups: np.ndarray, threshold: float, young: np.ndarray
) -> tuple[int, ...]:
    """Right answers, answerable questions, correct abstentions, unanswerable questions (a question about a young
    entry, `young` for its rows, is answerable even when no signal put that entry forward)."""
    order = np.lexsort((-probability, groups))
    first = np.r_[True, groups[order][1:] != groups[order][:-1]]
    tops = order[first]
    answerable = (np.bincount(groups, weights=labels.astype(np.float64)) > 0)[groups[tops]] | young[tops]
    answers = probability[tops] >= threshold
    right = answers & labels[tops].astype(bool)
    return (
        int(right[answerable].sum()),
        int(answerable.sum()),
        int((~answers)[~answerable].sum()),
        int((~answerable).sum()),
    )


def main(check: bool = typer.Option(False, help="only say whether the shipped fit is current")) -> None:
    entries = list(shipped().entries)
    labelled = shipped_labelled()
    added = shipped_added()
    if check:
        current = shipped_fit().digest == digest(entries, labelled, added)
        print("the shipped fit is current" if current else "the shipped fit is stale: run scripts/fit_ranker.py")
        raise typer.Exit(0 if current else 1)
    encoder = shared_encoder()
    rows = cross_fitted(entries, labelled, encoder) + added_rows(entries, labelled, added, encoder)
    print(
        f"cross-validated over {FOLDS} folds of question sets; in each, a quarter of the entries are young, and the "
        f"sets of entries added in Slack (bot/knowledge/added) are asked with theirs just added"
    )
    kinds = {
        "grown entries": ~rows.young & ~rows.added,
        "young entries": rows.young & ~rows.added,
        "added in Slack": rows.added,
    }
    for name, width in (("semantic", rows.features.shape[1]), ("lexical", LEXICAL_WIDTH)):
        totals = {kind: np.zeros(4, dtype=np.int64) for kind in kinds}
        for k in range(FOLDS):
            train = rows.folds != k
            groups = np.unique(rows.groups[train], return_inverse=True)[1]
            ranker = fit(rows.features[train, :width], rows.labels[train], groups)
            for part, kind in kinds.items():
                test = (rows.folds == k) & kind
                p = ranker.probability(rows.features[test, :width])
                young = rows.young[test]
                totals[part] += _rates(p, rows.labels[test], rows.groups[test], ranker.threshold, young)
        for part, total in totals.items():
            right, answerable, abstained, unanswerable = (int(x) for x in total)
            low, high = wilson(right, answerable)
            line = (
                f"{name:9} {part}: right {right}/{answerable} = {right / max(1, answerable):.1%} [{low:.1%}–{high:.1%}]"
            )
            if unanswerable:
                low, high = wilson(abstained, unanswerable)
                share = abstained / unanswerable
                line += f", correct I don't know {abstained}/{unanswerable} = {share:.1%} [{low:.1%}–{high:.1%}]"
            print(line)
    made = fit_all(entries, labelled, encoder)
    (ROOT / "bot" / "knowledge" / FIT_FILE).write_text(made.to_json() + "\n", "utf-8")
    print(f"wrote bot/knowledge/{FIT_FILE}: thresholds {made.semantic.threshold:.3f} / {made.lexical.threshold:.3f}")


if __name__ == "__main__":
    typer.run(main)
