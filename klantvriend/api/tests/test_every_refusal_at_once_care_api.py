"""Every refusal at once (test_every_refusal_at_once_api) for the other writes: promises. The
schema's refusals first, then the domain's of the fields the schema took; when the schema
takes everything, the service's own every refusal at once. Nothing is stored."""

from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.isolation import snapshot
from klantvriend.promises import services as promises

from .test_every_refusal_at_once_api import LANGUAGES, anna, refusal, send

__all__ = ["anna"]  # the fixture, shared

PROMISE_MESSAGES = {
    "en": {
        "kind": "Choose one of: 'delivery', 'callback', 'repair', 'quote', 'order_ready', 'other'.",
        "both": "Give either a due moment or a due day, not both.",
        "when": "When is it due? Give a day or a moment.",
        "made_future": "A promise cannot be made in the future.",
        "due_before_made": "The due moment lies before the moment the promise was made.",
        "blank": "This field cannot be blank.",
        "kept_future": "A promise cannot be kept in the future.",
        "cancelled_future": "A promise cannot be cancelled in the future.",
        "date": "Enter a valid date as YYYY-MM-DD, e.g. 2026-03-01.",
        "too_far": "The due moment lies more than a hundred years ahead; check the year.",
    },
    "nl": {
        "kind": "Kies een van: 'delivery', 'callback', 'repair', 'quote', 'order_ready', 'other'.",
        "both": "Geef een tijdstip of een dag, niet allebei.",
        "when": "Wanneer moet het klaar zijn? Geef een dag of een tijdstip.",
        "made_future": "Een belofte kan niet in de toekomst gedaan worden.",
        "due_before_made": "Het afgesproken moment ligt vóór het moment waarop de belofte "
        "gedaan werd.",
        "blank": "Dit veld mag niet leeg zijn.",
        "kept_future": "Een belofte kan niet in de toekomst nagekomen worden.",
        "cancelled_future": "Een belofte kan niet in de toekomst geannuleerd worden.",
        "date": "Voer een geldige datum in als JJJJ-MM-DD, bijvoorbeeld 2026-03-01.",
        "too_far": "Het afgesproken moment ligt meer dan honderd jaar vooruit; kijk het "
        "jaartal na.",
    },
}


def later(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


@pytest.fixture
def promise(anna):
    return promises.promise_create(
        customer=anna, description="Taart", due_at=timezone.now() + timedelta(days=3)
    )


def stored(promise) -> tuple:
    promise.refresh_from_db()
    return (
        promise.description,
        promise.kind,
        promise.made_at,
        promise.due_at,
        promise.due_all_day,
        promise.due_on,
        promise.done_at,
        promise.cancelled_at,
    )


@LANGUAGES
def test_a_new_promise_hears_of_its_kind_due_moment_made_moment_and_description_at_once(
    api, anna, language
):
    before = snapshot()
    body = {
        "customer": anna.pk,
        "description": " ",
        "kind": "gift",
        "made_at": later(7),
        "due_at": later(1),
        "due_date": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }

    response = send(api, "post", "/api/v1/promises", body, language)

    said = PROMISE_MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("kind", said["kind"], "literal_error"),
            refusal("due_at", said["both"], "ambiguous"),
            refusal("made_at", said["made_future"], "future"),
            refusal("description", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_new_promise_refused_by_the_domain_alone_hears_of_every_refusal(api, anna, language):
    """The schema takes it all: promise_create itself answers every refusal, under the
    business's lock, as its refusals without it."""
    before = snapshot()
    body = {"customer": anna.pk, "description": " ", "made_at": later(7), "due_at": later(1)}

    response = send(api, "post", "/api/v1/promises", body, language)
    without_a_due_moment = send(
        api, "post", "/api/v1/promises", {"customer": anna.pk, "description": " "}, language
    )

    said = PROMISE_MESSAGES[language]
    assert response.status_code == without_a_due_moment.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("made_at", said["made_future"], "future"),
            refusal("due_at", said["due_before_made"], "due_before_made"),
            refusal("description", said["blank"], "blank"),
        ]
    }
    # A due moment refused is answered once, not again as a missing column.
    assert without_a_due_moment.json() == {
        "detail": [
            refusal("due_at", said["when"], "required"),
            refusal("description", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before


def test_a_new_promise_for_a_customer_not_there_hears_of_its_due_day_too(api, anna):
    before = snapshot()
    body = {"customer": 999999, "description": "Taart", "due_date": "12-03-2027"}

    response = send(api, "post", "/api/v1/promises", body, "en")

    said = PROMISE_MESSAGES["en"]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("due_date", said["date"], "date_from_datetime_parsing"),
            refusal("customer", "This customer does not exist.", "not_found"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_promise_changed_with_mistakes_hears_of_all_at_once(api, promise, language):
    was = stored(promise)
    before = snapshot()
    body = {
        "kind": "gift",
        "description": " ",
        "due_at": later(1),
        "due_date": (timezone.localdate() + timedelta(days=2)).isoformat(),
        "done_at": later(7),
    }

    response = send(api, "patch", f"/api/v1/promises/{promise.pk}", body, language)

    said = PROMISE_MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("kind", said["kind"], "literal_error"),
            refusal("due_at", said["both"], "ambiguous"),
            refusal("description", said["blank"], "blank"),
            refusal("done_at", said["kept_future"], "future"),
        ]
    }
    assert snapshot() == before
    assert stored(promise) == was


@LANGUAGES
def test_a_promise_changed_and_cancelled_with_mistakes_hears_of_all_at_once(api, promise, language):
    """The schema takes it all: promise_change answers every refusal before it writes any
    step, the cancellation's judged against the promise as changed."""
    was = stored(promise)
    before = snapshot()
    body = {"description": " ", "made_at": later(7), "cancelled_at": later(8)}

    response = send(api, "patch", f"/api/v1/promises/{promise.pk}", body, language)

    said = PROMISE_MESSAGES[language]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("made_at", said["made_future"], "future"),
            refusal("due_at", said["due_before_made"], "due_before_made"),
            refusal("description", said["blank"], "blank"),
            refusal("cancelled_at", said["cancelled_future"], "future"),
        ]
    }
    assert snapshot() == before
    assert stored(promise) == was


