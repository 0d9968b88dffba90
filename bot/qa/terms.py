"""Question text to terms: folding, elisions, words, stems, stop words, sentences, names and clauses."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from functools import cache

import Stemmer

from bot.slack_text import fold

_SLACK_MARKUP = re.compile(r"<([@#!])[^>|]*(?:\|([^>]*))?>|<(?:https?|mailto):[^>|]*(?:\|([^>]*))?>")
_APOSTROPHES = re.compile(r"[’‘`´ʼ]")
_FR_ELISION = re.compile(r"\b(jusqu|lorsqu|puisqu|quoiqu|qu|[cdjlmnst])'", re.IGNORECASE)
_EN_NEGATION = re.compile(r"n't\b", re.IGNORECASE)
_IRREGULAR = {"won": "will", "can": "can", "shan": "shall"}
_IRREGULAR_NEGATION = re.compile(r"\b(won|can|shan)'t\b")
"""Negations that are not the verb plus "n't": "won't" is "will not", "can't" is "can not"."""
_EN_CLITIC = re.compile(r"'(s|re|ve|ll|d|m)\b", re.IGNORECASE)
_THOUSANDS = re.compile(r"\b(\d{1,3})[ ,.\u00a0\u202f](\d{3})\b")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_KILO = re.compile(r"\b(\d{1,3})k\b", re.IGNORECASE)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th|er|e|eme|ème)\b")  # "the 16th", « le 1er »: a day of the month
_STOPS = r".!?:;\n"
"""What ends a sentence."""
_SENTENCE = re.compile(f"[{_STOPS}]+")


def wordlist(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`."""
    return frozenset(text.split())


STOPWORDS_EN = wordlist(
    """whether a an the is are was were be been being am do does did doing done's have has had having of to in on at by
    for from with about as into onto than then that this these those there here it its they them their theirs
    we us our ours you your yours u ur he she him her his i me what whats wat which how hows where wheres
    whos so and or but if can could would will shall may might just really exactly please pls plz tell know
    want wanna like get got go some any all more most very too also again ok okay well hey um uh eh let lets
    one ones someone something thing things anything else other others there's out up down off over under
    such own same s t d ll m re ve o y via per each every isnt seriously actually basically anyway wich whta
    waht teh hte thier make makes making use uses using take takes took taken put puts see look looking find
    think say said says mean means ask asked asking come came till until before after since way ways lot lots
    kind sort bit stuff thing guys folks people someone somebody anyone anybody everyone everybody yes yeah ok okay sure
    roughly approximately approx around exist exists existing allowed permitted able possible former previous
    ex old older earlier again anymore currently exact precise precisely correct right wrong true indeed
    remind reminder recall wonder wondering curious explain confirm check quick question questions hello's
    much mid inside first itself himself herself themselves myself yourself ourselves yourselves"""
)
STOPWORDS_FR = wordlist(
    """le la les l un une des du de d au aux a et ou en y dans sur sous pour par avec sans ce cet cette ces c ca
    cela ceci est sont etait etaient ete etre sera seront ai as avons avez ont avait avaient il ils elle elles
    on nous vous tu te toi je j me moi m se s lui leur leurs son sa ses ton ta tes notre nos votre vos que qu
    quoi quel quelle quels quelles lequel laquelle lesquels lesquelles comment est-ce ne n si tres bien donc
    alors faire fais fait font peut peux pouvez pourrait puis t svp stp kes ke koi cest ces sest quest
    quelqu quelque chose dit dire vraiment exactement concretement alors bon ben voila ici la-bas tout tous
    toute toutes autre autres meme memes chez vers entre apres avant depuis pendant serieux serieusement
    franchement quoi eu eue peuvent pouvons pourra pourront pourraient veut veulent voudrais vais va vont
    allons aller mettre met prendre prend voir trouver utiliser utilise chose choses truc trucs gens oui ouais
    d'accord jusqu ok environ approximativement gros grosso modo existe existent autorise autorisee pu
    ancien anciens ancienne anciennes precedent precedente ex vieux exact exacte exactes precis precise
    rappelle rappeler rappel explique expliquer confirme confirmer verifier question questions tant tellement
    mi comme juste demande demandent demander pourriez pourrais pourrions pouvez suis es sommes etes serai seras
    serons serez soit soient aille aillent ira iront avoir vrai vraie faux fausse propre propres lorsque lorsqu
    mais ceux celles celui celle checker autant"""
)
STOPWORDS = STOPWORDS_EN | STOPWORDS_FR


