"""A PATCH with an explicit null is carried out or refused, never dropped: it answered 200 with
the field unchanged, and the client believed it had cleared a gesture's value or a complaint's
satisfaction. Null empties what the record can be without; what it cannot is refused (422)."""

import json
import re
from datetime import date

import pytest

from klantvriend.aftercare import services as aftercare_services
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.api.urls import api as ninja_api
from klantvriend.complaints import services as complaint_services
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.care_settings import care_settings_update
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Tag
from klantvriend.customers.tests.factories import ContactMomentFactory, PurchaseFactory
from klantvriend.gestures.models import Gesture
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.tests.factories import PromiseFactory

CANNOT_BE_EMPTIED = {
    "en": "This field cannot be emptied; leave it out to keep its value.",
    "nl": "Dit veld kan niet leeg gemaakt worden; laat het weg om de waarde te houden.",
}


PARAMETER = re.compile(r"\{(\w+)\}")


def patch(api, url, data, language="en"):
    return api.patch(
        url,
        data=json.dumps(data),
        content_type="application/json",
        headers={"Accept-Language": language},
    )


def _refused(name, language="en"):
    return {"detail": [{"loc": ["body", name], "msg": CANNOT_BE_EMPTIED[language], "type": "null"}]}


# One row per PATCH route, with every field that may be empty filled in, so that a null that
# is dropped shows as a value still there.
def _customer(business, owner):
    referrer = services.customer_create(business=business, name="Bram")
    return services.customer_create(
        business=business,
        name="Anna de Vries",
        tags=["vaste klant"],
        company="De Vries BV",
        email="anna@example.nl",
        phone="0612345678",
        street="Dorpsstraat 1",
        postal_code="1234 AB",
        city="Ede",
        preferences="Dun gesneden",
        notes="Komt op zaterdag",
        birthday=date(1980, 5, 17),
        referred_by=referrer,
        marketing_consent=True,
        marketing_consent_basis="consent",
        special_category_consent=True,
        special_notes="Glutenvrij",
        external_ref="K-17",
    )


def _purchase(business, owner):
    customer = services.customer_create(business=business, name="Anna")
    return PurchaseFactory(
        customer=customer, description="Rollade", external_ref="B-17", member=owner
    )


def _contact_moment(business, owner):
    return ContactMomentFactory(customer=services.customer_create(business=business, name="Anna"))


def _promise(business, owner):
    return PromiseFactory(customer=services.customer_create(business=business, name="Anna"))


def _complaint(business, owner):
    customer = services.customer_create(business=business, name="Anna")
    return ComplaintFactory(
        customer=customer, recovery_gesture="Een bos bloemen", satisfaction_after=4
    )


def _follow_up(business, owner):
    customer = services.customer_create(business=business, name="Anna")
    return FollowUpFactory(customer=customer, assigned_to=owner)


def _gesture(business, owner):
    customer = services.customer_create(business=business, name="Anna")
    return GestureFactory(customer=customer, value_cents=450)


def _tag(business, owner):
    services.customer_create(business=business, name="Anna", tags=["BBQ"])
    return Tag.objects.get(business=business, name="BBQ")


def _care_settings(business, owner):
    """The business itself: its settings, with a rule for a kind of purchase to remove."""
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_rules=[{"words": ["kleur"], "days": 3, "ask": "Houdt de kleur?"}],
    )
    return business


ROWS = {
    "/api/v1/customers/{customer_id}": _customer,
    "/api/v1/tags/{tag_id}": _tag,
    "/api/v1/purchases/{purchase_id}": _purchase,
    "/api/v1/contact-moments/{contact_moment_id}": _contact_moment,
    "/api/v1/promises/{promise_id}": _promise,
    "/api/v1/complaints/{complaint_id}": _complaint,
    "/api/v1/follow-ups/{follow_up_id}": _follow_up,
    "/api/v1/gestures/{gesture_id}": _gesture,
    "/api/v1/care-settings": _care_settings,
}


