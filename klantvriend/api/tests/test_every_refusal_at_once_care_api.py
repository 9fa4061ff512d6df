"""Every refusal at once (test_every_refusal_at_once_api) for the other writes: promises,
follow-ups, a complaint's change, important dates, survey invitations and tags. The schema's
refusals first, then the domain's of the fields the schema took; when the schema takes
everything, the service's own every refusal at once. Nothing is stored."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from klantvriend.aftercare import services as aftercare
from klantvriend.complaints import services as complaints
from klantvriend.customers import services as customers
from klantvriend.customers.models import Tag
from klantvriend.isolation import snapshot
from klantvriend.promises import services as promises

from .test_every_refusal_at_once_api import LANGUAGES, anna, refusal, send
from .test_privacy_api import staff_api

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


FOLLOW_UP_MESSAGES = {
    "en": {
        "number": "Enter a whole number.",
        "past": "A follow-up cannot be planned in the past.",
        "not_member": "This person does not work here.",
        "blank": "This field cannot be blank.",
        "outcome": (
            "Choose one of: 'content', 'not_content', 'accepted', 'declined', 'thanked', "
            "'not_needed', 'not_reached', 'still_deciding'."
        ),
        "unfit": "Choose content, not content, not reached or not needed.",
        "note_alone": "Give the outcome this note belongs to.",
    },
    "nl": {
        "number": "Voer een geheel getal in.",
        "past": "Nazorg kan niet in het verleden gepland worden.",
        "not_member": "Deze persoon werkt hier niet.",
        "blank": "Dit veld mag niet leeg zijn.",
        "outcome": (
            "Kies een van: 'content', 'not_content', 'accepted', 'declined', 'thanked', "
            "'not_needed', 'not_reached', 'still_deciding'."
        ),
        "unfit": "Kies tevreden, niet tevreden, niet bereikt of niet nodig.",
        "note_alone": "Geef de uitkomst waar deze notitie bij hoort.",
    },
}


def days_from_today(business, days: int) -> str:
    return (business.today() + timedelta(days=days)).isoformat()


@pytest.fixture
def follow_up(business, anna):
    return aftercare.follow_up_create(
        business=business,
        customer=anna,
        note="Bellen",
        due_on=business.today() + timedelta(days=3),
    )


def follow_up_stored(follow_up) -> tuple:
    follow_up.refresh_from_db()
    return (
        follow_up.note,
        follow_up.due_on,
        follow_up.assigned_to_id,
        follow_up.attempts,
        follow_up.done_at,
        follow_up.outcome,
        follow_up.outcome_note,
    )


@LANGUAGES
def test_a_new_follow_up_hears_of_its_member_day_and_note_at_once(api, business, anna, language):
    before = snapshot()
    said = FOLLOW_UP_MESSAGES[language]
    refused_by_the_schema = {
        "customer": anna.pk,
        "note": " ",
        "due_on": days_from_today(business, -1),
        "assigned_to": "Piet",
    }
    refused_by_the_domain = {**refused_by_the_schema, "assigned_to": 999999}

    schemas = send(api, "post", "/api/v1/follow-ups", refused_by_the_schema, language)
    domains = send(api, "post", "/api/v1/follow-ups", refused_by_the_domain, language)

    assert schemas.status_code == domains.status_code == 422
    assert schemas.json() == {
        "detail": [
            refusal("assigned_to", said["number"], "int_type"),
            refusal("due_on", said["past"], "past"),
            refusal("note", said["blank"], "blank"),
        ]
    }
    assert domains.json() == {
        "detail": [
            refusal("due_on", said["past"], "past"),
            refusal("assigned_to", said["not_member"], "not_member"),
            refusal("note", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_a_follow_up_changed_with_mistakes_hears_of_all_at_once(api, business, follow_up, language):
    was = follow_up_stored(follow_up)
    before = snapshot()
    said = FOLLOW_UP_MESSAGES[language]
    body = {
        "note": " ",
        "due_on": days_from_today(business, -1),
        "assigned_to": 999999,
        "outcome": "happy",
    }

    response = send(api, "patch", f"/api/v1/follow-ups/{follow_up.pk}", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("outcome", said["outcome"], "literal_error"),
            refusal("due_on", said["past"], "past"),
            refusal("assigned_to", said["not_member"], "not_member"),
            refusal("note", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before
    assert follow_up_stored(follow_up) == was


@LANGUAGES
def test_a_follow_up_changed_with_a_note_without_its_outcome_hears_of_the_rest_too(
    api, business, follow_up, language
):
    """The schema takes it all: follow_up_change answers every refusal before it writes."""
    was = follow_up_stored(follow_up)
    before = snapshot()
    said = FOLLOW_UP_MESSAGES[language]
    body = {"note": " ", "due_on": days_from_today(business, -1), "outcome_note": "Belde"}

    response = send(api, "patch", f"/api/v1/follow-ups/{follow_up.pk}", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("outcome", said["note_alone"], "required"),
            refusal("due_on", said["past"], "past"),
            refusal("note", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before
    assert follow_up_stored(follow_up) == was


@LANGUAGES
def test_a_follow_up_given_a_quotes_decision_hears_of_the_rest_too(
    api, business, follow_up, language
):
    """ "accepted" is a step the schema takes, but not for a follow-up that asks whether the
    customer is content: refused with the other mistakes, before anything is written."""
    was = follow_up_stored(follow_up)
    before = snapshot()
    said = FOLLOW_UP_MESSAGES[language]
    body = {"note": " ", "due_on": days_from_today(business, -1), "outcome": "accepted"}

    response = send(api, "patch", f"/api/v1/follow-ups/{follow_up.pk}", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("outcome", said["unfit"], "invalid_choice"),
            refusal("due_on", said["past"], "past"),
            refusal("note", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before
    assert follow_up_stored(follow_up) == was


def test_a_done_follow_up_given_a_note_alone_is_refused_for_its_state(
    api, business, follow_up, owner
):
    """A refusal for the follow-up's state is an answer of its own (409), as before."""
    aftercare.follow_up_complete(follow_up=follow_up, actor=owner, outcome="content")
    before = snapshot()
    body = {"note": " ", "outcome_note": "Belde"}

    response = send(api, "patch", f"/api/v1/follow-ups/{follow_up.pk}", body, "en")

    assert response.status_code == 409
    assert response.json()["code"] == "finished"
    assert snapshot() == before