def strip_slack_markup(text: str) -> str:
    """Replace Slack's `<@U…>`, `<#C…|name>` and `<url|label>` with their label (or nothing)."""
    return _SLACK_MARKUP.sub(lambda m: " " + (m.group(2) or m.group(3) or "") + " ", text)


def fold_word(word: str) -> str:
    """Lower-case and strip accents (œ → oe): the key words are compared by."""
    return fold(word, ligatures=True)


_TIME_OF_DAY = re.compile(r"\b\d{1,2}h(?:\d\d)?\b|\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b")
"""« un rdv à 14h », "call at 3pm": when the asker is busy, not what is asked."""


def words(text: str) -> list[str]:
    """Lower-cased words of `text`, French elisions and English clitics split off, numbers joined."""
    text = _APOSTROPHES.sub("'", strip_slack_markup(text)).casefold()
    text = text.replace("aujourd'hui", "aujourdhui")
    text = _FR_ELISION.sub(r"\1 ", text)
    text = _IRREGULAR_NEGATION.sub(lambda m: _IRREGULAR[m.group(1)] + " not", text)
    text = _EN_NEGATION.sub(" not", text)
    text = _EN_CLITIC.sub(" ", text)
    text = _THOUSANDS.sub(r"\1\2", text)
    text = _KILO.sub(r"\g<1>000", text)
    text = _ORDINAL.sub(r"\1", text)
    text = text.replace("%", " percent ")
    text = _TIME_OF_DAY.sub(" ", text)
    return _WORD.findall(text)


def flat(text: str) -> str:
    """`text` as its folded words, one space apart: how two wordings of one question are told to be the same."""
    return " ".join(fold_word(word) for word in words(text))


_NAME_WORD = re.compile(r"[^\W_]+(?:&[^\W_]+)*")
"""A word as written in a name: "Net&Co" is one."""
_NAME_BREAK = re.compile(r"[()\[\]]|,(?!\d)")
"""Punctuation no name runs across: « Kerbrat Télécom (Brest) » is a partner, then where it is."""


def _sentence_pieces(text: str) -> list[list[list[str]]]:
    """Each sentence of `text` as the words (as written, French elisions split off) of its pieces between commas
    and brackets."""
    plain = _FR_ELISION.sub(" ", strip_slack_markup(_APOSTROPHES.sub("'", text)))
    return [[_NAME_WORD.findall(piece) for piece in _NAME_BREAK.split(sentence)] for sentence in _SENTENCE.split(plain)]


def _name_like(word: str) -> bool:
    return len(word) > 1 and word[:1].isupper()


def _camel_case(word: str) -> bool:
    """A capital after a lower-case letter: "NetWallonie", "TechWave" are names even first in a sentence."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))


_LEGAL_FORMS = frozenset(
    {"sarl", "sas", "sasu", "sa", "eurl", "sprl", "srl", "gmbh", "ag", "ltd", "llc", "inc", "bv", "nv", "plc", "spa"}
)
"""Words that end a company's name: « Réseaux Martin SARL » is a name from its first word."""


def _company_name(sentence: list[str]) -> bool:
    """Say whether the sentence opens with capitalised words ending in a legal form ("Has Acme GmbH…" does not)."""
    if sentence and fold_word(sentence[0]) in STOPWORDS:
        return False
    for word in sentence:
        if not _name_like(word):
            return False
        if fold_word(word) in _LEGAL_FORMS:
            return True
    return False


_NAME_JOINERS = frozenset({"de", "du", "des", "of"})


def name_spans(text: str, common: Callable[[str], bool] = lambda word: False) -> list[str]:
    """Runs of capitalised words, longest first: "is Techno Distrib SARL registered?" → "Techno Distrib SARL".

    A sentence's first word counts only when it is written in camel case ("NetWallonie, c'est fait ?"), or when
    the next word is capitalised too and `common` (given the folded word) says it is not an ordinary word:
    "Techno Distrib a fini…", but not "Pourquoi Cisco…".
    """
    spans: list[str] = []
    for pieces in _sentence_pieces(text):
        sentence = [word for piece in pieces for word in piece]
        breaks = set(itertools.accumulate(len(piece) for piece in pieces))
        run: list[str] = []
        for i, word in enumerate([*sentence, ""]):
            if run and i in breaks:
                spans.append(" ".join(run))
                run = []
            if (
                word
                and _name_like(word)
                and (
                    i > 0
                    or _camel_case(word)
                    or (
                        len(sentence) > 1
                        and _name_like(sentence[1])
                        and (not common(fold_word(word)) or _company_name(sentence))
                    )
                )
            ) or (run and word.isdigit()):  # "Bureautique Services 44"
                run.append(word)
                continue
            # "Informatique du Rhône", "Bank of Leeds": a name runs on across "du", "of" to a capitalised word.
            if run and word.lower() in _NAME_JOINERS and _name_like(sentence[i + 1] if i + 1 < len(sentence) else ""):
                run.append(word)
                continue
            if run:
                spans.append(" ".join(run))
            run = []
    return sorted(spans, key=len, reverse=True)


