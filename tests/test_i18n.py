"""The catalogues, dates and numbers, every builder in both languages, and no prose left in Python."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import help as help_texts
from bot.blocks import HEADER_TEXT_MAX, MESSAGE_BLOCKS_MAX, VIEW_BLOCKS_MAX
from bot.home import build_home
from bot.i18n import (
    Lang,
    catalogue,
    current,
    from_locale,
    long_date,
    number,
    parse_lang,
    percent,
    placeholders,
    reading,
    set_reader,
    t,
    tn,
)
from bot.nudges.builders import build_digest, build_summary
from bot.partners import builders, file_builders
from bot.partners.builders import NOTE_MAX, read_update_form
from bot.partners.io import ImportReport, LineError
from bot.partners.resolver import Candidate
from bot.progress import Progress, build_deadline, build_progress, days_left_text
from bot.questions import builders as qa_builders
from bot.questions import faq_builders
from bot.questions.builders import Answered, EntryChoice, Unknown
from bot.questions.faq_builders import Gap
from bot.replies import Reply
from bot.slack_text import escape
from bot.statuses import ORDER, label
from storage.models import Partner, StatusChange
from storage.nudges import Backlog, OpenPartner

ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Europe/Paris")
AT = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)
DEADLINE = dt.date(2008, 9, 16)
HOSTILE = "<!channel> *bold* `tick` & " + "Ω" * 300
SAFE = escape(HOSTILE)
"""Answers' bodies come to the builders as mrkdwn their callers escaped."""


# ---- the catalogues ---------------------------------------------------------------------------


def test_every_message_exists_in_both_languages_with_the_same_placeholders() -> None:
    english, french = catalogue(Lang.EN), catalogue(Lang.FR)
    assert english.keys() == french.keys()
    differ = {key: (placeholders(english[key]), placeholders(french[key])) for key in english}
    assert {key: pair for key, pair in differ.items() if pair[0] != pair[1]} == {}
    plurals = {key.rsplit(".", 1)[0] for key in english if key.endswith((".one", ".other"))}
    for stem in plurals:
        assert f"{stem}.one" in english and f"{stem}.other" in english, stem


def test_every_message_renders_with_its_placeholders_and_no_stray_braces() -> None:
    for lang in Lang:
        for key, template in catalogue(lang).items():
            text = template.format_map({name: "X" for name in placeholders(template)})
            assert "{" not in text and "}" not in text and text.strip(), (lang, key)


def test_no_message_holds_a_raw_angle_bracket() -> None:
    # Slack reads `<…>` in mrkdwn as a link or a ping: a placeholder such as <partner> is written &lt;partner&gt;.
    # Help texts are escaped whole by bot/help.py, and the console prints to a terminal.
    for lang in Lang:
        raw = [k for k, v in catalogue(lang).items() if {"<", ">"} & set(v) and not k.startswith(("help.", "console."))]
        assert raw == [], lang


def test_french_messages_are_french() -> None:
    english, french = catalogue(Lang.EN), catalogue(Lang.FR)
    # Statuses in English and command words are the same in both; longer prose must differ.
    same = [key for key in english if english[key] == french[key] and len(english[key].split()) > 3]
    assert same == []


def test_dates_and_numbers_are_written_for_each_language() -> None:
    assert long_date(DEADLINE, Lang.FR) == "mardi 16 septembre 2008"
    assert long_date(DEADLINE, Lang.EN) == "Tuesday 16 September 2008"
    assert number(20_000, Lang.FR) == "20\u202f000"  # CLDR's narrow no-break space
    assert number(20_000, Lang.EN) == "20,000"
    assert percent(0.31, Lang.FR) == "31\u00a0%" and percent(0.31, Lang.EN) == "31%"
    assert (
        days_left_text(10, "fr") == "il reste 10 jours" and days_left_text(-1, "en") == "the deadline passed 1 day ago"
    )
    assert tn("choice.many", 1, Lang.FR, query="x").startswith("1 partenaire correspond")
    assert tn("choice.many", 0, Lang.EN, query="x").startswith("0 partners match")
    assert tn("files.became", 0, Lang.FR) == "aucun partenaire n'est passé en enregistré"  # a `.zero` form wins
    assert tn("files.became", 1, Lang.FR) == "1 partenaire est passé en enregistré"
    assert tn("files.created", 1, Lang.FR) == "1 nouveau" and tn("files.created", 2, Lang.FR) == "2 nouveaux"
    assert "1 of your partners still open" in tn("digest.plain", 1, Lang.EN, left="2 days left", names="X", more="")
    # A share agrees with its total, in both languages: « 0 sur 1 partenaire enregistré », "1 of 3 partners".
    assert tn("summary.share", 1, Lang.FR, registered="0", percent="0 %") == "0 sur 1 partenaire enregistré (0 %)"
    assert tn("summary.share", 3, Lang.EN, registered="1", percent="33%") == "1 of 3 partners registered (33%)"
    assert tn("summary.share", 1, Lang.EN, registered="1", percent="100%") == "1 of 1 partner registered (100%)"


