"""Question text to matching terms: folding, elisions, tokens, synonyms, stems and typo correction."""

from __future__ import annotations

import itertools
import re
import threading
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.slack_text import fold

MIN_CONCEPT_STEM = 4
"""Shorter stems are too often shared by unrelated words to carry a synonym's meaning to other forms."""

CONCEPT_PREFIX = "_"
"""Marks a concept token (a synonym group) so it is never stemmed nor confused with a word."""

IGNORED = CONCEPT_PREFIX + "ignore"
"""The concept whose phrases carry no meaning for matching ("remind me", "dis-moi"): dropped like stop words."""

_SLACK_MARKUP = re.compile(r"<([@#!])[^>|]*(?:\|([^>]*))?>|<(?:https?|mailto):[^>|]*(?:\|([^>]*))?>")
_APOSTROPHES = re.compile(r"[’‘`´ʼ]")
_FR_ELISION = re.compile(r"\b(jusqu|lorsqu|puisqu|quoiqu|qu|[cdjlmnst])'", re.IGNORECASE)
_EN_NEGATION = re.compile(r"n't\b", re.IGNORECASE)
_IRREGULAR = {"won": "will", "can": "can", "shan": "shall"}
_IRREGULAR_NEGATION = re.compile(r"\b(won|can|shan)'t\b")
"""Negations that are not the verb plus "n't": "won't" is "will not", "can't" is "can not"."""
_EN_CLITIC = re.compile(r"'(s|re|ve|ll|d|m)\b", re.IGNORECASE)
_SPACED_NEGATION = re.compile(r"\b(\w+n) t\b", re.IGNORECASE)
_SPACED_CLITIC = re.compile(
    r"\b(who|what|that|it|there|where|how|he|she|i|they|we|you) (s|re|ve|ll|d|m)\b", re.IGNORECASE
)
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


_PHRASE_BREAK = re.compile(r"[;:!?()«»\"“”\n]+|[,.](?!\d)")
"""Punctuation no synonym phrase runs across: in « avant, Cisco faisait… », "avant Cisco" is no phrase."""


def _phrase_runs(text: str) -> list[list[str]]:
    """The words of `text`, in runs between punctuation marks."""
    return [found for run in _PHRASE_BREAK.split(strip_slack_markup(text)) if (found := words(run))]


_NAME_WORD = re.compile(r"[^\W_]+(?:&[^\W_]+)*")
"""A word as written in a name: "Net&Co" is one."""
_NAME_BREAK = re.compile(r"[()\[\]]|,(?!\d)")
"""Punctuation no name runs across: « Kerbrat Télécom (Brest) » is a partner, then where it is."""


def _sentence_pieces(text: str) -> list[list[list[str]]]:
    """Each sentence of `text` as the words (as written, French elisions split off) of its pieces between commas
    and brackets."""
    plain = _FR_ELISION.sub(" ", strip_slack_markup(_APOSTROPHES.sub("'", text)))
    return [[_NAME_WORD.findall(piece) for piece in _NAME_BREAK.split(sentence)] for sentence in _SENTENCE.split(plain)]


def _sentences(text: str) -> list[list[str]]:
    """The words of each sentence of `text`, as written (case kept), French elisions split off."""
    return [[word for piece in pieces for word in piece] for pieces in _sentence_pieces(text)]


_SENTENCE_END = re.compile(f"([^{_STOPS}]+)([{_STOPS}]*)")


def sentences_of(text: str) -> list[tuple[str, bool]]:
    """The sentences of `text`, as written, each with whether a question mark ends it."""
    return [(m.group(1).strip(), "?" in m.group(2)) for m in _SENTENCE_END.finditer(text) if m.group(1).strip()]


def _name_like(word: str) -> bool:
    return len(word) > 1 and word[:1].isupper()


def _camel_case(word: str) -> bool:
    """A capital after a lower-case letter: "NetWallonie", "TechWave" are names even first in a sentence."""
    return any(a.islower() and b.isupper() for a, b in itertools.pairwise(word))


