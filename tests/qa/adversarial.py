"""Messages written to make question analysis slow, and a partner book to answer them against."""

from __future__ import annotations

import random

from hypothesis import strategies as st

SLACK_MAX_CHARS = 40_000
"""Slack cuts a message's text at 40,000 characters."""

FIXED = {
    # The review's finding: a name repeated inside one word made _introduced() cubic (19.7 s).
    "repeated name in a word": "Is Zq in? x" + "Zq" * 994,
    "repeated name": "Is Zq in? x " + "Zq " * 600,
    "introduced again and again": "called Zq " * 200,
    "partner words": "my partner " * 180 + "Acme?",
    "many names": "Is Acme Networks registered? " + "Acme Networks called Bob Smith about Zorglub. " * 40,
    "pasted thread": "\n".join(
        "From: Jean Dupont\nTo: Marie Curie\nHi Marie, Bureau Vallée Pro asks when Cisco Select opens. Regards"
        for _ in range(40)
    ),
    "lower-case names": "is bayside networks in " * 90,
    "punctuation": "When is the deadline" + "?!.,;:" * 6000,
    "nested quotes": "When " + "\"«'(“[" * 3000 + "deadline" + "]”)'»\"" * 3000,
    "mixed scripts": "Когда 截止日期 deadline Zq Ωmega العربية " * 1000,
    "he and she": "Sue Bostrom said he knows her. who is she? " * 60,
    "one long word": "Z" * SLACK_MAX_CHARS,
    "percent signs": "What is the status of %%%? " + "% _ " * 400,
}

_NAMES = ["Zq", "Acme", "Acme Networks", "Bureau Vallée Pro", "Réseaux Dupont", "Cisco", "Linksys", "Sue Bostrom"]
_WORDS = ["partner", "my client", "called", "the owner of", "call with", "in", "registered", "deadline", "who", "il"]
_NOISE = ["?", "!", "...", ",", ";", ":", "(", ")", '"', "«", "»", "“", "”", "'", "-", "—", "\n", "  ", "&", "<", ">"]
_SCRIPTS = ["Когда", "截止日期", "Ωmega", "العربية", "ñandú", "Ärger", "🙂", "\u200f", "ﬁ"]


def pieces() -> st.SearchStrategy[str]:
    """One piece of an adversarial message: a name, a word that introduces one, punctuation, another script."""
    return st.sampled_from(_NAMES + _WORDS + _NOISE + _SCRIPTS) | st.text(min_size=1, max_size=12)


@st.composite
def messages(draw: st.DrawFn) -> str:
    """A message up to Slack's 40,000 characters: a few pieces, repeated many times over."""
    motif = "".join(draw(st.lists(pieces(), min_size=1, max_size=8)))
    times = draw(st.integers(min_value=1, max_value=max(1, SLACK_MAX_CHARS // max(1, len(motif)))))
    prefix = draw(st.sampled_from(["", "Is ", "When is the deadline? ", "Où en est "]))
    return (prefix + motif * times)[:SLACK_MAX_CHARS]


def random_messages(count: int, seed: int = 20) -> list[str]:
    """`count` messages built like `messages()`, from a seeded generator (for the benchmark's figures)."""
    rng = random.Random(seed)
    pool = _NAMES + _WORDS + _NOISE + _SCRIPTS
    found = []
    for _ in range(count):
        motif = "".join(rng.choice(pool) + rng.choice([" ", "", "  "]) for _ in range(rng.randint(1, 8)))
        size = rng.choice([300, 2_000, 10_000, SLACK_MAX_CHARS])
        found.append((rng.choice(["", "Is ", "Où en est "]) + motif * (size // len(motif) + 1))[:size])
    return found


def book_csv(partners: int) -> bytes:
    """A partner file of `partners` partners, with names a hostile import might hold among ordinary ones."""
    lines = ["partner_id,name,country,owner_email,status"]
    odd = ["%%%", "_", "%_%", "Zq", "Acme", "Acme Networks", "My Partner", "Called"]
    for n in range(partners):
        name = odd[n] if n < len(odd) else f"Partenaire {n} Réseaux SARL"
        lines.append(f"LNK-{n:05d},{name},FR,owner{n % 200}@example.com,")
    return ("\n".join(lines) + "\n").encode()