COMPLAINT_MESSAGES = {
    "en": {
        "severity": "Choose one of: 'low', 'medium', 'high'.",
        "resolved_when": "Give the moment the complaint was resolved.",
        "resolved_how": "Say how the complaint was resolved.",
        "future": "This moment lies in the future.",
        "blank": "This field cannot be blank.",
    },
    "nl": {
        "severity": "Kies een van: 'low', 'medium', 'high'.",
        "resolved_when": "Geef het moment waarop de klacht is opgelost.",
        "resolved_how": "Zeg hoe de klacht is opgelost.",
        "future": "Dit moment ligt in de toekomst.",
        "blank": "Dit veld mag niet leeg zijn.",
    },
}


@pytest.fixture
def complaint(anna):
    return complaints.complaint_create(
        customer=anna,
        description="Koude koffie",
        received_at=timezone.now() - timedelta(hours=1),
    )


def complaint_stored(complaint) -> tuple:
    complaint.refresh_from_db()
    return (
        complaint.description,
        complaint.severity,
        complaint.received_at,
        complaint.first_response_at,
        complaint.resolved_at,
        complaint.resolution,
        complaint.respond_by,
        complaint.resolve_by,
    )


@LANGUAGES
def test_a_complaint_changed_with_mistakes_hears_of_all_at_once(api, complaint, language):
    was = complaint_stored(complaint)
    before = snapshot()
    said = COMPLAINT_MESSAGES[language]
    body = {
        "severity": "huge",
        "description": " ",
        "received_at": later(7),
        "resolution": "Nieuwe koffie",
    }

    response = send(api, "patch", f"/api/v1/complaints/{complaint.pk}", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("severity", said["severity"], "literal_error"),
            refusal("resolved_at", said["resolved_when"], "required"),
            refusal("received_at", said["future"], "future"),
            refusal("description", said["blank"], "blank"),
        ]
    }
    assert snapshot() == before
    assert complaint_stored(complaint) == was


