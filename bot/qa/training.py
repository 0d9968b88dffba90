"""Fitting the classifier of `bot.qa.classifier` with scikit-learn: for `scripts/train_classifier.py` and the tests.

scikit-learn is a development dependency (`pip install -e ".[dev]"`): the running bot never imports this module,
it reads the fitted model from `bot/knowledge/classifier.npz`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from bot.qa.classifier import Classifier, Example, Model, digest, examples, features, labelled_sets

MIN_EXAMPLES = 2
"""A feature seen in fewer examples than this is not learnt: it says more about one question than about many."""
C = 0.5
"""The SVM's regularisation: lower generalises more, higher fits the examples closer."""


def estimators(learnt: Sequence[Example]) -> tuple[TfidfVectorizer, LinearSVC]:
    """scikit-learn's vectorizer and SVM fitted on `learnt`."""
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=MIN_EXAMPLES, dtype=np.float32)
    matrix = vectorizer.fit_transform([e.text for e in learnt])
    svm = LinearSVC(C=C, random_state=0).fit(matrix, [e.slug for e in learnt])
    return vectorizer, svm


def fit(learnt: Sequence[Example]) -> Model:
    """The model fitted on `learnt`, in the form the bot reads."""
    vectorizer, svm = estimators(learnt)
    vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    return Model(
        vocabulary=tuple(vocabulary),
        idf=vectorizer.idf_.astype(np.float32),
        weights=np.ascontiguousarray(svm.coef_.T, dtype=np.float32),
        bias=svm.intercept_.astype(np.float32),
        labels=tuple(str(label) for label in svm.classes_),
        learnt=digest(learnt),
    )


@cache
def held_out(name: str) -> Classifier | None:
    """A classifier that never learnt the shipped set `name` (None for a set that does not ship: the bot's own
    never learnt it either), so that a set's figures say how the bot does on questions it has not seen."""
    if name not in labelled_sets():
        return None
    return Classifier(fit(examples(without=frozenset({name}))))
