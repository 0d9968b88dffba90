"""Normalisation: elisions, clitics, numbers, synonyms, stems and typo correction."""

from __future__ import annotations

import pytest

from bot.qa.lexicon import lexicon
from bot.qa.terms import (
    Analyzer,
    Synonyms,
    Vocabulary,
    capitalised_inside,
    clauses,
    fold_word,
    is_stopword,
    name_spans,
    shipped_synonyms,
    spelt_out,
    strip_slack_markup,
    without_asker,
    words,
)


def test_french_elisions_and_english_clitics_are_split() -> None:
    assert words("Jusqu'à quand l'échéance ?") == ["jusqu", "à", "quand", "l", "échéance"]
    assert words("What's Cisco's deadline? I haven't registered") == [
        "what", "cisco", "deadline", "i", "have", "not", "registered",
    ]  # fmt: skip
    assert words("c’est qu’il") == ["c", "est", "qu", "il"]


def test_thousands_are_joined_and_slack_markup_removed() -> None:
    assert "20000" in words("Ils seraient 20 000, ou 20,000")
    assert strip_slack_markup("<@U123> hi <#C1|sales> <https://x.y|link>").split() == ["hi", "sales", "link"]


def test_folding_strips_accents_and_ligatures() -> None:
    assert fold_word("Échéance") == "echeance"
    assert fold_word("Œuvre") == "oeuvre"


def test_synonyms_turn_phrases_into_one_concept_longest_first() -> None:
    terms = Analyzer().terms("Quelle est la date limite ?", "fr")
    assert [t.token for t in terms] == ["_deadline"]
    assert [t.token for t in Analyzer().terms("When is the cutoff?", "en")] == ["_when", "_deadline"]


def test_a_form_under_two_concepts_is_refused() -> None:
    with pytest.raises(ValueError, match="two concepts"):
        Synonyms.from_groups({"a": ["same"], "b": ["same"]})


def test_the_shipped_synonyms_load() -> None:
    table = shipped_synonyms()
    assert table.phrases[("date", "limite")] == "_deadline"
    assert "linksys" in table.exclusive


def vocabulary() -> Vocabulary:
    analyzer = Analyzer()
    tokens = {t.token for t in analyzer.terms("deadline partners registration Goodwin", "en")}
    return Vocabulary(
        tokens=tokens, surfaces={"deadline", "partners", "registration", "goodwin"}, is_word=lexicon().is_word
    )


def test_typos_are_corrected_to_known_words() -> None:
    vocab = vocabulary()
    assert vocab.correct("deadlnie", "en") == "deadline"
    assert vocab.correct("partnrs", "en") == "partners"
    assert vocab.correct("godwin", "en") == "goodwin"


def test_real_words_and_short_words_are_not_corrected() -> None:
    vocab = vocabulary()
    assert vocab.correct("weather", "en") == "weather"  # a real word: a question about something else
    assert vocab.correct("salaire", "fr") == "salaire"
    assert vocab.correct("hw", "en") == "hw"


def test_corrected_terms_are_marked() -> None:
    terms = Analyzer().query_terms("deadlnie?", "en", vocabulary())
    assert [(t.token, t.corrected) for t in terms] == [("_deadline", True)]


def test_thousands_written_with_k_are_numbers() -> None:
    assert "20000" in words("20k partners?")


def test_capitalised_words_inside_a_sentence_are_found_as_names() -> None:
    assert capitalised_inside("Who is the CEO of Juniper? And HP's.") == ["CEO", "Juniper", "HP"]
    assert capitalised_inside("Est-ce qu'Alpha Télécom est inscrit ?") == ["Alpha", "Télécom"]