def capitalised_inside(text: str) -> list[str]:
    """Words written with a capital that do not start a sentence: likely names ("the CEO of Juniper")."""
    return [w for sentence in _sentences(text) for w in sentence[1:] if w[:1].isupper()]


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


_CLAUSE = re.compile(
    r"[?;]+|,?\s+(?:and|et|&)\s+(?=(?:what|who|when|where|why|how|which|is|are|does|do|did|can|will|quel|quelle|"
    r"quels|quelles|qui|quand|où|pourquoi|comment|combien|c'est|c’est|est-ce|y a-t-il|il y a)\b)",
    re.IGNORECASE,
)


_ASKER_NOUN = (
    r"(?:manager|boss|owner|g[eé]rant|g[eé]rante|dirigeant|dirigeante|n\+1|chef|responsable|patron|patronne|sup[eé]rieur|director|directeur|directrice|vp|client|"
    r"customer|colleague|coll[eè]gue|coworker|rep|commercial|commerciale|team|[eé]quipe|partner|partenaire|reseller|"
    r"revendeur|distributor|distributeur|integrator|int[eé]grateur|var)"
)
_ASKER = re.compile(
    r"(?i:\b(?:(?:my|our|a|an|the|one of my|one of our|mon|ma|mes|notre|nos|un|une|le|la|les)\s+)?"
    rf"{_ASKER_NOUN}s?(?:\s+{_ASKER_NOUN}s?)?)\s+"  # "my customer", « mon client revendeur »
    # a name: "my partner NordTech asks", « le gérant d'Acme »
    r"(?:(?:of|at|from|d'|de|chez)\s*)?(?:[A-Z][\w&.-]*\s+){0,3}"
    # « Client au tel, il me demande… »: on the phone, and a pronoun for them
    r"(?i:(?:(?:au\s+t[eé]l[eé]phone|au\s+t[eé]l|on\s+the\s+(?:phone|line))\W+)?(?:(?:il|elle|ils|he|she|they)\s+)?)"
    r"(?i:(?:just\s+|also\s+)?(?:"
    r"(?:called|phoned|rang|emailed|pinged|messaged|wrote)(?:\s+me)?(?:\s+asking|\s+to ask)?|"
    r"m'a (?:appel[eé]|[eé]crit)(?: pour (?:demander|savoir)|,? (?:il|elle) (?:veut|voudrait|aimerait) savoir)|"
    r"m'appelle pour (?:demander|savoir)|m'[eé]crit pour (?:demander|savoir)|m'[eé]crit(?=\s*:)|"
    r"asks?|asked|asking|is asking|keeps asking|wants to know|would like to know|needs to know|"
    r"wonders|me demande|m'a demand[eé]|demande|demandent|veut savoir|veulent savoir|voudrait savoir|"
    r"aimerait savoir|se demande|wants|veut|voudrait|"
    # who makes a claim to check: "a distributor assured me that…", « un distributeur m'a assuré que… »
    r"(?:(?:qui|who)\s+)?(?:told me|tells me|swears|swore|claims|claimed|insists|assured me|thinks|believes|"
    r"m'a (?:dit|assur[eé]|jur[eé]|affirm[eé])|me (?:dit|jure|soutient|assure)|affirme|jure|pense|pensent|croit|croient"
    r")))\b\W*"
)


_AUDIENCE = re.compile(
    r"(?i:\b(?:je\s+(?:dois|vais|peux)\s+(?:leur\s+|lui\s+)?(?:dire|r[eé]pondre)(?:\s+quoi)?|je\s+dis\s+quoi|"
    r"(?:que|quoi)\s+(?:dire|r[eé]pondre)|what\s+(?:do|should|shall|can)\s+i\s+(?:tell|say\s+to)|"
    r"(?:tell|say\s+to|reply\s+to|answer))\s+(?:à\s+|a\s+)?(?:my|our|mes|nos|ma|mon)\s+"
    rf"{_ASKER_NOUN}s?)\b\W*"
)
"""Whom the answer is for: « Je dois dire quoi à mes partenaires, ils doivent… » asks what they must do."""


