"""A promise's new moment through the API: PATCH moves a promise that is not due yet and refuses
to move one whose due moment passed unkept (409 `overdue`); POST .../reschedule moves the first
(200) and, for the second, cancels it, counting as broken, and makes a new promise (201)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from klantvriend.core.models import AuditEvent
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory


def send(client, method, url, data, **headers):
    return getattr(client, method)(
        url, data=json.dumps(data), content_type="application/json", headers=headers
    )


@pytest.fixture
def overdue(business):
    """Recorded on Monday for Wednesday 17:00; now it is Thursday."""
    now = timezone.now().replace(microsecond=0)
    return PromiseFactory(
        customer=CustomerFactory(business=business),
        description="Fiets gerepareerd",
        kind=PromiseKind.REPAIR,
        made_at=now - timedelta(days=3),
        created_at=now - timedelta(days=3),
        due_at=now - timedelta(hours=20),
    )


def test_patch_refuses_to_move_a_passed_due_moment_and_changes_nothing(api, overdue):
    before = snapshot()
    new_due = (timezone.now() + timedelta(days=2)).isoformat()

    response = send(api, "patch", f"/api/v1/promises/{overdue.pk}", {"due_at": new_due})
    in_dutch = send(
        api,
        "patch",
        f"/api/v1/promises/{overdue.pk}",
        {"due_at": new_due},
        **{"Accept-Language": "nl"},
    )

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "This promise was not kept by the moment it was due, so that moment "
            "stays: moved, the promise would count as kept on time. Reschedule it instead: it "
            "is cancelled, counting as broken, and a new promise is made for the new moment.",
            "code": "overdue",
        },
    )
    assert in_dutch.json()["detail"].startswith(
        "Deze belofte is niet op tijd nagekomen, dus het moment"
    )
    assert snapshot() == before


def test_reschedule_makes_a_new_promise_and_counts_the_old_one_broken(api, overdue, owner):
    new_due = timezone.now().replace(microsecond=0) + timedelta(days=2)

    response = send(
        api, "post", f"/api/v1/promises/{overdue.pk}/reschedule", {"due_at": new_due.isoformat()}
    )

    assert response.status_code == 201
    body = response.json()
    new = Promise.objects.get(pk=body["id"])
    assert new.pk != overdue.pk
    assert response.headers["Location"] == f"/api/v1/promises/{new.pk}"
    assert (body["description"], body["kind"], body["status"], body["made_by"]) == (
        "Fiets gerepareerd",
        "repair",
        "open",
        owner.username,
    )
    assert new.due_at == new_due
    assert response.headers["ETag"]
    old = api.get(f"/api/v1/promises/{overdue.pk}").json()
    assert old["status"] == "broken"
    assert Promise.objects.get(pk=overdue.pk).due_at == overdue.due_at
    # The two name each other.
    assert (body["rescheduled_from"], body["rescheduled_to"]) == (overdue.pk, None)
    assert (old["rescheduled_to"], old["rescheduled_from"]) == (new.pk, None)


def test_the_list_names_successor_and_predecessor_in_one_query_whatever_the_rows(
    api, overdue, business, django_assert_max_num_queries
):
    new = send(
        api,
        "post",
        f"/api/v1/promises/{overdue.pk}/reschedule",
        {"due_at": (timezone.now() + timedelta(days=2)).isoformat()},
    ).json()
    for _ in range(5):
        PromiseFactory(customer=overdue.customer)

    with django_assert_max_num_queries(6):
        listed = api.get(f"/api/v1/promises?customer={overdue.customer_id}").json()

    links = {
        item["id"]: (item["rescheduled_to"], item["rescheduled_from"]) for item in listed["items"]
    }
    assert links[overdue.pk] == (new["id"], None)
    assert links[new["id"]] == (None, overdue.pk)
    assert sum(1 for pair in links.values() if pair == (None, None)) == 5


def test_reschedule_moves_a_promise_not_yet_due(api, business):
    now = timezone.now().replace(microsecond=0)
    ahead = PromiseFactory(
        customer=CustomerFactory(business=business),
        made_at=now - timedelta(hours=1),
        due_at=now + timedelta(hours=3),
    )
    day = (now + timedelta(days=4)).date()

    response = send(
        api, "post", f"/api/v1/promises/{ahead.pk}/reschedule", {"due_date": day.isoformat()}
    )

    assert response.status_code == 200
    assert "Location" not in response.headers  # the same promise, where it was
    assert (response.json()["id"], response.json()["due_all_day"]) == (ahead.pk, True)
    ahead.refresh_from_db()
    assert (ahead.due_on, Promise.objects.count()) == (day, 1)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({}, "required"),
        ({"due_at": "2026-01-01T10:00:00+01:00", "due_date": "2026-01-02"}, "ambiguous"),
    ],
)
def test_reschedule_without_one_new_moment_is_refused_and_changes_nothing(
    api, overdue, payload, code
):
    before, events = snapshot(), AuditEvent.objects.count()

    response = send(api, "post", f"/api/v1/promises/{overdue.pk}/reschedule", payload)

    assert response.status_code == 422
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", "due_at"], code)
    ]
    assert (snapshot(), AuditEvent.objects.count()) == (before, events)


def test_reschedule_of_a_kept_promise_is_refused(api, overdue):
    send(api, "patch", f"/api/v1/promises/{overdue.pk}", {"done_at": timezone.now().isoformat()})
    before = snapshot()

    response = send(
        api,
        "post",
        f"/api/v1/promises/{overdue.pk}/reschedule",
        {"due_at": (timezone.now() + timedelta(days=1)).isoformat()},
    )

    assert (response.status_code, response.json()["code"]) == (409, "finished")
    assert snapshot() == before


def test_reschedule_honours_if_match(api, overdue):
    stale = api.get(f"/api/v1/promises/{overdue.pk}").headers["ETag"]
    send(api, "patch", f"/api/v1/promises/{overdue.pk}", {"description": "Fiets klaar"})
    before = snapshot()

    response = send(
        api,
        "post",
        f"/api/v1/promises/{overdue.pk}/reschedule",
        {"due_at": (timezone.now() + timedelta(days=1)).isoformat()},
        **{"If-Match": stale},
    )

    assert response.status_code == 412
    assert snapshot() == before
