"""French or English? An offline guess for short texts from word frequencies, accents and elisions."""

from __future__ import annotations

import re
from collections.abc import Collection

from bot.qa.lexicon import Lexicon, lexicon
from bot.qa.terms import fold_word, strip_slack_markup, wordlist

# Chat spellings and abbreviations the word lists do not know ("pdg cisco", "infos source").
_FR_CHAT = wordlist(
    "c koi ke kes ki pk pq pkoi cmb cb stp svp slt bjr mrc jsp dac chui "  # chat
    "pdg dg infos rdv tpe pme bcp tjs"  # abbreviations
)
_EN_CHAT = wordlist("u ur r pls plz thx ty wat whats hw wanna gonna dunno")
_FR_CHARS = re.compile(r"[àâçéèêëîïôûùüÿœ]")
_FR_ELISION = re.compile(r"\b(?:jusqu|qu|[cdjlmnst])['’]\w", re.IGNORECASE)
_EN_CLITIC = re.compile(r"\w['’](?:s|t|re|ve|ll|d|m)\b", re.IGNORECASE)
_FR_SPACED_MARK = re.compile(r"\w\s[?!:;]")  # French typography puts a space before ? ! : ;
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def detect(
    text: str,
    *,
    default: str = "en",
    neutral: Collection[str] = frozenset(),
    words: Lexicon | None = None,
) -> str:
    """`fr` or `en` for `text`; `default` when nothing tells them apart.

    `neutral` words (names, product names) count for neither language.
    """
    words = words or lexicon()
    text = strip_slack_markup(text)
    score = 0.0
    for raw in _WORD.findall(text):
        word = fold_word(raw)
        if word in neutral:
            continue
        if word in _FR_CHAT:
            score += 1.0
        elif word in _EN_CHAT:
            score -= 1.0
        else:
            score += words.lean(word)
    score += 1.0 * len(_FR_CHARS.findall(text.casefold()))
    score += 1.5 * len(_FR_ELISION.findall(text))
    score -= 1.5 * len(_EN_CLITIC.findall(text))
    if _FR_SPACED_MARK.search(text):
        score += 0.5
    if score > 0.05:
        return "fr"
    if score < -0.05:
        return "en"
    return default