def without_asker(text: str) -> str:
    """The question without who passes it on: "My manager asks: by what date…" asks by what date.

    Who asks is context, not the subject; left in, "my" reads as the asker's own partners and "client" as the
    article's customers.
    """
    stripped = _AUDIENCE.sub(" ", _ASKER.sub(" ", text)).strip()
    return stripped if len(stripped.split()) >= 2 else text


_QUESTION_START = re.compile(
    r"(?:^|[.:!,\n«\"—–-]\s*)(?:what|whats|who|whose|when|where|why|how|which|is|are|was|were|does|do|did|can|could|"
    r"will|would|should|has|have|quel|quelle|quels|quelles|qui|quand|ou|où|pourquoi|comment|combien|que|qu|"
    r"est-ce|c'est|c’est|y a-t-il|peut|peuvent|doit|doivent|faut)\b",
    re.IGNORECASE,
)


_LAST_SENTENCE = re.compile(r"(?:[.!\n]|\s[-–—])\s*((?:(?!\s[-–—]\s)[^.!\n])+)$")
"""The last sentence of a message; a spaced dash ends one too: "client on the phone - has Acme registered yet?"."""
TOPIC_MAX_WORDS = 2
"""Words before a dash that name what the question is about rather than tell a story: "Sue Bostrom - her role?"."""
_WH_AFTER_COMMA = re.compile(
    r",\s*((?:what|who|when|where|why|how|which|pourquoi|quand|comment|combien|quel|quelle|quels|quelles|qui|que|"
    r"qu'est-ce)\b[^,]*)$",
    re.IGNORECASE,
)


FOCUS_MIN_WORDS = 3
ASKED_FOCUS_MIN_WORDS = 5
"""A last sentence with a question mark but no question word ("Ça fait combien de temps au total…?") must be
this long to stand alone: shorter ones ("Tu as des éléments ?") lean on the sentences before them."""


_CONDITION = re.compile(
    r"(?:^|[.!?:;\n«\"]\s*)(?:if|unless|si|s'ils?|s’ils?|sauf si|en cas)\b[^.!?:;\n«\"]*,[^,]*$", re.IGNORECASE
)


def _question_after_comma(text: str, hollow: Callable[[str], bool]) -> str | None:
    """The question after the last comma of `text` ("mon partenaire veut rester, pourquoi il doit changer").

    None when the words before the comma are its condition: « Si nous ne sommes pas inscrits au 16 septembre, que
    se passe-t-il ? » asks what happens in that case, not what happens.
    """
    tail = _WH_AFTER_COMMA.search(text)
    if tail is None or len(tail.group(1).split()) < FOCUS_MIN_WORDS or hollow(tail.group(1)):
        return None
    return None if _CONDITION.search(text) else tail.group(1)


def _focus(part: str, asked: bool, hollow: Callable[[str], bool]) -> str:
    """The last sentence of `part` when it is the question and the sentences before it tell a story.

    "…they're panicking because they heard they'll be kicked out. what exactly is Cisco asking of them?"
    """
    last = _LAST_SENTENCE.search(part)
    if last is not None and part[last.start()].isspace() and len(part[: last.start()].split()) <= TOPIC_MAX_WORDS:
        last = None  # "Sue Bostrom - what's her role?": a name before a dash is what the question is about
    if last is None:
        # « mon partenaire veut rester chez Linksys, pourquoi il doit changer » asks why he must change.
        return _question_after_comma(part, hollow) or part
    sentence = last.group(1).strip(' ,«»"')
    size = len(sentence.split())
    before = part[: last.start() + 1].rstrip(".!\n ")
    if asked and before and hollow(sentence):
        # "…they asked me what the cut-off date is. Anyone know?", « …ce qu'il doit faire. Je lui dis quoi ? »: a
        # tag after the question asks nothing itself.
        return _focus(before, False, hollow)
    if size >= FOCUS_MIN_WORDS and _QUESTION_START.match(sentence):
        return sentence
    # "…'has always been Cisco'. Remind me, when did Cisco buy Linksys": the question follows the comma.
    tail = _question_after_comma(sentence, hollow)
    if tail:
        return tail
    return sentence if asked and size >= ASKED_FOCUS_MIN_WORDS else part


