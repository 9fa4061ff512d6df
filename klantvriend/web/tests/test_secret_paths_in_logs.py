"""The secrets in survey and calendar links never reach the logs (config/log_filters.py)."""

import io
import logging

import pytest
from django.test import Client

from config.log_filters import SecretPathFilter, hide_secrets, secret_routes
from klantvriend.core.calendar import calendar_token_create, calendar_token_revoke
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys import services as survey_services
from klantvriend.surveys.services import survey_invitation_create


@pytest.fixture
def survey_key(business):
    customer = CustomerFactory(business=business)
    return survey_invitation_create(business=business, customer=customer, channel="counter").key


@pytest.fixture
def console():
    """What the handlers on the root logger and on Django's own logger write to the console: the
    log of a server running Klantvriend (pytest's capturing handlers are subclasses, left out)."""
    stream = io.StringIO()
    handlers = [
        handler
        for name in ("", "django")
        for handler in logging.getLogger(name).handlers
        if type(handler) is logging.StreamHandler
    ]
    assert logging.getHandlerByName("console") in handlers
    previous = [handler.setStream(stream) for handler in handlers]
    yield stream
    for handler, earlier in zip(handlers, previous, strict=True):
        handler.setStream(earlier)


def test_a_server_error_on_a_survey_link_logs_its_traceback_without_the_key(
    survey_key, console, monkeypatch
):
    # Given a survey page that fails with the link in the exception's message
    def unreadable(*, key):
        raise RuntimeError(f"No invitation could be read for '/s/{key}/'")

    monkeypatch.setattr(survey_services, "invitation_for_key", unreadable)

    # When a customer opens the link
    page = Client(raise_request_exception=False).get(f"/s/{survey_key}/")

    # Then the log holds the whole traceback, with "…" in place of the key
    assert page.status_code == 500
    written = console.getvalue()
    assert survey_key not in written
    assert written.startswith("Internal Server Error: /s/…/\nTraceback (most recent call last):\n")
    assert ", in unreadable\n" in written
    assert written.endswith("RuntimeError: No invitation could be read for '/s/…/'\n")


@pytest.mark.parametrize("debug", [False, True])
def test_a_survey_answer_refused_for_its_csrf_token_logs_its_path_once_without_the_key(
    survey_key, console, settings, debug
):
    # Given a server with or without DEBUG (runserver on a developer's machine)
    settings.DEBUG = debug

    # When a customer's phone sends the survey form without the cookie it was given
    page = Client(enforce_csrf_checks=True).post(f"/s/{survey_key}/", {"nps": "9"})

    # Then Django's security log (not django.request) writes the refusal once, without the key
    assert page.status_code == 403
    assert console.getvalue() == "Forbidden (CSRF cookie not set.): /s/…/\n"


class ExceptionFromRecord(logging.Formatter):
    """Formats the exception from the record's exc_info whenever it has one, before the text
    cached in exc_text, as structured (JSON) formatters such as python-json-logger do."""

    def format(self, record: logging.LogRecord) -> str:
        exception = self.formatException(record.exc_info) if record.exc_info else record.exc_text
        return f"{record.levelname} {record.getMessage()}\n{exception}\n"


@pytest.fixture
def filtered_logger():
    """A logger with the filter, and what two handlers with different formatters write."""
    logger = logging.getLogger("klantvriend.tests.secret_paths")
    plain, structured = io.StringIO(), io.StringIO()
    handlers = [logging.StreamHandler(plain), logging.StreamHandler(structured)]
    handlers[1].setFormatter(ExceptionFromRecord())
    secret_paths = SecretPathFilter()
    logger.addFilter(secret_paths)
    for handler in handlers:
        logger.addHandler(handler)
    logger.propagate = False
    yield logger, plain, structured
    logger.propagate = True
    for handler in handlers:
        logger.removeHandler(handler)
    logger.removeFilter(secret_paths)


