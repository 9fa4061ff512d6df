"""The secrets in survey and calendar links never reach the logs (config/log_filters.py)."""

import logging

import pytest
from django.test import Client

from config.log_filters import hide_secrets, secret_routes
from klantvriend.core.calendar import calendar_token_create, calendar_token_revoke
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys.services import survey_invitation_create


@pytest.fixture
def survey_key(business):
    customer = CustomerFactory(business=business)
    return survey_invitation_create(business=business, customer=customer, channel="counter").key


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
    ]
    # A password reset link opens the account it names (uidb64) to whoever holds the token.
    assert hide_secrets("Bad Request: /password/new/Mg/cz7u-0123abcd/") == (
        "Bad Request: /password/new/Mg/…/"
    )
    assert hide_secrets("Not Found: /data/import/abc123/ and /customers/12/") == (
        "Not Found: /data/import/…/ and /customers/12/"
    )
    assert hide_secrets("Forbidden: /surveys/settings/") == "Forbidden: /surveys/settings/"