def _never(text: str) -> bool:
    return False


_ABBREVIATION = re.compile(r"\b(?:vs|i\.e|e\.g|etc|cf|approx|env|resp)\.", re.IGNORECASE)
"""Abbreviations whose period ends no sentence: "how many done vs. how many still to go"."""


def clauses(text: str, hollow: Callable[[str], bool] = _never) -> list[str]:
    """The questions one message asks: "Who is the CEO, and what is his salary?" → two.

    A part that is neither followed by a question mark nor begins (or holds a sentence that begins) with a
    question word is context ("… they're asking for 2 more weeks"), not a question of its own. `hollow` says
    whether a sentence holds nothing to look up ("What do I tell her?"); such a last sentence is skipped.
    """
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", ""), text)
    found: list[str] = []
    start = 0
    for separator in [*_CLAUSE.finditer(text), None]:
        end = separator.start() if separator else len(text)
        part = text[start:end].strip(" ,.!")
        asked = separator is not None and "?" in separator.group(0)
        if len(part.split()) >= 2 and (asked or _QUESTION_START.search(part)):
            found.append(_focus(part, asked, hollow))
        if separator is not None:
            start = separator.end()
    return found


_TLDR = re.compile(r"\btl\s*;\s*dr\b", re.IGNORECASE)
_WHAT_FOR = re.compile(
    r"\b(what(?:'s|’s|\s+is|\s+are|\s+was)\s+[^?.!]+?)"
    r"(?<!responsible)(?<!good)(?<!known)(?<!waiting)(?<!looking)(?<!charge)(?<!accountable)\s+for\s*(?=[?.!]|$)",
    re.IGNORECASE,
)
""""What's the council for?" asks its purpose; "what is she responsible for?", "what are you good for?" do not."""


_DOTTED = re.compile(r"(?<=[^\W\d_]{2})\.(?=[^\W\d_]{2})")
"""A period inside a word, as in "Cisco.com": no sentence ends there."""
_BRACKETED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


def _without_stops_in_brackets(found: re.Match[str]) -> str:
    inside = found.group(1) if found.group(1) is not None else found.group(2)
    return found.group(0)[0] + inside.replace(".", " ") + found.group(0)[-1]


def spelt_out(text: str) -> str:
    """`text` with "TL;DR" written as one word (its semicolon ends no sentence), no period inside brackets
    ("Which tiers (Select, Premier...) exist?") or a word ("Cisco.com"), and "what's X for?" spelt out as asking
    X's purpose: the "for" at the end is what makes it that question."""
    text = _BRACKETED.sub(_without_stops_in_brackets, _DOTTED.sub(" ", _TLDR.sub("tldr", text)))
    return _WHAT_FOR.sub(r"\1 for what purpose", text)


def _as_typed(form: str) -> str:
    """A synonym form written without apostrophes, with its English contractions back: "don t" is "don't".

    Questions lose their clitics and expand their negations ("don't" reads "do not"), so must the forms.
    """
    return _SPACED_CLITIC.sub(r"\1'\2", _SPACED_NEGATION.sub(r"\1't", form))


