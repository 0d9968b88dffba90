"""One learned ranker and abstention gate: logistic regression over features that name no entry, one threshold."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

L2 = 10.0
"""Ridge penalty on the standardised weights: the features and their products are many and correlated."""
STEPS = 25


@dataclass(frozen=True)
class Ranker:
    """How likely a candidate entry answers a question, and the likelihood below which the bot says it doesn't know."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    digest: str = ""

    @property
    def width(self) -> int:
        """How many features a row holds."""
        return len(self.mean)

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """The chance each row's entry answers its question."""
        mean, scale, weights = self._arrays
        z = expand((rows - mean) / scale) @ weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    @cached_property
    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The mean, scale and weights as arrays: made once, not at every question."""
        return np.asarray(self.mean), np.asarray(self.scale), np.asarray(self.weights)

    def to_json(self) -> str:
        """The fit, to store in the database or ship."""
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Ranker:
        """A fit stored by `to_json`."""
        data = json.loads(text)
        vectors = {name: tuple(data[name]) for name in ("mean", "scale", "weights")}
        return cls(
            **vectors, bias=float(data["bias"]), threshold=float(data["threshold"]), digest=data.get("digest", "")
        )


def expand(z: np.ndarray) -> np.ndarray:
    """Standardised features and their pairwise products: how one signal counts can depend on another."""
    i, j = _pairs(z.shape[1])
    return np.hstack([z, z[:, i] * z[:, j]])


@cache
def _pairs(width: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(width)


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-penalised logistic regression, by Newton's method."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, L2)
    penalty[-1] = 0.0
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (p - y) + penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    return beta[:-1], float(beta[-1])


def _threshold(best: np.ndarray, right: np.ndarray, answerable: np.ndarray) -> float:
    """The likelihood that balances answers and abstentions best: the highest worse-of-the-two rate.

    `best` is each question's top likelihood, `right` whether that entry is right, `answerable` whether any is.
    """
    choice, score = 0.5, -1.0
    for threshold in np.unique(np.round(best, 3)):
        answers = best >= threshold
        rate_right = float((answers & right)[answerable].mean()) if answerable.any() else 1.0
        rate_abstained = float((~answers)[~answerable].mean()) if (~answerable).any() else 1.0
        if min(rate_right, rate_abstained) > score:
            choice, score = float(threshold), min(rate_right, rate_abstained)
    return choice


def fit(rows: np.ndarray, labels: np.ndarray, groups: np.ndarray, *, digest: str = "") -> Ranker:
    """Fit on candidate rows (`labels`: 1 where the entry answers the question, `groups`: the question each row
    belongs to, numbered from 0), then choose the threshold on the questions' best candidates."""
    mean = rows.mean(axis=0)
    scale = rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    weights, bias = _logistic(expand((rows - mean) / scale), labels.astype(np.float64))
    ranker = Ranker(tuple(mean.tolist()), tuple(scale.tolist()), tuple(weights.tolist()), bias, 0.5, digest)
    p = ranker.probability(rows)
    group = np.asarray(groups)
    order = np.lexsort((-p, group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = group[order][1:] != group[order][:-1]
    tops = order[first]
    answerable = (np.bincount(group, weights=labels.astype(np.float64)) > 0)[group[tops]]
    threshold = _threshold(p[tops], labels[tops].astype(bool), answerable)
    return Ranker(ranker.mean, ranker.scale, ranker.weights, ranker.bias, threshold, digest)
