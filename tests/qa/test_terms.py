"""Normalisation: elisions, clitics, numbers, folding, stems, stop words, names and clauses."""

from __future__ import annotations

from bot.qa.terms import clauses, core, fold_word, is_stopword, name_spans, stem, strip_slack_markup, words


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


def test_stems_join_a_words_forms_in_its_language_accents_folded_after() -> None:
    assert stem("registered", "en") == stem("registering", "en")
    assert stem("inscrites", "fr") == stem("inscrit", "fr")
    assert stem("échéances", "fr") == stem("échéance", "fr") == "echeanc"


def test_times_of_day_are_not_terms_and_percent_signs_are_words() -> None:
    assert words("un rdv à 14h, call at 3pm, 80% done") == ["un", "rdv", "à", "call", "at", "80", "percent", "done"]


def test_thousands_written_with_k_are_numbers() -> None:
    assert "20000" in words("20k partners?")


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


def test_irregular_negations_read_as_the_verb_and_not() -> None:
    assert words("they won't, we can't") == ["they", "will", "not", "we", "can", "not"]


def test_a_message_asking_two_questions_is_split_into_both() -> None:
    assert clauses("Qui est le PDG de Cisco et quel est son salaire ?") == [
        "Qui est le PDG de Cisco",
        "quel est son salaire",
    ]
    assert clauses("what's the program called, and is there a fee?") == ["what's the program called", "is there a fee"]
    assert clauses("Cisco and Linksys: who bought whom?") == ["Cisco and Linksys: who bought whom"]


def test_a_part_that_asks_nothing_is_context_not_a_question() -> None:
    assert clauses("Can the deadline move? they want 2 more weeks") == ["Can the deadline move"]
    assert clauses("Is the fee waived? What about the deadline? My partner is worried.") == [
        "Is the fee waived",
        "What about the deadline",
    ]
    assert clauses("thanks!") == []  # too short to stand alone


def test_the_core_of_a_question_leaves_out_the_story_told_before_it() -> None:
    assert core("My manager wants it in the weekly report: who is leading Cisco these days") == (
        "who is leading Cisco these days"
    )
    assert core("Un client m'a appelé ce matin, qui dirige Cisco en ce moment") == "qui dirige Cisco en ce moment"
    assert core("Linksys and Cisco: who pays") == "Linksys and Cisco: who pays"  # 2 words are too few to stand alone
    assert core("who is the CEO of Cisco") == "who is the CEO of Cisco"


def test_an_abbreviations_period_ends_no_sentence() -> None:
    assert clauses("Where are we, i.e. how many done vs. how many still to go?") == [
        "Where are we, ie how many done vs how many still to go"
    ]


def test_ordinal_days_are_numbers() -> None:
    assert words("the 16th of September, le 1er octobre") == ["the", "16", "of", "september", "le", "1", "octobre"]


def test_other_forms_of_a_stop_word_are_stop_words() -> None:
    assert is_stopword("asks", "en") and is_stopword("utilises", "fr")
    assert not is_stopword("deadline", "en")


def test_the_word_lists_are_read_as_pyspellchecker_reads_them() -> None:
    from spellchecker import SpellChecker

    from bot.qa.lexicon import _word_counts

    assert dict(_word_counts("fr")) == dict(SpellChecker(language="fr", distance=1).word_frequency.dictionary)