@dataclass(frozen=True)
class Synonyms:
    """Phrases (tuples of folded words) mapped to concept tokens; the longest phrase wins."""

    phrases: Mapping[tuple[str, ...], str]
    longest: int
    exclusive: frozenset[str] = frozenset()
    out_of_scope: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()

    @classmethod
    def from_groups(
        cls,
        groups: Mapping[str, Iterable[str]],
        exclusive: Iterable[str] = (),
        out_of_scope: Iterable[str] = (),
        people: Iterable[str] = (),
    ) -> Synonyms:
        """Build from `{concept: [form, …]}`; a form listed under two concepts is an error.

        `out_of_scope` names concepts the knowledge never answers (prices, support, successors…).
        """
        unknown = [c for c in out_of_scope if c not in groups]
        if unknown:
            raise ValueError(f"out-of-scope concepts {unknown!r} have no forms")
        phrases: dict[tuple[str, ...], str] = {}
        for concept, forms in groups.items():
            token = CONCEPT_PREFIX + fold_word(concept)
            for form in forms:
                key = tuple(fold_word(w) for w in words(_as_typed(form)))
                if not key:
                    continue
                if phrases.get(key, token) != token:
                    raise ValueError(f"synonym form {form!r} is listed under two concepts")
                phrases[key] = token
        return cls(
            phrases=phrases,
            longest=max((len(k) for k in phrases), default=1),
            exclusive=frozenset(fold_word(w) for w in exclusive),
            people=frozenset(fold_word(w) for w in people),
            out_of_scope=frozenset(CONCEPT_PREFIX + fold_word(c) for c in out_of_scope),
        )

    def apply(self, folded: list[str]) -> list[tuple[str, str]]:
        """Pairs (token, surface) where synonym phrases became concept tokens, other words kept."""
        out: list[tuple[str, str]] = []
        i = 0
        while i < len(folded):
            for size in range(min(self.longest, len(folded) - i), 0, -1):
                key = tuple(folded[i : i + size])
                concept = self.phrases.get(key)
                if concept is not None:
                    out.append((concept, " ".join(key)))
                    i += size
                    break
            else:
                out.append((folded[i], folded[i]))
                i += 1
        return out

    def surface_forms(self) -> set[str]:
        """Every single word that appears in some synonym form (for typo correction)."""
        return {w for key in self.phrases for w in key}


@cache
def shipped_synonyms() -> Synonyms:
    """The synonym table shipped in bot/knowledge/synonyms.toml."""
    data = tomllib.loads(resources.files("bot.knowledge").joinpath("synonyms.toml").read_text("utf-8"))
    return Synonyms.from_groups(
        data["concepts"], data.get("exclusive", ()), data.get("out_of_scope", ()), data.get("people", ())
    )


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


@dataclass(frozen=True)
class Term:
    """One matching term of a text: the index token and the word it came from."""

    token: str
    word: str
    corrected: bool = False

    @property
    def is_concept(self) -> bool:
        return self.token.startswith(CONCEPT_PREFIX)


class Analyzer:
    """Turns text into terms; with a vocabulary, also corrects typos against it."""

    def __init__(self, synonyms: Synonyms | None = None) -> None:
        self.synonyms = synonyms or shipped_synonyms()
        self._stems: dict[str, dict[str, str]] = {}

    def terms(self, text: str, lang: str) -> list[Term]:
        """Terms of `text` as written (no typo correction), stop words removed."""
        return [term for run in _phrase_runs(text) for term in self._to_terms(run, lang, vocabulary=None)]

    def query_terms(self, text: str, lang: str, vocabulary: Vocabulary) -> list[Term]:
        """Terms of a question, each unknown word replaced by its closest known word when close enough."""
        return [term for run in _phrase_runs(text) for term in self._to_terms(run, lang, vocabulary=vocabulary)]

    def _to_terms(self, run: list[str], lang: str, vocabulary: Vocabulary | None) -> list[Term]:
        """Terms of one run of words between punctuation marks."""
        corrected: set[int] = set()
        folded = [fold_word(w) for w in run]
        if vocabulary is not None:
            for i, word in enumerate(folded):
                fixed = vocabulary.correct(word, lang)
                if fixed != word:
                    folded[i] = fixed
                    corrected.add(i)
        out: list[Term] = []
        position = 0
        for token, surface in self.synonyms.apply(folded):
            span = len(surface.split())
            was_corrected = any(j in corrected for j in range(position, position + span))
            position += span
            if token == IGNORED:
                continue
            if token.startswith(CONCEPT_PREFIX):
                out.append(Term(token, surface, was_corrected))
                continue
            if len(surface) < 2 or is_stopword(surface, lang):
                continue
            concept = self._concept_stems(lang).get(stem(surface, lang))
            if concept is not None:
                # "rachetant", "moved": another form of a listed word ("racheter", "move") means the same.
                out.append(Term(concept, surface, was_corrected))
                continue
            if vocabulary is not None and vocabulary.is_manner_adverb(surface):
                continue
            stemmed = vocabulary.stem_known(surface, lang) if vocabulary is not None else stem(surface, lang)
            out.append(Term(stemmed, surface, was_corrected))
        return out

    def _concept_stems(self, lang: str) -> dict[str, str]:
        """Stems of the one-word synonym forms, each mapped to its concept when no other concept shares it."""
        cached = self._stems.get(lang)
        if cached is None:
            owners: dict[str, set[str]] = {}
            for key, concept in self.synonyms.phrases.items():
                # Out-of-scope forms stay exact: "lives" is personal, "live" is not; "France" is not "français".
                if len(key) == 1 and concept != IGNORED and concept not in self.synonyms.out_of_scope:
                    owners.setdefault(stem(key[0], lang), set()).add(concept)
            cached = {s: next(iter(c)) for s, c in owners.items() if len(c) == 1 and len(s) >= MIN_CONCEPT_STEM}
            self._stems[lang] = cached
        return cached


