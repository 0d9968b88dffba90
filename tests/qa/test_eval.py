"""The labelled sets (bot/knowledge/questions) keep their figures: right answers, "I don't know", language, speed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo import DEMO_USERS, load_demo
from bot.qa.evaluation import evaluate, load_cases
from bot.qa.training import held_out
from bot.runtime import Runtime

EVAL_DIR = Path(__file__).resolve().parents[2] / "bot" / "knowledge" / "questions"
# Floors per set, one question below today's figures. "seen" was used to tune; each held-out set was written
# before the tuning that followed it was measured on it (heldout2 and heldout3 were then looked at: see the note).
# blind1 and blind2 were written from the article alone; blind1's misses were studied to find which kinds of
# wording fail. blind2 was only measured (78 % right) until the key-concept gate; it is a development set since,
# so a third blind set, kept out of the tree, gives the honest figure for unseen questions. blind3 is that set:
# measured once after the key-concept gate (83.6 % right, 70.4 % correct "I don't know"), then committed as is;
# its misses (near misses answered with the entry they resemble) then shaped the near-miss checks, so it is a
# development set too. dev4 (140 questions) was written from the article alone for the second session and used to
# develop the near-miss checks and the reading of partners' names; blind4, written with it, stayed out of the tree
# until it was measured once (61.4 % right, 75.0 % correct "I don't know"); its misses then shaped the lexicon.
# blind5 (120 questions, written later by someone else who never saw the knowledge base) was measured once after
# that, at 84.6 % right and 92.9 % correct "I don't know", and committed as is: the honest figure for unseen questions
# then. dev5 (150 questions, third session, written from the article and the list of entries only) measured 88.0 % /
# 92.0 % before that session's work, which it then guided; the helper who wrote extra phrasings saw it, so it is a
# development set. blind6 (120 questions, written alongside by another helper from the article alone, kept out of the
# tree) was measured once after that work: 92.5 % right, 92.5 % correct "I don't know"; committed as measured.
# Fourth session: blind7 and blind8 (100 questions each, two helpers, from the article and the list of entries only;
# blind8 in long messages with context) were each measured once before they shaped anything: blind7 at 89.2 % right,
# 97.1 % correct "I don't know"; blind8, after blind7's misses had been worked on, at 76.9 % / 91.4 %. Both then
# guided that session's work (whose partners, places, long messages), so they are development sets now.
# blind9 (long messages, pasted emails) and blind10 (Québécois, Belgian and SMS French, live data) were written
# alongside by two more helpers and measured once after that work: 74.2 % / 85.3 % and 73.8 % / 88.6 %; committed
# as measured, the honest figures for unseen questions at the end of the fourth session.
# Fifth session: blind11 (UK, US, French, Belgian and Québécois sales people) was measured once at the start, before
# it shaped anything: 87.7 % right, 94.3 % correct "I don't know"; its misses then guided the session's work.
# Sixth session: blind12 (a helper, from the article and the list of entries only; a quarter long messages) was
# measured once after the session's first work, before it shaped anything: 86.2 % right, 91.4 % correct "I don't
# know"; its misses then guided the work that followed. blind13, written with it and kept out of the tree, was
# measured once at the end of that work: 67.7 % right, 85.7 % correct "I don't know"; committed as measured, then
# its misses guided the session's last changes (a development set since). Floors raised to today's figures.
# Seventh session: blind15 (a helper, from the article and the list of entries only, imagining each asker first) was
# measured once at the start, on commit ba1c179, before it shaped anything: 87.7 % right, 94.3 % correct "I don't
# know"; its misses then guided the session's work. blind14, written alongside by another helper and kept out of the
# tree, was measured once after that first work (commit da273c1): 90.8 % right, 94.3 % correct "I don't know"; its
# misses then guided the work that followed. blind16, written later by a third helper, was measured once after that
# work (commit a62bd0a): 87.7 % right, 91.4 % correct "I don't know"; a development set since. blind18 (busy Slack
# shorthand: qq, fyi, w/, « rdv à 14h ») was measured once on commit ccc707f: 84.6 % right, 88.6 % correct "I don't
# know"; a development set since. blind19 (careful, formal questions; facts checked with wrong figures) was measured
# once on commit 404ed14: 69.2 % right, 82.9 % correct "I don't know"; a development set since. blind20 (a third
# formal, a third workplace Slack, a third terse) was measured once on commit fb826a9: 87.7 % right, 88.6 % correct
# "I don't know"; a development set since. Floors raised to one question below today's figures. blind17, written
# with blind16 and kept out of the tree, was measured once at the end of the session's work (commit 7dd5c80): 87.7 %
# right, 88.6 % correct "I don't know"; committed as measured, the honest figure for unseen questions today. Three of
# its misses then guided a last change; it is a development set since.
# Eighth session: blind21 (field reps and channel managers, a third told as a story about a partner) and blind22 (new
# joiners and managers: "why", "who", indirect and very short questions), written by two helpers from the article
# and the list of entries only, were measured once at the start, on commit 1bc65b0, before they shaped anything:
# blind21 81.5 % right, 97.1 % correct "I don't know"; blind22 92.3 % / 88.6 %. Their misses then guided the
# session's work; development sets since. blind24 (a sales team's daily Slack, people and history asked from unusual
# angles), written later by a third helper, was measured once on commit ef3e6f4: 84.6 % right, 85.7 % correct "I don't
# know"; a development set since. blind25 (half short, a quarter long, a quarter typos and franglais: "CCPP", « la date
# fatidique ») was measured once on commit 999cbb8: 89.2 % right, 100 % correct "I don't know"; a development set since.
# blind23 (account managers folding the question into what they are doing, half-remembered facts, pasted emails) was
# measured once on commit d1c7a20: 90.8 % right, 97.1 % correct "I don't know". blind26 (inside sales in the last two
# weeks: urgency, follow-ups, out-of-scope logistics and people), the last written, was measured once at the end of
# the session's work on commit 7fcddf1: 86.2 % right, 88.6 % correct "I don't know". Both development sets since.
# blind27 (a varied sales organisation on a busy day), written last, was measured once on the session's final code
# (commit 621115e): 90.8 % right, 97.1 % correct "I don't know"; committed as measured, its misses not yet worked on.
# Ninth session: blind28 (regional managers between meetings, partners named), blind29 (half-remembered facts to
# check, very short queries, forwarded emails) and blind30 (executives, marketing and support: "why" and "what does
# it mean for us", franglais), written by three helpers from the article and the list of entries only, were measured
# once at the start, on commit 91e88fd, before they shaped anything: 96.9 % / 97.1 %, 87.7 % / 97.1 % and 92.3 % /
# 94.3 %. They then measured the classifier (bot/qa/classifier.py) before joining what it learns from: 98.5 % /
# 97.1 %, 90.8 % / 94.3 % and 96.9 % / 97.1 % (98.5 % with a first version that scikit-learn ran in the bot). Since
# the classifier learns from these sets, every figure here is measured with a classifier that never saw the set
# (`held_out`): the rules were tuned on all of them, the classifier on none of the set it is measured on. Floors one
# question below today's figures. blind31 (a busy Monday in a French, Belgian and Swiss team; phone shorthand), blind32
# (people preparing slides, emails and briefings) and blind33 (five imagined askers, twenty questions each), written
# alongside, were measured once on the session's final code (commit 94efac6): 96.9 % / 91.4 %, 96.9 % / 85.7 % and
# 90.8 % / 94.3 % (the rules alone: 93.8 % / 91.4 %, 90.8 % / 85.7 %, 83.1 % / 88.6 %); committed as measured, they
# then joined what the classifier learns from. blind34 (partner-facing staff relaying partners' words, near misses
# about the article's people), blind35 (managers' pipeline reviews: figures the article lacks) and blind36 (the last
# week before the deadline, no two questions alike), written after, were measured once on commit 713e11c: 98.5 % /
# 91.4 %, 98.5 % / 97.1 %, 98.5 % / 97.1 % (the rules alone: 93.8 % / 91.4 %, 98.5 % / 88.6 %, 93.8 % / 94.3 %);
# committed as measured, they then joined what the classifier learns from.
# Tenth session: blind37 (account managers' quick DMs), blind38 (webinar, email and slide preparation) and blind39 (new
# hires and channel veterans' jargon), written by three helpers, were measured once at the start, on commit 703d5d2,
# before they shaped anything: 100 % / 97.1 %, 96.9 % / 91.4 %, 98.5 % / 100 %; committed as measured, they then
# joined what the classifier learns from. near1-3 (written to teach where the article ends: half questions it
# answers about its people, figures and the program, half near misses that sound alike) are training sets, never
# measured as unseen. The session's changes (the classifier's entry must pass the meaning gates where the rules found
# nothing; interviews, statements and how someone left are out of scope; our records are not the world's; a partner's
# status the rules found stands) cost blind19, blind24, blind29 and blind30 one or two right answers each, against 35
# more correct "I don't know" over all the sets; floors one question below today's figures. blind40 (sales people
# relaying partners' words), blind41 (half keyword queries, half chatty messages) and blind42 (sceptical staff
# checking facts, many near misses), written alongside and kept out of the tree, were measured once on the session's
# code for answers (commit aaed3ac): 93.8 % / 91.4 %, 96.9 % / 97.1 % (8 wrong languages among the keyword queries,
# 6 once "pdg" and "tpe" read as French) and 95.4 % / 97.1 % (the rules alone: 90.8 % /
# 88.6 %, 90.8 % / 97.1 %, 92.3 % / 88.6 %); committed as measured, they then joined what the classifier learns from.
FLOORS = {
    "seen": (0.97, 0.95),
    "heldout": (0.98, 0.95),
    "heldout2": (0.96, 0.92),
    "heldout3": (0.97, 0.9),
    "blind1": (0.97, 0.96),
    "blind2": (0.98, 0.96),
    "blind3": (0.98, 0.96),
    "dev4": (0.97, 0.98),
    "dev5": (0.99, 0.98),
    "blind4": (0.87, 0.97),
    "blind5": (0.98, 0.95),
    "blind6": (0.97, 0.97),
    "blind7": (0.98, 0.97),
    "blind8": (0.98, 0.97),
    "blind9": (0.96, 0.97),
    "blind10": (0.98, 0.97),
    "blind11": (0.96, 0.97),
    "blind12": (0.98, 0.97),
    "blind13": (0.92, 0.97),
    "blind14": (0.98, 0.97),
    "blind15": (0.98, 0.97),
    "blind16": (0.96, 0.97),
    "blind17": (0.93, 0.94),
    "blind18": (0.98, 0.97),
    "blind19": (0.92, 0.97),
    "blind20": (0.98, 0.97),
    "blind21": (0.95, 0.94),
    "blind22": (0.98, 0.91),
    "blind24": (0.93, 0.97),
    "blind25": (0.98, 0.97),
    "blind23": (0.98, 0.97),
    "blind26": (0.98, 0.97),
    "blind27": (0.93, 0.97),
    "blind28": (0.96, 0.94),
    "blind29": (0.87, 0.97),
    "blind30": (0.93, 0.94),
    "blind31": (0.96, 0.94),
    "blind32": (0.93, 0.91),
    "blind33": (0.9, 0.91),
    "blind34": (0.96, 0.91),
    "blind35": (0.98, 0.94),
    "blind36": (0.95, 0.97),
    "blind37": (0.98, 0.91),
    "blind38": (0.95, 0.97),
    "blind39": (0.95, 0.97),
    "near1": (0.96, 0.96),
    "near2": (0.98, 0.94),
    "near3": (0.96, 0.92),
    "blind40": (0.92, 0.88),
    "blind41": (0.95, 0.94),
    "blind42": (0.93, 0.94),
}
P95_MS = 20.0
# "Ian Pennell" and "keith goodwin = ?" are in no language; the sets' authors meant them as French. blind41's keyword
# queries ("small business council cisco", "Sue Bostrom role", "cisco q3 revenue") are in both or neither.
LANGUAGE_MISSES = {"blind29": 1, "blind36": 1, "blind41": 6}


# The figures are the engine's: the storage behind the live answers is tested on both databases elsewhere, so the
# sets run on SQLite only (on PostgreSQL too they cost CI three minutes and told nothing more).
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@SQLITE_ONLY
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_evaluation_set_keeps_its_figures(rt: Runtime, name: str) -> None:
    load_demo(rt.db, now=rt.clock.now())
    cases = load_cases(EVAL_DIR / f"{name}.jsonl")
    report = evaluate(rt, name, cases, user_id=DEMO_USERS[0].user_id, repeat=1, classifier=held_out(name))
    accuracy, abstention = FLOORS[name]
    assert report.accuracy >= accuracy, report.summary() + "\n" + "\n".join(report.failures)
    assert report.abstention >= abstention, report.summary() + "\n" + "\n".join(report.failures)
    assert report.wrong_language <= LANGUAGE_MISSES.get(name, 0), report.failures


@pytest.mark.benchmark
@SQLITE_ONLY
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_answers_stay_under_the_latency_target(rt: Runtime, name: str) -> None:
    """A measurement, not part of the default run (`pytest -m benchmark`): wall-clock time on a busy CI machine
    says more about its neighbours than about the engine (a concurrent run once tripled p50)."""
    load_demo(rt.db, now=rt.clock.now())
    cases = load_cases(EVAL_DIR / f"{name}.jsonl")
    report = evaluate(rt, name, cases, user_id=DEMO_USERS[0].user_id, repeat=3, classifier=held_out(name))
    # Each question's fastest of three runs: the figure is the engine's, not a busy test machine's.
    assert report.percentile(95, best=True) < P95_MS, report.summary()


def test_the_sets_are_big_enough_and_varied() -> None:
    cases = [c for path in EVAL_DIR.glob("*.jsonl") for c in load_cases(path)]
    assert len(cases) >= 80
    assert sum(1 for c in cases if not c.expect) >= 20
    assert {c.lang for c in cases} == {"en", "fr"}