def test_a_logged_exception_its_cause_and_the_stack_are_written_without_the_key(
    survey_key, filtered_logger
):
    logger, plain, structured = filtered_logger

    # When an exception caused by another, both naming the link, is logged with the stack
    try:
        try:
            raise KeyError(f"/s/{survey_key}/")
        except KeyError as error:
            raise RuntimeError(f"No answer stored for /s/{survey_key}/?lang=en") from error
    except RuntimeError:
        logger.exception("Survey %s failed", f"/s/{survey_key}/", stack_info=True)

    # Then every handler writes the message, both exceptions and the stack, without the key
    written = plain.getvalue()
    assert survey_key not in written
    assert written.startswith("Survey /s/…/ failed\nTraceback (most recent call last):\n")
    assert "KeyError: '/s/…/'\n" in written
    assert "The above exception was the direct cause of the following exception:" in written
    assert "RuntimeError: No answer stored for /s/…/?lang=en\nStack (most recent call last):\n" in (
        written
    )
    assert "in test_a_logged_exception_its_cause_and_the_stack_are_written_without_the_key\n" in (
        written
    )
    structured_text = structured.getvalue()
    assert survey_key not in structured_text
    assert structured_text.startswith("ERROR Survey /s/…/ failed\nTraceback")
    assert "RuntimeError: No answer stored for /s/…/?lang=en\n" in structured_text


def test_an_exception_without_a_secret_is_written_as_it_was(filtered_logger):
    logger, plain, _structured = filtered_logger

    try:
        raise ValueError("Customer 12 has no e-mail address")
    except ValueError:
        logger.exception("Invitation for /customers/%s/ failed", 12)

    written = plain.getvalue()
    assert written.startswith("Invitation for /customers/12/ failed\nTraceback")
    assert written.endswith("ValueError: Customer 12 has no e-mail address\n")


def test_a_survey_answer_refused_for_a_missing_score_logs_its_path_without_the_key(
    survey_key, caplog
):
    # When a customer sends the public survey form without the score
    with caplog.at_level(logging.WARNING, logger="django.request"):
        page = Client().post(f"/s/{survey_key}/", {"nps": "", "lang": "en"})

    # Then Django logs the refusal, with "…" in place of the key
    assert page.status_code == 422
    assert [(record.name, record.getMessage()) for record in caplog.records] == [
        ("django.request", "Unprocessable Content: /s/…/")
    ]
    assert survey_key not in caplog.text


def test_a_revoked_calendar_link_logs_its_path_without_the_key(membership, caplog):
    _token, key = calendar_token_create(membership=membership)
    calendar_token_revoke(membership=membership)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        page = Client().get(f"/calendar/{key}.ics")

    assert page.status_code == 404
    assert [record.getMessage() for record in caplog.records] == ["Not Found: /calendar/….ics"]
    assert key not in caplog.text


def test_the_development_server_logs_requests_without_the_key(survey_key, caplog):
    # runserver's request log: its logger does not propagate, so listen on it directly.
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    try:
        server.info('"%s" %s %s', f"GET /s/{survey_key}/?lang=en HTTP/1.1", "200", "4321")
        server.warning('"%s" %s %s', f"GET /s/{survey_key} HTTP/1.1", "301", "0")
    finally:
        server.removeHandler(caplog.handler)

    assert [record.getMessage() for record in caplog.records] == [
        '"GET /s/…/?lang=en HTTP/1.1" 200 4321',
        '"GET /s/… HTTP/1.1" 301 0',
    ]
    assert survey_key not in caplog.text


def test_every_route_with_a_secret_is_covered_and_ids_are_kept():
    assert secret_routes() == [
        "calendar/<str:key>.ics",
        "data/import/<str:token>/",
        "password/new/<uidb64>/<token>/",
        "s/<str:key>/",
        "s/<str:key>/stop/",
    ]
    # The e-mails' opt-out link carries the invitation's key too.
    assert hide_secrets("Not Found: /s/abc-123_x/stop/") == "Not Found: /s/…/stop/"
    # A password reset link opens the account it names (uidb64) to whoever holds the token.
    assert hide_secrets("Bad Request: /password/new/Mg/cz7u-0123abcd/") == (
        "Bad Request: /password/new/Mg/…/"
    )
    assert hide_secrets("Not Found: /data/import/abc123/ and /customers/12/") == (
        "Not Found: /data/import/…/ and /customers/12/"
    )
    assert hide_secrets("Forbidden: /surveys/settings/") == "Forbidden: /surveys/settings/"


def test_a_key_followed_by_punctuation_is_hidden(survey_key):
    # Exception messages put a link in a sentence, in brackets or in a list.
    text = (
        f"No answer stored for /s/{survey_key}/. Tried (/s/{survey_key}), /s/{survey_key}/;"
        f" <https://klanten.example/s/{survey_key}/> and /calendar/cal_{survey_key}.ics."
    )

    assert hide_secrets(text) == (
        "No answer stored for /s/…/. Tried (/s/…), /s/…/;"
        " <https://klanten.example/s/…/> and /calendar/….ics."
    )