def test_no_hand_written_month_table_or_english_only_date_format_is_left() -> None:
    for path in [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        assert not ("février" in text.casefold() and "décembre" in text.casefold()), path
        assert not re.search(r"%[aAbB]", text), path  # strftime's names are the C locale's English


def test_slack_locales_and_typed_languages() -> None:
    assert from_locale("fr-FR") is Lang.FR and from_locale("fr-CA") is Lang.FR and from_locale("FR") is Lang.FR
    assert from_locale("en-GB") is Lang.EN and from_locale("de-DE") is Lang.EN
    assert from_locale("") is None and from_locale(None) is None
    assert parse_lang(" Français ") is Lang.FR and parse_lang("EN") is Lang.EN and parse_lang("klingon") is None
    # A locale, as operators write it in settings: the language is its first part.
    assert parse_lang("fr_FR") is Lang.FR and parse_lang("fr-CA") is Lang.FR and parse_lang("en_US") is Lang.EN
    assert parse_lang("de_DE") is None and parse_lang("fr-") is None and parse_lang("fr_FRANCE") is None


def test_the_reader_is_resolved_once_and_reading_restores_it() -> None:
    asked: list[int] = []

    def resolver() -> Lang:
        asked.append(1)
        return Lang.FR

    set_reader(resolver)
    assert current() is Lang.FR and current() is Lang.FR and asked == [1]
    with reading(Lang.EN):
        assert t("form.save") == "Save"
    assert t("form.save") == "Enregistrer"
    set_reader(Lang.EN)


# ---- every builder, in both languages, within Slack's limits ---------------------------------


def partner(i: int = 0, *, status: str = "contacted") -> Partner:
    return Partner(
        id=i + 1,
        partner_id=f"LNK-{i:05d}",
        partner_key=f"LNK-{i:05d}",
        name=f"{HOSTILE} {i}",
        name_folded="",
        country="FR",
        owner_email="alice@example.com",
        owner_user_id=None if i % 2 else "U0ALICE01",
        status=status,
        note="n" * NOTE_MAX,
        updated_at=AT,
        updated_by="import:book.csv",
        revision=2,
    )


def change(i: int, *, source: str = "command", first: bool = False) -> StatusChange:
    return StatusChange(
        id=i,
        partner_pk=1,
        at=AT,
        by="U0ALICE01",
        source=source,
        from_status=None if first else "not_contacted",
        to_status="contacted",
        from_owner="U0BRUNO01" if source == "assign" else None,
        to_owner="U0ALICE01" if source == "assign" or first else None,
        note="x" * NOTE_MAX,
    )


def open_partner(i: int) -> OpenPartner:
    return OpenPartner(f"LNK-{i:04d}", f"LNK-{i:04d}", f"{HOSTILE} {i}", ORDER[i % 3].value, AT - dt.timedelta(days=i))


PROGRESS = Progress(counts={s: 4_000 for s in ORDER}, days_left=1, deadline=DEADLINE)
CANDIDATES = [Candidate(f"LNK-{i:05d}", f"LNK-{i:05d}", f"{HOSTILE} {i}") for i in range(10)]
FILE_REPORT = ImportReport(
    rows=20_000,
    created=10_000,
    updated=5_000,
    unchanged=5_000,
    registered=1,
    unknown=[HOSTILE] * 30,
    unmatched_owners=[HOSTILE] * 30,
)
SOURCES = [*sorted(builders.SOURCES), "something new"]
GAPS = [Gap(i, HOSTILE * 3, "fr", "2008-09-02 09:30", f"slug_{i}", -3) for i in range(30)]
MESSAGES: dict[str, Callable[[], Reply]] = {
    "card": lambda: builders.build_card(partner(), [change(i, source=s) for i, s in enumerate(SOURCES)], tz=TZ),
    "card_created": lambda: builders.build_card(partner(1), [change(1, first=True)], tz=TZ),
    "update_done": lambda: builders.build_update_done(partner(), change(1), undo_until=AT, tz=TZ),
    "update_stays": lambda: builders.build_update_done(
        partner(), StatusChange(**{**change(2).model_dump(), "from_status": "contacted"}), undo_until=AT, tz=TZ
    ),
    "undone": lambda: builders.build_undone(partner(), change(3)),
    "assigned": lambda: builders.build_assigned(partner(), change(4, source="assign")),
    "choice_one": lambda: builders.build_choice(verb="show", query=HOSTILE, candidates=CANDIDATES[:1], total=1),
    "choice_many": lambda: builders.build_choice(verb="update", query=HOSTILE, candidates=CANDIDATES, total=10_000),
    "mine": lambda: builders.build_mine(
        [partner(i) for i in range(25)], total_open=20_000, counts={s: 4_000 for s in ORDER}, days_left=14, tz=TZ
    ),
    "mine_none": lambda: builders.build_mine([], total_open=0, counts={}, days_left=0, tz=TZ),
    "found": lambda: builders.build_found(HOSTILE, [partner(i) for i in range(10)], total=20_000, tz=TZ),
    "found_loose": lambda: builders.build_found(HOSTILE, [partner(1)], total=1, tz=TZ, loose=True),
    "found_none": lambda: builders.build_found(HOSTILE, [], total=0, tz=TZ),
    "partner_help": lambda: help_texts.partner_help("/partner"),
    "transition_help": lambda: help_texts.transition_help("/transition"),
    "deadline": lambda: build_deadline(deadline=DEADLINE, days=-3, tz="Europe/Paris"),
    "progress": lambda: build_progress(PROGRESS),
    "digest": lambda: build_digest(
        backlog=Backlog("U0ALICE01", 20_000, tuple(open_partner(i) for i in range(30))),
        days_left=1,
        deadline=DEADLINE,
        now=AT,
        max_shown=30,
    ),
    "digest_one": lambda: build_digest(
        backlog=Backlog("U0ALICE01", 1, (open_partner(0),)), days_left=30, deadline=DEADLINE, now=AT, max_shown=10
    ),
    "summary": lambda: build_summary(progress=PROGRESS, top_owners=[(HOSTILE, 9_999)] * 5, chart_follows=True),
    "summary_closing": lambda: build_summary(progress=PROGRESS, top_owners=[], closing=True),
    "answer": lambda: qa_builders.build_answer(Answered(current().value, SAFE * 40, SAFE, 7, share=True)),
    "unknown": lambda: qa_builders.build_unknown(Unknown(current().value, (HOSTILE,) * 5, True, 7)),
    "expert_request": lambda: qa_builders.build_expert_request(
        question_id=7, user_id="U0ALICE01", text=HOSTILE * 10, lang="fr"
    ),
    "expert_answered": lambda: qa_builders.build_expert_answered(
        user_id="U0ALICE01", text=HOSTILE * 10, expert_id="U0BRUNO01", lang="en"
    ),
    "expert_reply": lambda: qa_builders.build_expert_reply(
        question=HOSTILE, answer=SAFE * 40, expert_id="U0BRUNO01", lang=current().value, question_id=7
    ),
    "thanks": lambda: qa_builders.build_thanks(-1),
    "shared": lambda: qa_builders.build_shared(
        user_id="U0ALICE01", answer=qa_builders.build_answer(Answered("en", SAFE * 40, "s", 7, share=True))
    ),
    "gaps": lambda: faq_builders.build_gaps(unanswered=GAPS, down_voted=GAPS, command="/transition"),
    "gaps_down": lambda: faq_builders.build_gaps(
        unanswered=[],
        down_voted=[Gap(i, HOSTILE * 3, "en", "2008-09-02 09:30", None, -1) for i in range(30)],
        command="/transition",
    ),
    "expert_pointed": lambda: qa_builders.build_expert_pointed(
        user_id="U0ALICE01", text=HOSTILE * 10, expert_id="U0BRUNO01", lang="fr", choice=EntryChoice("s", HOSTILE * 3)
    ),
    "pointed_done": lambda: qa_builders.build_pointed_done(asker="U0ALICE01", slug="partner_count"),
    "pointed_reply": lambda: qa_builders.build_pointed_reply(
        question=HOSTILE * 10, answer=Answered(current().value, SAFE * 40, SAFE, 7), expert_id="U0BRUNO01"
    ),
    "moved": lambda: faq_builders.build_moved(text=HOSTILE * 3, slug="partner_count"),
    "moved_beyond": lambda: faq_builders.build_moved(text=HOSTILE * 3, slug=None),
    "saved": lambda: faq_builders.build_saved(slug="entry", created=False),
    "saved_near": lambda: faq_builders.build_saved(
        slug="e" * 100,
        created=True,
        near=[faq_builders.Near("k" * 16, HOSTILE * 20, "fr")] * 9,
        waiting=[Gap(n, HOSTILE * 20, "en", "2008-09-02 09:30", None, None) for n in range(9)],
    ),
    "relabelled": lambda: faq_builders.build_relabelled(text=HOSTILE * 3, slug="partner_count"),
    "file_bad_lines": lambda: file_builders.build_import_report(
        name=HOSTILE, report=ImportReport(rows=30, errors=[LineError(i, HOSTILE) for i in range(30)]), import_id=None
    ),
    "file_report": lambda: file_builders.build_import_report(name=HOSTILE, report=FILE_REPORT, import_id=7),
    "file_progress": lambda: file_builders.build_progress(name=HOSTILE, stage="owners", done=5_000, total=20_000),
    "file_done": lambda: file_builders.build_progress_done(name=HOSTILE, ok=False),
    "file_result": lambda: file_builders.build_import_result(name=HOSTILE, report=FILE_REPORT),
    "file_failed": lambda: file_builders.build_import_failed(name=HOSTILE, why=HOSTILE),
}
VIEWS: dict[str, Callable[[], dict[str, Any]]] = {
    "update_form": lambda: builders.build_update_form(partner=partner()),
    "update_form_empty": lambda: builders.build_update_form(),
    "expert_modal_en": lambda: qa_builders.build_expert_modal(question_id=7, text=HOSTILE * 10, lang="en"),
    "expert_modal_fr": lambda: qa_builders.build_expert_modal(question_id=7, text=HOSTILE * 10, lang="fr"),
    "faq_add": lambda: faq_builders.build_faq_modal(),
    "faq_edit": lambda: faq_builders.build_faq_modal(slug="s", questions_en=[HOSTILE] * 30, answer_fr=HOSTILE * 20),
    "home": lambda: build_home(
        groups={s: [partner(i, status=s.value) for i in range(20)] for s in ORDER},
        counts={s: 4_000 for s in ORDER},
        days_left=1,
        deadline=DEADLINE,
        tz=TZ,
        team={s: 4_000 for s in ORDER},
        top_owners=[("U0ALICE01", 9_999)] * 5,
    ),
    "home_empty": lambda: build_home(groups={}, counts={}, days_left=30, deadline=DEADLINE, tz=TZ),
}


def mrkdwn(node: Any) -> Iterator[str]:
    """Every mrkdwn text in a Block Kit tree."""
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from mrkdwn(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn(item)


def check_blocks(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    """What Slack refuses: too many blocks, texts past their limits, duplicate action IDs in a block."""
    assert 0 < len(blocks) <= max_blocks
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            assert len(block["text"]["text"]) <= 3000
        if kind == "header":
            assert len(block["text"]["text"]) <= HEADER_TEXT_MAX
        if kind == "context":
            assert all(len(e["text"]) <= 2000 for e in block["elements"])
        if kind == "actions":
            assert len(block["elements"]) <= 25
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids)), ids
        if kind == "input":
            assert len(block["label"]["text"]) <= 2000
            for option in block["element"].get("options", []):
                assert len(option["text"]["text"]) <= 75
        for element in [*block.get("elements", []), *([block["accessory"]] if "accessory" in block else [])]:
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75 and len(element.get("value", "")) <= 2000
            if element.get("type") == "overflow":
                assert 2 <= len(element["options"]) <= 5
                assert all(len(o["text"]["text"]) <= 75 for o in element["options"])


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_builder_in_both_languages_stays_within_block_kit_limits(lang: Lang, name: str) -> None:
    with reading(lang):
        reply = MESSAGES[name]()
    assert reply.text and len(reply.text) <= 40_000
    if reply.blocks is not None:
        check_blocks(reply.blocks, MESSAGE_BLOCKS_MAX)
    # plain_text (headers, buttons) cannot ping; mrkdwn and the notification text must be escaped.
    assert "<!channel>" not in reply.text + " ".join(mrkdwn(reply.blocks))


@pytest.mark.parametrize("lang", list(Lang))
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_view_builder_in_both_languages_stays_within_block_kit_limits(lang: Lang, name: str) -> None:
    with reading(lang):
        view = VIEWS[name]()
    check_blocks(view["blocks"], VIEW_BLOCKS_MAX)
    for key in ("title", "submit", "close"):
        if key in view:
            assert 0 < len(view[key]["text"]) <= 24, (key, view[key]["text"])


@pytest.mark.parametrize("lang", list(Lang))
def test_a_pickers_options_in_both_languages_stay_within_block_kit_limits(lang: Lang) -> None:
    choices = [EntryChoice(f"slug_{i}", HOSTILE) for i in range(150)]
    with reading(lang):
        options = qa_builders.build_entry_options(choices, beyond=True)["options"]
    assert len(options) == 100 and options[0]["value"] == qa_builders.BEYOND
    for option in options:
        assert option["text"]["type"] == "plain_text" and 0 < len(option["text"]["text"]) <= 75
        assert 0 < len(option["value"]) <= 150


def test_a_builder_reads_the_readers_language() -> None:
    with reading(Lang.FR):
        french = builders.build_update_done(partner(), change(1), undo_until=AT, tz=TZ)
        form = builders.build_update_form()
        errors = read_update_form({}).errors
    english = builders.build_update_done(partner(), change(1), undo_until=AT, tz=TZ)
    assert "Non contacté" in str(french.blocks) and "Annuler" in str(french.blocks)
    assert "Not contacted" in str(english.blocks) and "Undo" in str(english.blocks)
    assert form["title"]["text"] == "Mettre à jour" and set(errors.values()) >= {"Choisissez un statut."}
    assert [label(s, "fr") for s in ORDER] == ["Non contacté", "Contacté", "En cours", "Enregistré", "Refusé"]
    with reading(Lang.FR):
        report = file_builders.build_import_report(
            name="liste.csv", report=ImportReport(rows=3, errors=[LineError(3, t("io.name_empty"))]), import_id=None
        )
    assert "*1 ligne fautive* dans *liste.csv*" in str(report.blocks) and "ligne 3 : le nom est vide" in str(
        report.blocks
    )


# ---- no prose left in Python ------------------------------------------------------------------

SCANNED = [
    *sorted((ROOT / "handlers").glob("*.py")),
    *sorted((ROOT / "bot").glob("*.py")),
    *sorted((ROOT / "bot" / "partners").glob("*.py")),
    *sorted((ROOT / "bot" / "nudges").glob("*.py")),
    *sorted((ROOT / "bot" / "questions").glob("*.py")),
    ROOT / "bot" / "qa" / "live.py",
    ROOT / "bot" / "qa" / "service.py",
]
OPERATORS_ONLY = {
    "cli.py",
    "manifest.py",
    "config.py",
    "logs.py",
    "server.py",
    "metrics.py",
    "scheduler.py",
    "io.py",
    "demo.py",
    "i18n.py",
}
"""Modules whose texts are for operators (terminal, metrics, scheduler jobs) or Slack's app settings: English."""

OPERATOR_FUNCTIONS = {"line", "from_line"}
"""Functions whose texts are for operators: RoundReport.line (the CLI's and the audit log's sentence) and
RoundReport.from_line, which reads that sentence back so that the log is shown in the reader's language."""

UI_CALLS = {"button", "plain_text", "header", "section", "context"}
PROSE = re.compile(r"[A-Za-zÀ-ÿ]{2,}[,']? [a-zà-ÿ]{2,} [a-zà-ÿ]{2,}")


def literal_prose(path: Path) -> list[str]:
    """Prose in string literals of `path`, outside docstrings, logs and errors meant for programmers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    words: list[ast.Constant] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in OPERATOR_FUNCTIONS:
            skipped.update(id(inner) for inner in ast.walk(node))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.add(id(node.value))  # docstrings, of modules, functions and attributes
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            # Exceptions named …Error are for programmers and logs; people's errors are BadInput, NotFound….
            programmers = owner in ("log", "logging") or name.endswith("Error")
            if programmers or name in ("Option", "Argument"):
                for inner in ast.walk(node):
                    skipped.add(id(inner))
            first = node.args[0] if node.args else None
            if name in UI_CALLS and isinstance(first, ast.Constant) and re.search(r"[A-Za-z]{2}", str(first.value)):
                words.append(first)  # even one word: a button's "Save" is prose to whoever reads it
    found = [f"{path.name}:{node.lineno}: {node.value!r}" for node in words]
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) and id(node) not in skipped else None
        if isinstance(text, str) and PROSE.search(text):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            found.append(f"{shown}:{node.lineno}: {text[:60]!r}")
    return found


def test_no_user_facing_prose_is_left_in_python() -> None:
    found = [hit for path in SCANNED if path.name not in OPERATORS_ONLY for hit in literal_prose(path)]
    assert found == []


def test_the_prose_scanner_finds_prose_and_only_prose(tmp_path: Path) -> None:
    sample = tmp_path / "scanned_sample.py"
    sample.write_text(
        '"""A module docstring with many words."""\n'
        "def refuse(rt):\n"
        '    """A docstring that says what it does."""\n'
        '    log.info("partner %s changed by %s", 1, 2)\n'
        '    raise ValueError(f"unknown source for the change")\n'
        '    raise NotAllowed(f"Only admins may do that, {rt}.", hint="ask_an_admin")\n'
        '    return button("Save", "save_action")\n',
        encoding="utf-8",
    )
    assert sorted(literal_prose(sample)) == [
        "scanned_sample.py:6: 'Only admins may do that, '",
        "scanned_sample.py:7: 'Save'",
    ]


def test_catalogue_files_are_packaged() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"locales/*.toml"' in pyproject
    assert sorted(p.name for p in (ROOT / "bot" / "locales").glob("*.toml")) == [f"{lang.value}.toml" for lang in Lang]


def test_french_puts_a_space_before_a_colon_in_plain_texts_too() -> None:
    """Notifications and fallbacks show the plain text: « Réseaux Dupont (LNK-1) : Contacté », not "…): Contacté"."""
    plain = partner().model_copy(update={"note": None, "name": "Réseaux Dupont"})
    with reading(Lang.FR):
        card = builders.build_card(plain, [], tz=TZ).text
        done = builders.build_update_done(plain, change(1), undo_until=AT, tz=TZ).text
        home = json.dumps(
            build_home(groups={}, counts={}, days_left=3, deadline=DEADLINE, tz=TZ, team={}, top_owners=[("U1", 2)]),
            ensure_ascii=False,
        )
    assert card.startswith("Réseaux Dupont (LNK-00000) : Contacté.")
    assert "Réseaux Dupont (LNK-00000) : Non contacté → Contacté" in done
    assert "> : " in home and ">: " not in home
    with reading(Lang.EN):
        assert builders.build_card(plain, [], tz=TZ).text.startswith("Réseaux Dupont (LNK-00000): Contacted.")


def test_the_transition_help_names_every_faq_command_in_the_readers_language() -> None:
    english = help_texts.transition_help("/transition", "en").text
    french = help_texts.transition_help("/transition", "fr").text
    assert "`/transition faq edit &lt;entry&gt;`" in english and "faq add" in english and "faq gaps" in english
    assert "`/transition faq modifier &lt;entrée&gt;`" in french and "faq ajouter" in french and "faq trous" in french
