"""Whose language is whose: the choice, else the Slack locale, else DEFAULT_LANGUAGE; never an error."""

from __future__ import annotations

import contextvars
import datetime as dt

from bot.app import build_runtime
from bot.clock import FixedClock
from bot.i18n import Lang
from storage import users as user_store
from storage.db import Database
from tests.conftest import make_settings
from tests.slack_standin import Fault, SlackStandIn

NOW = dt.datetime(2008, 9, 2, 7, 30, tzinfo=dt.UTC)


def test_the_slack_locale_decides_and_a_choice_wins_over_it(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    standin.add_person("U0FRANC01", "françoise", locale="fr-FR")
    standin.add_person("U0QUEBEC1", "gilles", locale="fr-CA")
    standin.add_person("U0BERLIN1", "greta", locale="de-DE")
    rt = build_runtime(
        make_settings(standin, database_url, default_language="fr"), db=Database(database_url), clock=clock
    )
    assert rt.language_of("U0FRANC01") is Lang.FR and rt.language_of("U0QUEBEC1") is Lang.FR
    assert rt.language_of("U0BERLIN1") is Lang.EN  # any locale but French reads English
    assert rt.language_of("U0NOBODY1") is Lang.FR  # Slack does not know them: DEFAULT_LANGUAGE
    assert rt.language_of("") is Lang.FR
    with rt.db.session(write=True) as session:
        user_store.choose_language(session=session, user_id="U0FRANC01", language="en", now=NOW)
    assert rt.language_of("U0FRANC01") is Lang.EN
    everyone = ["U0FRANC01", "U0QUEBEC1", "U0BERLIN1", "U0NOBODY1"]
    assert rt.languages_of(everyone) == {
        "U0FRANC01": Lang.EN,
        "U0QUEBEC1": Lang.FR,
        "U0BERLIN1": Lang.EN,
        "U0NOBODY1": Lang.FR,
    }
    asked = [c for c in standin.calls_to("users.info") if c.args.get("user") == "U0FRANC01"]
    assert len(asked) == 1 and str(asked[0].args["include_locale"]).lower() in ("true", "1")  # cached after
    rt.db.dispose()


def test_a_profile_cached_by_email_learns_its_locale_once(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    standin.add_person("U0FRANC01", "françoise", "francoise@example.com", locale="fr-FR")
    rt = build_runtime(make_settings(standin, database_url), db=Database(database_url), clock=clock)
    person = rt.directory.by_email("francoise@example.com")
    assert person is not None and person.locale is None  # users.lookupByEmail tells no locale
    assert rt.language_of("U0FRANC01") is Lang.FR
    rt.directory.by_email("francoise@example.com")  # a later lookup by e-mail keeps the locale learnt
    with rt.db.session() as session:
        cached = user_store.get_user(session=session, user_id="U0FRANC01")
    assert cached is not None and cached.locale == "fr-FR"
    assert rt.language_of("U0FRANC01") is Lang.FR
    assert len(standin.calls_to("users.info")) == 1
    rt.db.dispose()


def test_when_slack_fails_the_default_language_answers(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    standin.add_person("U0FRANC01", "françoise", locale="fr-FR")
    standin.fail_next("users.info", Fault(status=400))  # an answer the client does not retry
    rt = build_runtime(make_settings(standin, database_url), db=Database(database_url), clock=clock)
    assert rt.language_of("U0FRANC01") is Lang.EN
    rt.db.dispose()


def test_stored_only_reads_the_choice_and_the_cached_locale_and_asks_slack_nothing(
    standin: SlackStandIn, database_url: str, clock: FixedClock
) -> None:
    standin.add_person("U0FRANC01", "françoise", locale="fr-FR")
    standin.add_person("U0QUEBEC1", "gilles", locale="fr-CA")
    rt = build_runtime(make_settings(standin, database_url), db=Database(database_url), clock=clock)
    assert rt.language_of("U0QUEBEC1") is Lang.FR  # cached now
    with rt.db.session(write=True) as session:
        user_store.choose_language(session=session, user_id="U0BERLIN1", language="fr", now=NOW)
    asked = len(standin.calls_to("users.info"))
    assert rt.language_of("U0QUEBEC1", stored_only=True) is Lang.FR
    assert rt.language_of("U0BERLIN1", stored_only=True) is Lang.FR
    assert rt.language_of("U0FRANC01", stored_only=True) is Lang.EN  # not cached yet: DEFAULT_LANGUAGE
    assert len(standin.calls_to("users.info")) == asked
    with rt.db.session() as session:
        assert user_store.get_user(session=session, user_id="U0FRANC01") is None
    rt.db.dispose()


def test_after_a_database_failure_the_reader_is_found_without_writing() -> None:
    from bot import i18n

    def full() -> Lang:
        raise AssertionError("the full lookup would wait on the database again")

    def request() -> None:
        i18n.set_reader(full, without_writes=lambda: Lang.FR)
        i18n.database_failed()
        assert i18n.current() is Lang.FR
        i18n.set_reader(lambda: Lang.EN, without_writes=lambda: Lang.FR)
        assert i18n.current() is Lang.EN
        i18n.database_failed()  # already known: it stays
        assert i18n.current() is Lang.EN

    contextvars.copy_context().run(request)  # a request's context, as Bolt's middleware has