def _patch_fields() -> list[tuple[str, str]]:
    """(path, field) of every field of every PATCH body in the OpenAPI schema."""
    schema = ninja_api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        if "patch" not in operations:
            continue
        body = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]
        reference = body["$ref"].rsplit("/", 1)[-1]
        found += [(path, name) for name in schema["components"]["schemas"][reference]["properties"]]
    return found


PATCH_FIELDS = _patch_fields()


def test_every_patch_route_has_a_row_to_try():
    assert {path for path, _name in PATCH_FIELDS} == set(ROWS)
    assert len(PATCH_FIELDS) >= 50


@pytest.mark.parametrize(
    ("path", "name"), PATCH_FIELDS, ids=[f"{path} {name}" for path, name in PATCH_FIELDS]
)
def test_a_null_in_any_patch_is_carried_out_or_refused(api, business, owner, path, name):
    row = ROWS[path](business, owner)
    names = PARAMETER.findall(path)
    url = path.format(**{name: row.pk for name in names})
    before = snapshot()

    response = patch(api, url, {name: None})

    if response.status_code == 422:
        assert {tuple(error["loc"]) for error in response.json()["detail"]} == {("body", name)}
        assert snapshot() == before
    else:
        assert response.status_code == 200, response.content
        assert response.json()[name] in (None, "", []), f"{name} answered 200 and was kept"
        assert api.get(url).json()[name] in (None, "", [])


# What null does, field by field, where it matters most.


def test_a_null_value_clears_a_gestures_value(api, business, owner):
    gesture = _gesture(business, owner)

    response = patch(api, f"/api/v1/gestures/{gesture.pk}", {"value_cents": None})

    assert response.status_code == 200
    assert response.json()["value_cents"] is None
    assert Gesture.objects.get(pk=gesture.pk).value_cents is None


def test_a_null_satisfaction_clears_it_and_a_null_recovery_gesture_empties_it(api, business, owner):
    complaint = _complaint(business, owner)

    response = patch(
        api,
        f"/api/v1/complaints/{complaint.pk}",
        {"satisfaction_after": None, "recovery_gesture": None},
    )

    assert response.status_code == 200
    assert (response.json()["satisfaction_after"], response.json()["recovery_gesture"]) == (
        None,
        "",
    )
    complaint.refresh_from_db()
    assert (complaint.satisfaction_after, complaint.recovery_gesture) == (None, "")


def test_null_tags_remove_every_tag_and_a_null_birthday_clears_it(api, business, owner):
    customer = _customer(business, owner)

    response = patch(api, f"/api/v1/customers/{customer.pk}", {"tags": None, "birthday": None})

    assert response.status_code == 200
    assert (response.json()["tags"], response.json()["birthday"]) == ([], None)
    customer = Customer.objects.get(pk=customer.pk)
    assert (list(customer.tags.all()), customer.birthday) == ([], None)


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize(
    ("row", "path", "name"),
    [
        (_gesture, "gestures", "what"),
        (_complaint, "complaints", "description"),
        (_complaint, "complaints", "received_at"),
        (_promise, "promises", "description"),
        (_promise, "promises", "due_date"),
        (_follow_up, "follow-ups", "due_on"),
        (_customer, "customers", "customer_since"),
        (_customer, "customers", "marketing_consent"),
        (_purchase, "purchases", "amount_cents"),
        (_contact_moment, "contact-moments", "summary"),
    ],
)
def test_a_null_where_the_record_needs_a_value_is_refused_and_changes_nothing(
    api, business, owner, row, path, name, language
):
    record = row(business, owner)
    before = snapshot()

    response = patch(api, f"/api/v1/{path}/{record.pk}", {name: None}, language)

    assert response.status_code == 422
    assert response.json() == _refused(name, language)
    assert snapshot() == before