_QUESTION_START = re.compile(
    r"(?:^|[.:!,\n«\"—–-]\s*)(?P<word>what|whats|who|whose|when|where|why|how|which|is|are|was|were|does|do|did|can|could|"
    r"will|would|should|has|have|quel|quelle|quels|quelles|qui|quand|ou|où|pourquoi|comment|combien|que|qu|"
    r"est-ce|c'est|c’est|y a-t-il|peut|peuvent|doit|doivent|faut)\b",
    re.IGNORECASE,
)


_CLAUSE = re.compile(
    r"[?;]+|,?\s+(?:and|et|&)\s+(?=(?:what|who|when|where|why|how|which|is|are|does|do|did|can|will|quel|quelle|"
    r"quels|quelles|qui|quand|où|pourquoi|comment|combien|c'est|c’est|est-ce|y a-t-il|il y a)\b)",
    re.IGNORECASE,
)


_ABBREVIATION = re.compile(r"\b(?:vs|i\.e|e\.g|etc|cf|approx|env|resp)\.", re.IGNORECASE)
"""Abbreviations whose period ends no sentence: "how many done vs. how many still to go"."""


def clauses(text: str) -> list[str]:
    """The questions one message asks: "Who is the CEO, and what is his salary?" → two.

    A part that is neither followed by a question mark nor begins with a question word is context ("… they're asking
    for 2 more weeks"), not a question of its own.
    """
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    found: list[str] = []
    start = 0
    for separator in [*_CLAUSE.finditer(text), None]:
        end = separator.start() if separator else len(text)
        part = text[start:end].strip(" ,.!")
        asked = separator is not None and "?" in separator.group(0)
        if len(part.split()) >= 2 and (asked or _QUESTION_START.search(part)):
            found.append(part)
        start = separator.end() if separator else end
    return found


def core(part: str) -> str:
    """A question without the context told before it: "Drafting a slide: when was it announced" → "when was it
    announced". The first question word after a comma, colon, dash or sentence end that leaves 3 words or more."""
    starts = (found.start("word") for found in _QUESTION_START.finditer(part) if found.start() > 0)
    return part[next((start for start in starts if len(part[start:].split()) >= 3), 0) :]


class _Stemmers(threading.local):
    """PyStemmer objects are not thread-safe: one pair per thread."""

    def __init__(self) -> None:
        self.by_lang = {"en": Stemmer.Stemmer("english"), "fr": Stemmer.Stemmer("french")}


_stemmers = _Stemmers()


def stem(word: str, lang: str) -> str:
    """The Snowball stem of a lower-case word in `lang` (`en` or `fr`), accents folded after stemming."""
    return fold_word(_stemmers.by_lang["fr" if lang == "fr" else "en"].stemWord(word))


MIN_STOPWORD_STEM = 3
"""Shorter stems of stop words ("a", "on") are shared by too many words that carry meaning."""


@cache
def _stopword_stems(lang: str) -> frozenset[str]:
    listed = STOPWORDS_FR if lang == "fr" else STOPWORDS_EN
    return frozenset(s for word in listed if len(s := stem(word, lang)) >= MIN_STOPWORD_STEM)


def is_stopword(folded: str, lang: str) -> bool:
    """Say whether the folded word is a stop word, or another form of one ("asks", « utilises »)."""
    return folded in STOPWORDS or stem(folded, lang) in _stopword_stems(lang)


def meaningful_words(text: str, lang: str, *, shortest: int = 2) -> list[str]:
    """The folded words of `text` that carry meaning, in order."""
    found = []
    for word in words(text):
        folded = fold_word(word)
        if len(folded) >= shortest and not is_stopword(folded, lang):
            found.append(folded)
    return found