@LANGUAGES
def test_a_promise_moved_with_mistakes_hears_of_all_at_once(api, promise, language):
    was = stored(promise)
    before = snapshot()
    said = PROMISE_MESSAGES[language]
    url = f"/api/v1/promises/{promise.pk}/reschedule"
    both = {"due_at": later(1), "due_date": "2030-01-01", "reason": "staking"}
    too_far = {"due_date": "2200-01-01", "reason": "staking"}

    refused_both = send(api, "post", url, both, language)
    refused_too_far = send(api, "post", url, too_far, language)

    unknown = {"en": "Unknown field: reason.", "nl": "Onbekend veld: reason."}[language]
    assert refused_both.status_code == refused_too_far.status_code == 422
    assert refused_both.json() == {
        "detail": [
            refusal("reason", unknown, "extra_forbidden"),
            refusal("due_at", said["both"], "ambiguous"),
        ]
    }
    assert refused_too_far.json() == {
        "detail": [
            refusal("reason", unknown, "extra_forbidden"),
            refusal("due_at", said["too_far"], "too_far"),
        ]
    }
    assert snapshot() == before
    assert stored(promise) == was


def test_a_promise_reopened_with_mistakes_stays_kept(api, promise, owner):
    """The reopening comes first and is undone with the refused changes sent with it."""
    promises.promise_mark_kept(promise=promise, actor=owner)
    was = stored(promise)
    before = snapshot()
    body = {"done_at": None, "description": " ", "cancelled_at": later(8)}

    response = send(api, "patch", f"/api/v1/promises/{promise.pk}", body, "en")

    said = PROMISE_MESSAGES["en"]
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("description", said["blank"], "blank"),
            refusal("cancelled_at", said["cancelled_future"], "future"),
        ]
    }
    assert snapshot() == before
    assert stored(promise) == was


def test_a_kept_promise_moved_with_mistakes_is_still_refused_for_its_state(api, promise, owner):
    """A refusal for the promise's state is an answer of its own (409), as before: the values
    are judged once it would take them."""
    promises.promise_mark_kept(promise=promise, actor=owner)
    before = snapshot()
    body = {"description": " ", "due_at": later(5)}

    response = send(api, "patch", f"/api/v1/promises/{promise.pk}", body, "en")

    assert response.status_code == 409
    assert response.json()["code"] == "finished"
    assert snapshot() == before