@LANGUAGES
def test_a_complaint_changed_answered_and_resolved_with_mistakes_hears_of_all_at_once(
    api, complaint, language
):
    """The schema takes it all: complaint_change answers every refusal before it writes any
    step."""
    was = complaint_stored(complaint)
    before = snapshot()
    said = COMPLAINT_MESSAGES[language]
    body = {
        "description": " ",
        "first_response_at": later(7),
        "resolved_at": later(7),
        "resolution": " ",
    }

    response = send(api, "patch", f"/api/v1/complaints/{complaint.pk}", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("description", said["blank"], "blank"),
            refusal("first_response_at", said["future"], "future"),
            refusal("resolution", said["resolved_how"], "required"),
            refusal("resolved_at", said["future"], "future"),
        ]
    }
    assert snapshot() == before
    assert complaint_stored(complaint) == was


def test_a_resolved_complaint_resolved_again_is_refused_for_its_state_once_its_values_pass(
    api, complaint, owner
):
    """As before: the change's own refusal first (422), the complaint's state (409) once the
    values sent would do."""
    complaints.complaint_resolve(complaint=complaint, actor=owner, resolution="Nieuwe koffie")
    before = snapshot()
    url = f"/api/v1/complaints/{complaint.pk}"
    body = {"resolved_at": later(0), "resolution": "Nog eens"}

    refused = send(api, "patch", url, {"description": " ", **body}, "en")
    resolved = send(api, "patch", url, body, "en")

    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [refusal("description", "This field cannot be blank.", "blank")]
    }
    assert resolved.status_code == 409
    assert resolved.json()["code"] == "resolved"
    assert snapshot() == before


DATE_MESSAGES = {
    "en": {
        "date": "Enter a valid date as YYYY-MM-DD, e.g. 2026-03-01.",
        "bool": "Enter true or false.",
        "blank": "This field cannot be blank.",
        "not_found": "This customer does not exist.",
        "taken": "This customer already has “Verjaardag partner” on this date.",
    },
    "nl": {
        "date": "Voer een geldige datum in als JJJJ-MM-DD, bijvoorbeeld 2026-03-01.",
        "bool": "Geef true of false.",
        "blank": "Dit veld mag niet leeg zijn.",
        "not_found": "Deze klant bestaat niet.",
        "taken": "Deze klant heeft “Verjaardag partner” al op deze datum.",
    },
}


@LANGUAGES
def test_an_important_date_hears_of_its_day_yearly_and_label_at_once(api, anna, language):
    customers.important_date_add(customer=anna, label="Verjaardag partner", date=date(1980, 3, 12))
    before = snapshot()
    said = DATE_MESSAGES[language]
    refused_by_both = {"customer": anna.pk, "label": " ", "date": "12-03-1980", "yearly": "ja"}
    not_there = {"customer": 999999, "label": "Trouwdag", "date": "2026-13-01", "yearly": "ja"}

    both = send(api, "post", "/api/v1/important-dates", refused_by_both, language)
    nobody = send(api, "post", "/api/v1/important-dates", not_there, language)

    assert both.status_code == nobody.status_code == 422
    assert both.json() == {
        "detail": [
            refusal("date", said["date"], "date_from_datetime_parsing"),
            refusal("yearly", said["bool"], "bool_type"),
            refusal("label", said["blank"], "blank"),
        ]
    }
    assert nobody.json() == {
        "detail": [
            refusal("date", said["date"], "date_from_datetime_parsing"),
            refusal("yearly", said["bool"], "bool_type"),
            refusal("customer", said["not_found"], "not_found"),
        ]
    }
    assert snapshot() == before