def test_a_refused_null_is_said_beside_the_other_refusals_and_nothing_is_changed(
    api, business, owner
):
    gesture = _gesture(business, owner)
    before = snapshot()

    response = patch(
        api,
        f"/api/v1/gestures/{gesture.pk}",
        {"what": None, "value_cents": None, "occasion": "birthdy"},
    )

    assert response.status_code == 422
    assert [(error["loc"], error["type"]) for error in response.json()["detail"]] == [
        (["body", "what"], "null"),
        (["body", "occasion"], "literal_error"),
    ]
    assert snapshot() == before


def test_a_null_response_moment_takes_back_the_answer_just_recorded(api, business, owner):
    # It was refused as a step that cannot be undone; it is taken back now, by the rule of the
    # web's Undo (core/undo.py; the refusals are in test_undo_api.py).
    complaint = _complaint(business, owner)
    complaint_services.complaint_respond(complaint=complaint, actor=owner)

    response = patch(api, f"/api/v1/complaints/{complaint.pk}", {"first_response_at": None})

    assert (response.status_code, response.json()["first_response_at"]) == (200, None)
    complaint.refresh_from_db()
    assert complaint.first_response_at is None


def test_a_null_outcome_takes_back_the_outcome_just_recorded(api, business, owner):
    follow_up = _follow_up(business, owner)
    aftercare_services.follow_up_complete(
        follow_up=follow_up, actor=owner, outcome="content", note="Heel tevreden"
    )

    response = patch(api, f"/api/v1/follow-ups/{follow_up.pk}", {"outcome": None})

    assert response.status_code == 200
    assert {name: response.json()[name] for name in ("done_at", "outcome", "outcome_note")} == {
        "done_at": None,
        "outcome": "",
        "outcome_note": "",
    }


def test_an_outcome_note_without_its_outcome_is_refused(api, business, owner):
    # It was dropped: 200, and the note was nowhere.
    follow_up = _follow_up(business, owner)
    before = snapshot()

    response = patch(api, f"/api/v1/follow-ups/{follow_up.pk}", {"outcome_note": "Gebeld"})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "outcome"],
                "msg": "Give the outcome this note belongs to.",
                "type": "required",
            }
        ]
    }
    assert snapshot() == before


def test_an_empty_resolution_of_an_open_complaint_is_no_change(api, business, owner):
    complaint = _complaint(business, owner)

    response = patch(api, f"/api/v1/complaints/{complaint.pk}", {"resolution": None})

    assert response.status_code == 200
    assert response.json()["resolution"] == ""


def test_a_null_resolution_of_a_resolved_complaint_is_refused(api, business, owner):
    complaint = _complaint(business, owner)
    complaint_services.complaint_resolve(
        complaint=complaint,
        actor=owner,
        resolution="Nieuw stuk vlees meegegeven",
    )
    before = snapshot()

    response = patch(api, f"/api/v1/complaints/{complaint.pk}", {"resolution": None})

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "resolution"]]
    assert snapshot() == before


def test_the_schema_offers_null_only_where_it_empties_the_field():
    properties = ninja_api.get_openapi_schema()["components"]["schemas"]["GestureUpdate"][
        "properties"
    ]

    assert properties["what"]["type"] == "string"
    assert "anyOf" not in properties["what"]
    assert {"type": "null"} in properties["value_cents"]["anyOf"]


def test_an_outcome_note_of_a_done_follow_up_is_a_conflict(api, business, owner):
    follow_up = _follow_up(business, owner)
    aftercare_services.follow_up_complete(
        follow_up=follow_up, actor=owner, outcome="content", note="Heel tevreden"
    )
    before = snapshot()

    response = patch(api, f"/api/v1/follow-ups/{follow_up.pk}", {"outcome_note": None})

    assert response.status_code == 409
    assert response.json() == {"detail": "This follow-up is already done.", "code": "finished"}
    assert snapshot() == before
