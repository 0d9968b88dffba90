"""Each person's language over real HTTP: a fr-FR user reads French everywhere until they choose English."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.i18n import Lang, reading
from bot.ids import Action, Block
from bot.nudges.rounds import Mode, run_round
from bot.partners.builders import FormOrigin
from bot.partners.io import export_csv
from storage import partners as store
from storage.db import Database
from tests.conftest import RunningBot, make_settings, start_bot
from tests.partners.test_end_to_end import form_values, submit_form
from tests.slack_standin import SlackStandIn, text_of

FRANCOISE = "U0FRANC01"
ALICE = "U0ALICE01"
LONG_AGO = dt.datetime(2008, 8, 8, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def french_bot(standin: SlackStandIn, database_url: str, clock: FixedClock) -> Iterator[RunningBot]:
    """The bot with a French-speaking owner, and the channel summaries in French."""
    standin.add_person(FRANCOISE, "françoise", "francoise@example.com", "Europe/Paris", locale="fr-FR")
    settings = make_settings(standin, database_url, nudge_channel_language="fr")
    rt = build_runtime(settings, db=Database(database_url), clock=clock)
    with rt.db.session(write=True) as session:
        for pid, name, owner, email in (
            ("LNK-F001", "Réseaux Dupont & Fils", FRANCOISE, "francoise@example.com"),
            ("LNK-F002", "Télécom Martin SARL", FRANCOISE, "francoise@example.com"),
            ("LNK-A001", "Alice Partner SARL", ALICE, "alice@example.com"),
        ):
            store.add_partner(
                session=session,
                partner_id=pid,
                name=name,
                country="FR",
                owner_email=email,
                owner_user_id=owner,
                status="not_contacted",
                note="",
                at=LONG_AGO,
                by="import:book.csv",
                source="import",
            )
    running = start_bot(rt, standin)
    yield running
    running.stop()
    rt.db.dispose()


def partner_command(bot: RunningBot, standin: SlackStandIn, text: str, user: str = FRANCOISE) -> dict[str, Any]:
    status, _body, key = bot.sender.command("/partner", text, user)
    assert status == 200
    return standin.wait_response(key)


def transition_command(bot: RunningBot, standin: SlackStandIn, text: str, user: str = FRANCOISE) -> str:
    status, _body, key = bot.sender.command("/transition", text, user)
    assert status == 200
    return text_of(standin.wait_response(key))


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in payload.get("blocks") or []
        for element in [*block.get("elements", []), *([block["accessory"]] if block.get("accessory") else [])]
        if isinstance(element, dict) and element.get("type") == "button"
    ]


def test_a_french_user_reads_french_until_they_choose_english(french_bot: RunningBot, standin: SlackStandIn) -> None:
    help_text = text_of(partner_command(french_bot, standin, "help"))
    assert "cette aide" in help_text and "`/partner show|voir &lt;partenaire&gt;`" in help_text
    assert "`/partner mine|mes`" in help_text and "this help" not in help_text
    assert any(c.args.get("include_locale") in (True, "true", "1") for c in standin.calls_to("users.info"))

    done = partner_command(french_bot, standin, 'maj "Réseaux Dupont" en cours appelé le gérant')
    text = text_of(done)
    assert "Non contacté → *:large_yellow_circle: En cours*" in text and "Vous pouvez annuler jusqu'à" in text
    assert [b["text"]["text"] for b in buttons(done)] == ["Annuler"]
    with french_bot.rt.db.session() as session:
        partner = store.get_partner(session=session, key="LNK-F001")
    assert partner is not None and partner.status == "in_progress"
    with reading(Lang.FR):
        exported, _count = export_csv(french_bot.rt, owner_user_id=FRANCOISE)
    assert b"LNK-F001" in exported and b",in_progress," in exported and b"En cours" not in exported

    error = text_of(partner_command(french_bot, standin, "update LNK-NOPE contacted"))
    assert "Aucun partenaire ne correspond à `LNK-NOPE`" in error and "/partner chercher" in error
    error = text_of(partner_command(french_bot, standin, "voir LNK-F003"))
    assert "Aucun partenaire n'a l'identifiant `LNK-F003`" in error and "Vouliez-vous dire `LNK-F00" in error
    assert "correspond" not in error
    refused = text_of(partner_command(french_bot, standin, "update LNK-A001 contacted"))
    assert "Vous n'êtes pas autorisé à modifier" in refused and "Rien n'a été modifié" in refused
    unknown = text_of(partner_command(french_bot, standin, "danser"))
    assert "n'est pas une commande /partner" in unknown and "/partner aide" in unknown

    status, _, _ = french_bot.sender.command("/partner", "maj", FRANCOISE)
    assert status == 200
    form = standin.wait_for(lambda s: s.calls_to("views.open"))[0].args["view"]
    assert form["title"]["text"] == "Mettre à jour" and form["submit"]["text"] == "Enregistrer"
    assert [o["text"]["text"] for o in form["blocks"][1]["element"]["options"]][:2] == ["Non contacté", "Contacté"]

    mine = text_of(partner_command(french_bot, standin, "mes"))
    assert "Vos partenaires en attente : 2" in mine and "il reste 14 jours" in mine

    assert "From now on I write to you in English" in transition_command(french_bot, standin, "language en")
    assert "this help" in text_of(partner_command(french_bot, standin, "aide"))
    assert "No partner matches" in text_of(partner_command(french_bot, standin, "voir LNK-NOPE"))
    assert "Désormais je vous écris en français" in transition_command(french_bot, standin, "langue fr")
    assert "Je vous écris en français" in transition_command(french_bot, standin, "langue")
    bad = transition_command(french_bot, standin, "langue klingon")
    assert "n'est pas une langue que je parle" in bad
    assert not standin.problems


def test_english_locales_still_read_english(french_bot: RunningBot, standin: SlackStandIn) -> None:
    text = text_of(partner_command(french_bot, standin, "update LNK-A001 contacted", user=ALICE))
    assert "Not contacted → *:large_blue_circle: Contacted*" in text and "You can undo this until" in text
    assert "this help" in text_of(partner_command(french_bot, standin, "aide", user=ALICE))
    # A French command word still answers in French, whoever types it.
    assert "l'échéance et les jours restants" in transition_command(french_bot, standin, "aide", user=ALICE)


def test_the_french_app_home(french_bot: RunningBot, standin: SlackStandIn) -> None:
    status, _, _ = french_bot.sender.event(
        {"type": "app_home_opened", "user": FRANCOISE, "channel": "D0FRANC01", "tab": "home", "event_ts": "1.1"}
    )
    assert status == 200
    view = standin.wait_for(lambda s: s.calls_to("views.publish"))[0].args["view"]
    text = text_of(view)
    assert "Linksys → Cisco : vos partenaires" in text and "Il reste 14 jours" in text
    assert "mardi 16 septembre 2008" in text and "Vous suivez *2* partenaires" in text
    assert "Non contacté* — 2" in text and "Actualiser" in text
    menu = next(b["accessory"] for b in view["blocks"] if (b.get("accessory") or {}).get("type") == "overflow")
    assert menu["options"][0]["text"]["text"] == "Passer en « contacté »"
    assert not standin.problems


def test_the_morning_digest_and_its_buttons_in_french(french_bot: RunningBot, standin: SlackStandIn) -> None:
    report = run_round(french_bot.rt, mode=Mode.NOW, chart=None)
    assert report.total_sent == 3  # Françoise's and Alice's digests, the channel summary
    posts = {str(c.args["channel"]): c.args for c in standin.calls_to("chat.postMessage")}
    digest = text_of(posts[FRANCOISE])
    assert "Vous avez *2 partenaires* pas encore inscrits" in digest and "mardi 16 septembre 2008" in digest
    assert "Reporter d'une semaine" in digest and "sans nouvelles depuis 24 jours" in digest
    assert "You have *1 partner* not yet registered" in text_of(posts[ALICE])

    summary = text_of(posts["C0SALES01"])
    assert "0 sur 3 partenaires enregistrés (0 %)" in summary and "Échéance : mardi 16 septembre 2008" in summary
    assert "Not contacted" not in summary

    snooze = next(
        b for b in buttons(posts[FRANCOISE]) if b["action_id"] == Action.NUDGE_SNOOZE and b["value"] == "LNK-F001"
    )
    _, _, key = french_bot.sender.click(FRANCOISE, Action.NUDGE_SNOOZE, snooze["value"])
    snoozed = text_of(standin.wait_response(key))
    assert "est reporté : il revient dans vos relances le mercredi 10 septembre 2008" in snoozed
    assert not standin.problems


def test_numbers_are_written_for_each_language(french_bot: RunningBot, standin: SlackStandIn) -> None:
    long_note = "x" * 1001
    error = text_of(partner_command(french_bot, standin, f"maj LNK-F002 contacté {long_note}"))
    assert "Votre note fait 1\u202f001 caractères" in error and "jusqu'à 1\u202f000" in error
    error = text_of(partner_command(french_bot, standin, f"update LNK-A001 contacted {long_note}", user=ALICE))
    assert "Your note has 1,001 characters" in error


def test_a_first_click_or_form_is_answered_in_the_clickers_language(
    french_bot: RunningBot, standin: SlackStandIn
) -> None:
    """Each French user here has never met the bot: their first interaction must already read French."""
    for user in ("U0FRANC02", "U0FRANC03"):
        standin.add_person(user, user.lower(), f"{user.lower()}@example.com", "Europe/Paris", locale="fr-FR")

    _, _, key = french_bot.sender.click(FRANCOISE, f"{Action.PARTNER_SET_STATUS}.contacted", "LNK-A001|contacted")
    refused = text_of(standin.wait_response(key))
    assert "Vous n'êtes pas autorisé à modifier" in refused and "not allowed" not in refused

    _, _, key = french_bot.sender.click("U0FRANC02", Action.PARTNER_UNDO, "999")
    assert "Ce changement n'est pas dans l'historique." in text_of(standin.wait_response(key))

    status, body = submit_form(french_bot, "U0FRANC03", form_values("LNK-A001", "contacted", ""), FormOrigin())
    assert status == 200
    refused = json.loads(body)["errors"][Block.PARTNER]
    assert "Seul son responsable ou un admin peut modifier Alice Partner SARL (LNK-A001)" in refused
    status, body = submit_form(french_bot, "U0FRANC03", form_values("LNK-GONE1", "contacted", ""), FormOrigin())
    assert "Il n'y a pas (ou plus) de partenaire LNK-GONE1" in json.loads(body)["errors"][Block.PARTNER]

    # A French owner's change, on a click that is no longer their first, is confirmed in French too.
    _, _, key = french_bot.sender.click(FRANCOISE, f"{Action.PARTNER_SET_STATUS}.in_progress", "LNK-F002|in_progress")
    assert "Non contacté → *:large_yellow_circle: En cours*" in text_of(standin.wait_response(key))
    assert not standin.problems


def test_french_replies_name_the_french_commands(french_bot: RunningBot, standin: SlackStandIn) -> None:
    hint = text_of(partner_command(french_bot, standin, "chercher %"))
    assert "`/partner chercher dupont`" in hint and "find" not in hint
    refusal = text_of(partner_command(french_bot, standin, "exporter"))
    assert "`/partner exporter mes`" in refusal and "export" not in refusal.replace("exporter", "")
    hint = text_of(partner_command(french_bot, standin, "exporter tout"))
    assert "`/partner exporter mes`" in hint and "export mine" not in hint
    sent = text_of(partner_command(french_bot, standin, "exporter mes"))
    assert "*mes-partenaires-2008-09-02.csv*" in sent
    assert standin.wait_for(lambda s: s.uploaded("mes-partenaires-2008-09-02.csv"))
    run_round(french_bot.rt, mode=Mode.NOW, chart=None)
    posts = {str(c.args["channel"]): c.args for c in standin.calls_to("chat.postMessage")}
    digest = text_of(posts[FRANCOISE])
    assert "`/transition relances off`" in digest and "`/partner maj" in digest and "nudges" not in digest
    assert "`/transition nudges off`" in text_of(posts[ALICE])


def test_counts_agree_with_their_number(french_bot: RunningBot, standin: SlackStandIn) -> None:
    assert "*1 partner* matches" in text_of(partner_command(french_bot, standin, "find alice", user=ALICE))
    assert "*1 partenaire* correspond" in text_of(partner_command(french_bot, standin, "chercher dupont"))
    admin, dm = "U0ADMIN01", "D0ADMIN01"
    transition_command(french_bot, standin, "langue fr", user=admin)
    data = (
        "partner_id,name,country,owner_email\n"
        "LNK-F001,Réseaux Dupont & Fils,FR,francoise@example.com\n"
        "LNK-F002,Télécom Martin,FR,francoise@example.com\n"
        "LNK-F003,Nouveau Partenaire,FR,francoise@example.com\n"
    ).encode()
    status, _, _ = french_bot.sender.file_share(admin, standin.host_file("liste.csv", data, admin, "csv"))
    assert status == 200

    def report(s: SlackStandIn) -> str | None:
        texts = [text_of(c.args) for c in s.calls_to("chat.postMessage") if c.args.get("channel") == dm]
        return next((text for text in texts if "liste.csv" in text), None)

    checked = standin.wait_for(report)
    assert "1 nouveau, 1 modifié, 1 inchangé ; aucun partenaire ne passera en enregistré" in checked
