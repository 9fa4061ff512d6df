"""Every record the API changes or deletes can be changed safely, as a customer can
(test_if_match_api): its GET, and the answer to its POST and PATCH, carry the ETag of its
version, and a PATCH or DELETE sent with If-Match is done only while that version is stored;
otherwise nothing is changed and the answer is 412."""

import json
import re
from dataclasses import dataclass, field

import pytest

from klantvriend.aftercare.models import FollowUp
from klantvriend.complaints.models import Complaint
from klantvriend.core.models import AuditEvent
from klantvriend.customers.models import ContactMoment, Customer, ImportantDate, Purchase
from klantvriend.customers.services import customer_create
from klantvriend.gestures.models import Gesture
from klantvriend.promises.models import Promise

STALE = '"0123456789abcdef0123456789abcdef"'
CHANGED_EN = {
    "detail": "This was changed since you read it: read it again and make your change to what "
    "is stored now.",
    "code": "changed_meanwhile",
}
HEADER_REFUSED = {
    "detail": [
        {
            "loc": ["header", "If-Match"],
            "msg": 'Send the ETag as the GET gave it, in double quotes: If-Match: "…".',
            "type": "invalid",
        }
    ]
}


@dataclass(frozen=True)
class Route:
    path: str
    model: type
    create: dict  # the POST body, without the customer
    meanwhile: dict  # what another client changes in between, written straight to the row
    patch: dict = field(default_factory=dict)  # the PATCH body; none: the record is only deleted
    delete: bool = False

    def __str__(self) -> str:
        return self.path


ROUTES = [
    Route(
        "purchases",
        Purchase,
        # A moment sent with an offset: the ETag is of the moment as stored.
        create={"amount_cents": 1250, "at": "2026-11-02T14:30:00+01:00"},
        patch={"description": "Rollade"},
        meanwhile={"description": "Biefstuk"},
        delete=True,
    ),
    Route(
        "contact-moments",
        ContactMoment,
        create={"kind": "visit", "summary": "Kwam langs.", "at": "2026-11-02T14:30:00+01:00"},
        patch={"summary": "Kwam langs voor de kerstbestelling."},
        meanwhile={"summary": "Belde over de bezorging."},
        delete=True,
    ),
    Route(
        "important-dates",
        ImportantDate,
        create={"label": "Trouwdag", "date": "1998-06-12"},
        meanwhile={"label": "Verjaardag"},
        delete=True,
    ),
    Route(
        "gestures",
        Gesture,
        create={"what": "Bos bloemen", "given_at": "2026-11-02T14:30:00+01:00"},
        patch={"what": "Taart"},
        meanwhile={"what": "Fles wijn"},
    ),
    Route(
        "promises",
        Promise,
        create={
            "description": "Terugbellen",
            "made_at": "2026-11-02T14:30:00+01:00",
            "due_at": "2027-01-15T17:00:00+01:00",
        },
        patch={"description": "Terugbellen over de levering"},
        meanwhile={"description": "Offerte sturen"},
    ),
    Route(
        "follow-ups",
        FollowUp,
        create={"note": "Smaakte de rollade?", "due_on": "2099-01-15"},  # ahead on any day run
        patch={"note": "Smaakte de rollade en de saus?"},
        meanwhile={"note": "Was de bezorging op tijd?"},
    ),
    Route(
        "complaints",
        Complaint,
        create={"description": "Te laat bezorgd.", "received_at": "2026-11-02T14:30:00+01:00"},
        patch={"description": "Twee uur te laat bezorgd."},
        meanwhile={"description": "Verkeerde bestelling."},
        delete=True,
    ),
]
PATCHED = [route for route in ROUTES if route.patch]
DELETED = [route for route in ROUTES if route.delete]


@pytest.fixture
def customer(business, owner):
    return customer_create(business=business, name="Marieke de Boer", actor=owner)


def _send(client, method, url, data=None, **headers):
    if data is None:
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


def _create(api, route: Route, customer) -> tuple[str, str]:
    """The record's URL and the ETag its POST answered with."""
    created = _send(api, "post", f"/api/v1/{route.path}", {"customer": customer.pk, **route.create})
    assert created.status_code == 201, created.content
    return f"/api/v1/{route.path}/{created.json()['id']}", created["ETag"]


def _pk(url: str) -> int:
    return int(url.rsplit("/", 1)[1])


def _stored(route: Route, url: str) -> dict | None:
    return route.model.objects.filter(pk=_pk(url)).values().first()