class Vocabulary:
    """The words and tokens the knowledge base knows, for typo correction and cross-language stems."""

    def __init__(
        self,
        *,
        tokens: Iterable[str],
        surfaces: Iterable[str],
        is_word: Callable[[str], bool],
        keep: Iterable[str] = (),
    ) -> None:
        self.tokens = frozenset(tokens)
        self._is_word = is_word
        self.surfaces = frozenset(surfaces)
        # Stop words are not offered as corrections: a real word one letter away ("frais" → "fais") would vanish.
        choices = sorted(w for w in self.surfaces if len(w) >= 3 and w not in STOPWORDS)
        # Phrasings written with typos ("partnrs") put misspelt words in the vocabulary: a question's word is
        # corrected to the real word next to them, never to them.
        real = [w for w in choices if is_word(w)]
        kept = frozenset(keep)  # the synonym table's forms are spelt on purpose
        self._misspelt: dict[str, str] = {}
        for word in choices:
            if len(word) >= 5 and not is_word(word) and word not in kept:
                found = process.extractOne(word, real, scorer=DamerauLevenshtein.distance, score_cutoff=1)
                if found is not None and found[0][0] == word[0]:
                    self._misspelt[word] = found[0]
        self._choices = [w for w in choices if w not in self._misspelt]
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], str] = {}

    def stem_known(self, word: str, lang: str) -> str:
        """The stem of `word` in `lang`, or in the other language when only that one is known."""
        first = stem(word, lang)
        if first in self.tokens:
            return first
        other = stem(word, "en" if lang == "fr" else "fr")
        return other if other in self.tokens else first

    def is_manner_adverb(self, word: str) -> bool:
        """Say whether the folded `word` is an English adverb of manner the knowledge base does not use.

        "Concretely", "exactly", "basically" colour a question without changing what it asks; left in, a word
        no entry knows weighs as much as a name. Only an adverb made from a real word counts ("family" is no adverb).
        """
        if len(word) < 6 or not word.endswith("ly") or word in self.surfaces:
            return False
        bases = (word[:-2], word[:-4] if word.endswith("ally") else "", word[:-3] + "y" if word.endswith("ily") else "")
        return any(len(base) >= 4 and self._is_word(base) for base in bases)

    def correct(self, word: str, lang: str) -> str:
        """`word`, or the known word it is most likely a typo of (Damerau-Levenshtein, length-aware)."""
        if word in self._misspelt:
            return self._misspelt[word]
        if word in self.surfaces or word in STOPWORDS or len(word) < 4 or word.isdigit():
            return word
        if self.stem_known(word, lang) in self.tokens or self._is_word(word):
            # A real word the knowledge base does not use is a question about something else, not a typo.
            return word
        key = (word, lang)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        allowed = 1 if len(word) <= 7 else 2
        found = process.extract(
            word,
            self._choices,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=allowed,
            limit=8,
        )
        result = word
        # The first letter is rarely the mistyped one; requiring it avoids turning unrelated words into known ones.
        # Among the closest, a real word beats another misspelling ("cobmien" is "combien", not "cobien").
        close = [(distance, not self._is_word(candidate), candidate) for candidate, distance, _ in found]
        close = [c for c in close if c[2][0] == word[0] or c[0] == 0]
        if close:
            result = min(close)[2]
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[key] = result
        return result