def test_name_spans_are_runs_of_capitalised_words_longest_first() -> None:
    assert name_spans("is Techno Distrib SARL registered at Cisco?") == ["Techno Distrib SARL", "Cisco"]
    assert name_spans("NetSolutions GmbH a fini ?") == ["NetSolutions GmbH"]
    # A sentence's first word joins a run only when it is not an ordinary word.
    assert name_spans("Pourquoi Cisco accélère ?", common=lambda word: word == "pourquoi") == ["Cisco"]
    assert name_spans("hi, can I ask you?") == []
    assert name_spans("statut de Bureautique Services 44 ?") == ["Bureautique Services 44"]
    # No name runs across a bracket or a comma: a partner, then where it is.
    assert name_spans("j'ai eu Kerbrat Télécom (Brest) au tel") == ["Kerbrat Télécom", "Brest"]
    assert name_spans("statut de Alpha Réseaux, Lille ?") == ["Alpha Réseaux", "Lille"]
    # A name runs on across "du", "of" to a capitalised word, not to a lower-case one.
    assert name_spans("est-ce que Informatique du Rhône a fini ?") == ["Informatique du Rhône"]
    assert name_spans("has Bank of Leeds joined?") == ["Bank of Leeds"]
    assert name_spans("statut de Net&Co Bordeaux ?") == ["Net&Co Bordeaux"]
    assert name_spans("Acme des partenaires ?") == []
    common = {"has", "is"}.__contains__
    assert name_spans("Has Rhein Netzwerk GmbH joined?", common=common) == ["Rhein Netzwerk GmbH"]
    assert name_spans("Réseaux Martin SARL est inscrit ?", common=common) == ["Réseaux Martin SARL"]


def test_other_forms_of_a_listed_synonym_mean_its_concept() -> None:
    analyzer = Analyzer(Synonyms.from_groups({"buy": ["racheter", "buy"], "move": ["move"]}))
    assert "_buy" in {t.token for t in analyzer.terms("en rachetant Linksys", "fr")}
    assert "_move" in {t.token for t in analyzer.terms("partners moved over", "en")}
    # A stem shared by two concepts' forms is nobody's.
    shared = Analyzer(Synonyms.from_groups({"a": ["partir"], "b": ["partie"]}))
    assert not any(t.is_concept for t in shared.terms("il part", "fr"))


def test_synonym_forms_written_without_apostrophes_match_contractions() -> None:
    analyzer = Analyzer(Synonyms.from_groups({"late": ["don t register by"], "head": ["who s running"]}))
    assert "_late" in {t.token for t in analyzer.terms("what if they don't register by the 16th", "en")}
    assert "_head" in {t.token for t in analyzer.terms("who's running it now", "en")}


def test_irregular_negations_read_as_the_verb_and_not() -> None:
    assert words("they won't, we can't") == ["they", "will", "not", "we", "can", "not"]


def test_a_synonym_phrase_does_not_run_across_punctuation() -> None:
    analyzer = Analyzer(Synonyms.from_groups({"personal": ["avant cisco"], "head": ["who runs"]}))
    assert "_personal" not in {t.token for t in analyzer.terms("avant, cisco faisait les grands comptes", "fr")}
    assert "_personal" in {t.token for t in analyzer.terms("il faisait quoi avant cisco ?", "fr")}
    assert [t.word for t in analyzer.terms("about 20,000 partners", "en")][:1] == ["20000"]  # a number is no break


def test_a_message_asking_two_questions_is_split_into_both() -> None:
    assert clauses("Qui est le PDG de Cisco et quel est son salaire ?") == [
        "Qui est le PDG de Cisco",
        "quel est son salaire",
    ]
    assert clauses("what's the program called, and is there a fee?") == ["what's the program called", "is there a fee"]
    assert clauses("Cisco and Linksys: who bought whom?") == ["Cisco and Linksys: who bought whom"]


def test_a_part_that_asks_nothing_is_context_not_a_question() -> None:
    assert clauses("Can the deadline move? they want 2 more weeks") == ["Can the deadline move"]
    # The story before a question is context too: the question is its last sentence.
    assert clauses("Bonjour, nous sommes revendeur Linksys. Que devons-nous faire, et y a-t-il des frais ?") == [
        "Que devons-nous faire",
        "y a-t-il des frais",
    ]
    assert clauses("We sell Linksys. Why?") == ["We sell Linksys. Why"]  # too short to stand alone
    wh_after_comma = "mon partenaire veut rester chez linksys, pourquoi il doit changer ?"
    assert clauses(wh_after_comma) == ["pourquoi il doit changer"]
    # Unless the words before the comma are its condition.
    condition = "Si nous ne sommes pas inscrits au 16 septembre, que se passe-t-il ?"
    assert clauses(condition) == ["Si nous ne sommes pas inscrits au 16 septembre, que se passe-t-il"]
    # A long enough last sentence with a question mark is the question, whatever its first word.
    assert clauses("Il trouve que c'est court. Ça fait combien de temps au total entre l'annonce et la fin ?") == [
        "Ça fait combien de temps au total entre l'annonce et la fin"
    ]
    # A last sentence that opens with a request puts its question after the comma.
    assert clauses("They say Linksys 'has always been Cisco'. Remind me, when did Cisco buy Linksys?") == [
        "when did Cisco buy Linksys"
    ]
    # A spaced dash ends a story as a period does, but a name before it is what the question is about.
    assert clauses("client on the phone - has Acme Ltd registered yet?") == ["has Acme Ltd registered yet"]
    assert clauses("Sue Bostrom - what's her role again?") == ["Sue Bostrom - what's her role again"]
    assert clauses("Linksys-Cisco move: when is the deadline?") == ["Linksys-Cisco move: when is the deadline"]
    # An abbreviation's period ends no sentence.
    assert clauses("Where are we, i.e. how many done vs. how many still to go?") == [
        "Where are we, ie how many done vs how many still to go"
    ]