def _change_meanwhile(route: Route, url: str) -> None:
    route.model.objects.filter(pk=_pk(url)).update(**route.meanwhile)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_record_comes_with_the_etag_of_its_version(api, customer, route):
    url, created_etag = _create(api, route, customer)

    first, again = api.get(url), api.get(url)

    assert re.fullmatch(r'"[0-9a-f]{32}"', first["ETag"])
    assert again["ETag"] == first["ETag"] == created_etag
    _change_meanwhile(route, url)
    assert api.get(url)["ETag"] != first["ETag"]


@pytest.mark.parametrize("route", PATCHED, ids=str)
def test_a_change_with_the_current_etag_is_made_and_answers_the_new_one(api, customer, route):
    url, etag = _create(api, route, customer)

    answer = _send(api, "patch", url, route.patch, **{"If-Match": etag})

    assert answer.status_code == 200, answer.content
    name, value = next(iter(route.patch.items()))
    assert answer.json()[name] == value
    assert _stored(route, url)[name] == value
    assert answer["ETag"] != etag
    assert answer["ETag"] == api.get(url)["ETag"]


@pytest.mark.parametrize("route", PATCHED, ids=str)
def test_a_change_to_the_values_stored_keeps_the_etag(api, customer, route):
    url, _etag = _create(api, route, customer)
    changed = _send(api, "patch", url, route.patch)

    again = _send(api, "patch", url, route.patch, **{"If-Match": changed["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] == changed["ETag"] == api.get(url)["ETag"]


@pytest.mark.parametrize("route", PATCHED, ids=str)
def test_a_change_based_on_an_old_read_is_refused_with_412_and_nothing_is_stored(
    api, customer, route
):
    url, etag = _create(api, route, customer)
    _change_meanwhile(route, url)
    before, events = _stored(route, url), AuditEvent.objects.count()

    answer = _send(api, "patch", url, route.patch, **{"If-Match": etag})

    assert answer.status_code == 412
    assert answer.json() == CHANGED_EN
    assert _stored(route, url) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("route", DELETED, ids=str)
def test_a_delete_with_the_current_etag_is_done(api, customer, route):
    url, etag = _create(api, route, customer)

    answer = _send(api, "delete", url, **{"If-Match": etag})

    assert answer.status_code == 204
    assert _stored(route, url) is None


@pytest.mark.parametrize("route", DELETED, ids=str)
def test_a_delete_based_on_an_old_read_is_refused_with_412_and_nothing_is_deleted(
    api, customer, route
):
    url, etag = _create(api, route, customer)
    _change_meanwhile(route, url)
    before, events = _stored(route, url), AuditEvent.objects.count()

    answer = _send(api, "delete", url, **{"If-Match": etag})

    assert answer.status_code == 412
    assert answer.json() == CHANGED_EN
    assert _stored(route, url) == before
    assert AuditEvent.objects.count() == events


def _writes(routes):
    return [(route, "patch") for route in routes if route.patch] + [
        (route, "delete") for route in routes if route.delete
    ]


WRITES = _writes(ROUTES)
WRITE_IDS = [f"{method} {route}" for route, method in WRITES]


def _write(client, route: Route, method: str, url: str, **headers):
    return _send(client, method, url, route.patch if method == "patch" else None, **headers)


@pytest.mark.parametrize(("route", "method"), WRITES, ids=WRITE_IDS)
def test_if_match_star_or_none_sets_no_condition(api, customer, route, method):
    url, _etag = _create(api, route, customer)
    _change_meanwhile(route, url)

    answer = _write(api, route, method, url, **{"If-Match": "*"})

    assert answer.status_code == (200 if method == "patch" else 204), answer.content


@pytest.mark.parametrize(("route", "method"), WRITES, ids=WRITE_IDS)
def test_one_of_several_etags_or_a_weak_one_is_read_as_http_says(api, customer, route, method):
    url, etag = _create(api, route, customer)

    weak = _write(api, route, method, url, **{"If-Match": f"W/{etag}"})
    listed = _write(api, route, method, url, **{"If-Match": f"{STALE}, {etag}"})

    assert weak.status_code == 412  # a weak tag never matches: none is handed out
    assert listed.status_code == (200 if method == "patch" else 204), listed.content


@pytest.mark.parametrize("if_match", ["0123456789abcdef", "", "W/"])
@pytest.mark.parametrize(("route", "method"), WRITES, ids=WRITE_IDS)
def test_an_etag_without_its_quotes_is_refused_as_input(api, customer, route, method, if_match):
    url, _etag = _create(api, route, customer)
    before = _stored(route, url)

    answer = _write(api, route, method, url, **{"If-Match": if_match})

    assert answer.status_code == 422
    assert answer.json() == HEADER_REFUSED
    assert _stored(route, url) == before


@pytest.mark.parametrize(("route", "method"), WRITES, ids=WRITE_IDS)
def test_another_business_record_is_not_found_whatever_the_etag(
    api, other_api, customer, route, method
):
    url, etag = _create(api, route, customer)
    before = _stored(route, url)

    for if_match in (etag, STALE):
        answer = _write(other_api, route, method, url, **{"If-Match": if_match})

        assert answer.status_code == 404
        assert re.fullmatch(r"No [a-z -]+ with id \d+ in this business\.", answer.json()["detail"])
    assert _stored(route, url) == before


@pytest.mark.parametrize(
    ("route", "method", "body"),
    [
        ("promises", "patch", {"done_at": "2026-11-29T10:00:00+01:00"}),
        ("follow-ups", "patch", {"outcome": "content", "outcome_note": "Heerlijk."}),
        (
            "complaints",
            "patch",
            {"resolved_at": "2026-11-29T10:00:00+01:00", "resolution": "Excuses, korting."},
        ),
    ],
)
def test_finishing_a_record_changed_since_is_refused_too(api, customer, route, method, body):
    """Marking a promise kept, a follow-up's outcome and a complaint's resolution are changes
    of the record like any other."""
    route = next(item for item in ROUTES if item.path == route)
    url, etag = _create(api, route, customer)
    _change_meanwhile(route, url)
    before = _stored(route, url)

    refused = _send(api, method, url, body, **{"If-Match": etag})
    made = _send(api, method, url, body, **{"If-Match": api.get(url)["ETag"]})

    assert (refused.status_code, refused.json()) == (412, CHANGED_EN)
    assert made.status_code == 200, made.content
    assert made["ETag"] == api.get(url)["ETag"]
    assert _stored(route, url) != before


@pytest.mark.parametrize(
    ("route", "finish", "body"),
    [
        # Kept meanwhile by someone else; this client, having read it open, sends it back open.
        ("promises", {"done_at": "2026-11-29T10:00:00+01:00"}, {"done_at": None}),
        # An outcome recorded meanwhile; this client sends a note without one.
        ("follow-ups", {"outcome": "content"}, {"outcome_note": "Belt terug."}),
    ],
)
def test_a_change_refused_by_what_happened_meanwhile_answers_412_not_409_or_422(
    api, customer, route, finish, body
):
    """Preconditions come first (RFC 9110): the client learns that the record changed since
    its read, not a refusal about a state it has not seen."""
    route = next(item for item in ROUTES if item.path == route)
    url, etag = _create(api, route, customer)
    _send(api, "patch", url, finish)
    before = _stored(route, url)

    refused = _send(api, "patch", url, body, **{"If-Match": etag})

    assert (refused.status_code, refused.json()) == (412, CHANGED_EN)
    assert _stored(route, url) == before


def test_a_customer_is_deleted_only_as_read(api, customer):
    url = f"/api/v1/customers/{customer.pk}"
    etag = api.get(url)["ETag"]
    Customer.objects.filter(pk=customer.pk).update(notes="Allergisch voor noten.")

    refused = _send(api, "delete", url, **{"If-Match": etag})
    deleted = _send(api, "delete", url, **{"If-Match": api.get(url)["ETag"]})

    assert (refused.status_code, refused.json()) == (
        412,
        {
            "detail": "This customer was changed since you read it: read it again and make your "
            "change to what is stored now.",
            "code": "changed_meanwhile",
        },
    )
    assert deleted.status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_the_refusal_is_said_in_the_language_asked_for(api, customer):
    route = ROUTES[0]
    url, etag = _create(api, route, customer)
    _change_meanwhile(route, url)

    answer = _send(api, "patch", url, route.patch, **{"If-Match": etag, "Accept-Language": "nl"})

    assert (answer.status_code, answer.json()) == (
        412,
        {
            "detail": "Dit is gewijzigd sinds je het las: lees het opnieuw en breng je wijziging "
            "aan op wat nu is opgeslagen.",
            "code": "changed_meanwhile",
        },
    )


def test_the_schema_declares_if_match_and_the_412_on_every_change_of_one_record(api):
    schema = api.get("/api/v1/openapi.json").json()
    changes = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"patch", "delete"}
    ]

    assert {(path.split("/")[3], method) for path, method, _operation in changes} == {
        (route.path, method) for route, method in WRITES
    } | {
        ("customers", "patch"),
        ("customers", "delete"),
        ("tags", "patch"),
        ("tags", "delete"),
        # The business's care settings, one resource without an id (test_care_settings_api).
        ("care-settings", "patch"),
        # Taking back a gesture logged by mistake, by the undo rule: a gesture changed since
        # is refused as such (409) rather than deleted (test_gesture_undo).
        ("gestures", "delete"),
    }
    for path, method, operation in changes:
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        assert "If-Match" in headers, f"{method} {path}"
        assert "412" in operation["responses"], f"{method} {path}"