@LANGUAGES
def test_an_important_date_already_there_is_heard_of_with_the_schemas_refusal(api, anna, language):
    there = customers.important_date_add(
        customer=anna, label="Verjaardag partner", date=date(1980, 3, 12)
    )
    before = snapshot()
    said = DATE_MESSAGES[language]
    body = {"customer": anna.pk, "label": "Verjaardag partner", "date": "1980-03-12", "yearly": 1}

    response = send(api, "post", "/api/v1/important-dates", body, language)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            refusal("yearly", said["bool"], "bool_type"),
            refusal("date", said["taken"], "unique") | {"existing_id": there.pk},
        ]
    }
    assert snapshot() == before


OTHER_MESSAGES = {
    "en": {
        "channel": "Choose one of: 'email', 'counter', 'link'.",
        "not_found": "This customer does not exist.",
        "no_email": "This customer has no email address.",
        "unknown": "Unknown field: %s.",
        "tag_name": "Enter the tag's new name.",
    },
    "nl": {
        "channel": "Kies een van: 'email', 'counter', 'link'.",
        "not_found": "Deze klant bestaat niet.",
        "no_email": "Deze klant heeft geen e-mailadres.",
        "unknown": "Onbekend veld: %s.",
        "tag_name": "Vul de nieuwe naam van het label in.",
    },
}


@LANGUAGES
def test_a_survey_invitation_hears_of_its_channel_and_customer_at_once(api, anna, language):
    before = snapshot()
    said = OTHER_MESSAGES[language]

    nobody = send(
        api, "post", "/api/v1/survey-invitations", {"customer": 999999, "channel": "sms"}, language
    )
    no_address = send(
        api,
        "post",
        "/api/v1/survey-invitations",
        {"customer": anna.pk, "channel": "email", "reminder": True},
        language,
    )

    assert nobody.status_code == no_address.status_code == 422
    assert nobody.json() == {
        "detail": [
            refusal("channel", said["channel"], "literal_error"),
            refusal("customer", said["not_found"], "not_found"),
        ]
    }
    assert no_address.json() == {
        "detail": [
            refusal("reminder", said["unknown"] % "reminder", "extra_forbidden"),
            refusal("channel", said["no_email"], "no_email"),
        ]
    }
    assert snapshot() == before


@pytest.fixture
def bbq(business):
    customers.customer_create(business=business, name="Cor", tags=["BBQ"])
    return Tag.objects.get(business=business, name="BBQ")


@LANGUAGES
def test_a_tag_renamed_with_an_unknown_field_hears_of_its_name_too(api, bbq, language):
    before = snapshot()
    said = OTHER_MESSAGES[language]
    url = f"/api/v1/tags/{bbq.pk}"

    empty = send(api, "patch", url, {"name": " ", "colour": "red"}, language)
    unchanged = send(api, "patch", url, {"name": "BBQ", "colour": "red"}, language)

    assert empty.status_code == unchanged.status_code == 422
    assert empty.json() == {
        "detail": [
            refusal("colour", said["unknown"] % "colour", "extra_forbidden"),
            refusal("name", said["tag_name"], "required"),
        ]
    }
    assert unchanged.json()["detail"][0] == refusal(
        "colour", said["unknown"] % "colour", "extra_forbidden"
    )
    assert [entry["type"] for entry in unchanged.json()["detail"]] == [
        "extra_forbidden",
        "unchanged",
    ]
    assert snapshot() == before


def test_staff_hear_nothing_of_a_tag_name_they_may_not_give(business, bbq):
    """Only an owner renames a tag: staff are answered the schema's refusal, then 403."""
    client = staff_api(business)
    before = snapshot()
    url = f"/api/v1/tags/{bbq.pk}"

    refused = send(client, "patch", url, {"name": " ", "colour": "red"}, "en")
    forbidden = send(client, "patch", url, {"name": " "}, "en")

    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [refusal("colour", "Unknown field: colour.", "extra_forbidden")]
    }
    assert forbidden.status_code == 403
    assert snapshot() == before