def test_an_adverb_of_manner_is_not_a_subject() -> None:
    analyzer = Analyzer()
    vocabulary = Vocabulary(tokens={"partner"}, surfaces={"partner"}, is_word=lexicon().is_word)
    tokens = [t.token for t in analyzer.query_terms("so concretely what must a partner do", "en", vocabulary)]
    assert "concret" not in tokens and "concretely" not in tokens
    assert vocabulary.is_manner_adverb("basically") and vocabulary.is_manner_adverb("concretely")
    assert not vocabulary.is_manner_adverb("family") and not vocabulary.is_manner_adverb("supply")


def test_who_passes_the_question_on_is_taken_out() -> None:
    assert without_asker("My manager asks: when is the deadline?") == "when is the deadline?"
    assert without_asker("mon partenaire NordTech me demande ce qu'il doit faire") == "ce qu'il doit faire"
    assert without_asker("Does a partner who wants to stay have to register?").startswith("Does a partner")
    assert without_asker("My partner just called asking what to do") == "what to do"
    assert without_asker("mon client m'a appelé pour demander quand est la date limite") == "quand est la date limite"
    assert without_asker("a customer asks") == "a customer asks"  # nothing would be left
    assert without_asker("mon responsable me demande la date limite") == "la date limite"
    assert without_asker("mon client revendeur me demande quelles sont les démarches") == "quelles sont les démarches"
    # On the phone, with a pronoun for them; and who makes a claim to check.
    assert without_asker("Client au tel, il me demande jusqu'à quand il a") == "jusqu'à quand il a"
    assert without_asker("Un distributeur m'a assuré que la date est le 30") == "que la date est le 30"
    assert without_asker("j'ai un client qui pense avoir jusqu'à fin octobre") == "j'ai  avoir jusqu'à fin octobre"
    assert without_asker("je dis quoi à mes partenaires ? ils doivent faire quoi ?") == "ils doivent faire quoi ?"


def test_ordinal_days_are_numbers() -> None:
    assert words("the 16th of September, le 1er octobre") == ["the", "16", "of", "september", "le", "1", "octobre"]


def test_other_forms_of_a_stop_word_are_stop_words() -> None:
    assert is_stopword("asks", "en") and is_stopword("utilises", "fr")
    assert not is_stopword("deadline", "en")


def test_out_of_scope_forms_are_not_extended_to_other_forms() -> None:
    synonyms = Synonyms.from_groups({"personal": ["lives"], "region": ["france"]}, out_of_scope=["personal", "region"])
    terms = Analyzer(synonyms).terms("live answers in français", "en")
    assert not any(t.is_concept for t in terms)


def test_the_word_lists_are_read_as_pyspellchecker_reads_them() -> None:
    from spellchecker import SpellChecker

    from bot.qa.lexicon import _word_counts

    assert dict(_word_counts("fr")) == dict(SpellChecker(language="fr", distance=1).word_frequency.dictionary)


def test_shorthand_is_spelt_out() -> None:
    assert spelt_out("TL;DR of the deadline?") == "tldr of the deadline?"
    # "What's X for?" asks X's purpose; being responsible or good for something is no purpose.
    assert spelt_out("What's the council for?") == "What's the council for what purpose?"
    assert spelt_out("what is she responsible for?") == "what is she responsible for?"
    assert spelt_out("what are you good for?") == "what are you good for?"
    assert spelt_out("what is the deadline for partners?") == "what is the deadline for partners?"
    # A period inside brackets or a word ends no sentence.
    assert spelt_out("a Cisco.com login?") == "a Cisco com login?"
    assert spelt_out("i.e. 20.000 partenaires") == "i.e. 20.000 partenaires"
    assert clauses(spelt_out("Which tiers (Select, Premier...) exist in the program?")) == [
        "Which tiers (Select, Premier   ) exist in the program"
    ]
