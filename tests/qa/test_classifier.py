"""The classifier's second opinion: what it learns from, what it reads, and when it overrules the rules."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bot.qa import service
from bot.qa.classifier import NONE, Classifier, Model, Opinion, digest, examples, labelled_sets, shipped_classifier
from bot.qa.knowledge import shipped
from bot.qa.training import estimators, fit, held_out
from bot.runtime import Runtime
from tests.qa.conftest import ALICE, save_parking_entry

SHIPPED = frozenset(entry.slug for entry in shipped().entries)


@dataclass(frozen=True)
class Fixed:
    """A classifier whose opinion is set by the test."""

    slug: str | None
    margin: float
    slugs: frozenset[str] = SHIPPED

    def opinion(self, text: str) -> Opinion:
        return Opinion(self.slug, self.margin)


def test_it_learns_the_phrasings_and_every_labelled_set_and_can_leave_one_out() -> None:
    sets = labelled_sets()
    assert len(sets) >= 30 and all(len(items) >= 40 for items in sets.values())
    everything = examples()
    without = examples(without=frozenset({"blind27"}))
    assert len(everything) - len(without) == len(sets["blind27"])
    assert "blind27" not in {e.origin for e in without} and {"seed", "blind27"} <= {e.origin for e in everything}
    assert {e.slug for e in everything} == SHIPPED | {NONE}
    held = held_out("blind27")
    assert held is not None and held.model.learnt == digest(without) != digest(everything)
    assert held_out("a set that does not ship") is None


def test_the_shipped_model_learnt_todays_questions_and_phrasings() -> None:
    classifier = shipped_classifier()
    assert classifier is not None
    # If this fails, run scripts/train_classifier.py: a labelled set or an entry's phrasings changed since.
    assert classifier.model.learnt == digest(examples())
    assert classifier.slugs == SHIPPED


def test_the_bot_scores_a_question_exactly_as_scikit_learn_does(tmp_path: Path) -> None:
    learnt = examples(without=frozenset({"blind28", "blind29", "blind30"}))
    vectorizer, svm = estimators(learnt)
    fit(learnt).save(str(tmp_path / "model.npz"))
    classifier = Classifier(Model.load(tmp_path / "model.npz"))  # as the bot reads it
    asked = [e.text for name in ("blind28", "blind29", "blind30") for e in labelled_sets()[name]]
    expected = svm.decision_function(vectorizer.transform(asked))
    ours = np.array([classifier.scores(text) for text in asked])
    assert np.allclose(ours, expected, atol=1e-4)
    assert [classifier.opinion(text).slug or NONE for text in asked] == list(svm.predict(vectorizer.transform(asked)))


def test_words_it_never_learnt_leave_it_at_its_bias() -> None:
    classifier = shipped_classifier()
    assert classifier is not None
    assert np.array_equal(classifier.scores("§§§"), classifier.model.bias)


def test_it_reads_typos_shorthand_and_questions_beyond_the_article() -> None:
    classifier = shipped_classifier()
    assert classifier is not None
    asked = {
        "dedline pr s'enregistrer chez cisco c koi": "deadline",
        "who sits on that small biz council thing": "council_members",
        "combien de revendeurs linksys dans le monde en gros": "partner_count",
        "What's the weather like in Lyon tomorrow?": None,
        "quel est le prix d'un switch catalyst 2960 ?": None,
    }
    learnt = {e.text.casefold() for e in examples()}
    for question, slug in asked.items():
        assert question.casefold() not in learnt  # a reading, not a memory
        opinion = classifier.opinion(question)
        assert opinion.slug == slug and opinion.margin > 0, (question, opinion)


def test_a_clear_opinion_answers_what_the_rules_did_not(rt: Runtime) -> None:
    assert service.decide(rt, "zorglub blip?", user_id=ALICE).outcome == "unknown"
    decision = service.decide(rt, "zorglub blip?", user_id=ALICE, classifier=Fixed("deadline", 2.0))
    assert decision.outcome == "answered" and decision.slug == "deadline"
    assert "16 September 2008" in decision.body and "14 days left" in decision.body  # a live answer, computed now
    assert "August 2008" in decision.source


def test_a_clear_none_turns_an_answer_into_i_dont_know_offering_it(rt: Runtime) -> None:
    decision = service.decide(rt, "When is the deadline?", user_id=ALICE, classifier=Fixed(None, 2.0))
    assert decision.outcome == "unknown" and decision.body == ""
    assert decision.suggestions == (shipped().entries[0].questions_en[0],)


@pytest.mark.parametrize("opinion", [Fixed(None, 0.1), Fixed("ceo", 0.1), Fixed("deadline", 3.0)])
def test_a_weak_or_agreeing_opinion_leaves_the_rules_answer(rt: Runtime, opinion: Fixed) -> None:
    decision = service.decide(rt, "When is the deadline?", user_id=ALICE, classifier=opinion)
    assert decision.outcome == "answered" and decision.slug == "deadline" and "16 September 2008" in decision.body


def test_an_answer_added_in_slack_is_never_overruled(rt: Runtime) -> None:
    save_parking_entry(rt)
    for opinion in (Fixed(None, 5.0), Fixed("deadline", 5.0)):
        assert service.decide(rt, "where do I park?", user_id=ALICE, classifier=opinion).body == "Level -2."


def test_a_status_opinion_needs_a_partner_name(rt: Runtime, partners: list[object]) -> None:
    status = Fixed("partner_status", 2.0)
    named = service.decide(rt, "Bluewave Telecom phoned in a panic: are they in yet?", user_id=ALICE, classifier=status)
    assert named.slug == "partner_status" and "I know no partner called “Bluewave Telecom”" in named.body
    rules = service.decide(rt, "are they in yet?", user_id=ALICE, classifier=Fixed(None, 0.0))
    assert service.decide(rt, "are they in yet?", user_id=ALICE, classifier=status) == rules


def test_a_several_part_answer_naming_an_unknown_part_stands(rt: Runtime) -> None:
    question = "Who is Cisco's CEO, and what is his salary?"
    rules = service.decide(rt, question, user_id=ALICE, classifier=Fixed("ceo", 0.0))
    assert rules.slug == "ceo" and rules.unanswered
    assert service.decide(rt, question, user_id=ALICE, classifier=Fixed(None, 5.0)) == rules


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("When did Ian Pennell join Cisco?", "ian_pennell"),  # his entry gives no date
        ("how old is Sue Bostrom?", "sue_bostrom"),  # nothing personal is in the article
        ("Who was Cisco's head of distribution before Keith Goodwin?", "keith_goodwin"),  # nor who came before
        ("How many have already registered worldwide so far?", "progress"),  # our records are not the world's
    ],
)
def test_a_clear_opinion_is_no_answer_where_the_gates_stop_its_entry(rt: Runtime, question: str, slug: str) -> None:
    assert service.decide(rt, question, user_id=ALICE, classifier=Fixed(None, 0.0)).outcome == "unknown"
    assert service.decide(rt, question, user_id=ALICE, classifier=Fixed(slug, 5.0)).outcome == "unknown"


def test_a_clear_opinion_reads_past_names_and_counts_the_rules_cannot_place(rt: Runtime) -> None:
    # A town and a count of members stop the rules; they say nothing against the entries the classifier reads.
    for question, slug in [
        ("je sors d'un rdv à Namur: combien de temps en tout pour migrer, t'as le chiffre ?", "time_window"),
        ("J'ai lu que ce conseil comptait quatre membres ; le nombre exact et les noms ?", "council_members"),
    ]:
        decision = service.decide(rt, question, user_id=ALICE, classifier=Fixed(slug, 5.0))
        assert decision.outcome == "answered" and decision.slug == slug, question


def test_a_partner_status_the_rules_found_stands(rt: Runtime, partners: list[object]) -> None:
    question = "Where does Bretagne Réseaux SA currently stand in the migration?"
    rules = service.decide(rt, question, user_id=ALICE, classifier=Fixed(None, 0.0))
    assert rules.slug == "partner_status" and "Bretagne Réseaux SA" in rules.body
    for opinion in (Fixed(None, 5.0), Fixed("deadline", 5.0)):
        assert service.decide(rt, question, user_id=ALICE, classifier=opinion) == rules
