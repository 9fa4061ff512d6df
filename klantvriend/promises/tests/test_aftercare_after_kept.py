"""A promise made without its aftercare call (`aftercare_after_kept` false): keeping it plans
none; unticked once kept, the call planned goes while nobody has worked on it; ticked again,
the call is planned as keeping it would have."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare import services as aftercare
from klantvriend.aftercare.models import FollowUp
from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.days import open_on
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises import services
from klantvriend.promises.models import Promise, PromiseKind

pytestmark = pytest.mark.django_db


def _promise(business, staff_user, customer=None, **fields):
    now = timezone.now()
    made = {
        "description": "Fiets repareren",
        "kind": PromiseKind.REPAIR,
        "made_at": now - timedelta(days=1),
        "due_at": now + timedelta(days=3),
    }
    return services.promise_create(
        customer=customer or CustomerFactory(business=business, name="Anna de Vries"),
        made_by=staff_user,
        **{**made, **fields},
    )


def _kept(promise, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.promise_mark_kept(promise=promise, actor=actor)


def _changed(promise, actor, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        return services.promise_update(promise=promise, actor=actor, **fields)


def test_a_promise_without_its_call_plans_none_when_kept(
    business, staff_user, django_capture_on_commit_callbacks
):
    promise = _promise(business, staff_user, aftercare_after_kept=False)

    _kept(promise, staff_user, django_capture_on_commit_callbacks)

    assert Promise.objects.values_list("aftercare_after_kept", flat=True).get() is False
    assert FollowUp.objects.count() == 0


def test_the_call_is_planned_by_default(business, staff_user, django_capture_on_commit_callbacks):
    promise = _promise(business, staff_user)

    kept = _kept(promise, staff_user, django_capture_on_commit_callbacks)

    assert list(FollowUp.objects.values_list("promise", "due_on")) == [
        (promise.pk, open_on(kept.done_on + timedelta(days=7)))
    ]


def test_unticked_once_kept_the_untouched_call_goes_and_ticked_again_comes_back(
    business, staff_user, owner, django_capture_on_commit_callbacks
):
    kept = _kept(_promise(business, staff_user), staff_user, django_capture_on_commit_callbacks)
    planned = FollowUp.objects.get()

    _changed(kept, owner, django_capture_on_commit_callbacks, aftercare_after_kept=False)

    assert FollowUp.objects.count() == 0
    removed = AuditEvent.objects.get(action="deleted", object_type="followup")
    assert (removed.object_id, removed.actor) == (planned.pk, owner)

    _changed(kept, owner, django_capture_on_commit_callbacks, aftercare_after_kept=True)

    assert list(FollowUp.objects.values_list("promise", "due_on")) == [
        (kept.pk, open_on(kept.done_on + timedelta(days=7)))
    ]


def test_a_call_someone_has_tried_stays_when_unticked(
    business, staff_user, owner, django_capture_on_commit_callbacks
):
    kept = _kept(_promise(business, staff_user), staff_user, django_capture_on_commit_callbacks)
    planned = FollowUp.objects.get()
    aftercare.follow_up_complete(follow_up=planned, actor=staff_user, outcome=aftercare.NOT_REACHED)

    _changed(kept, owner, django_capture_on_commit_callbacks, aftercare_after_kept=False)

    assert list(FollowUp.objects.values_list("pk", "attempts")) == [(planned.pk, 1)]
    assert Promise.objects.values_list("aftercare_after_kept", flat=True).get() is False


def test_unticked_on_an_open_promise_touches_no_follow_up(
    business, staff_user, django_capture_on_commit_callbacks
):
    promise = _promise(business, staff_user)

    _changed(promise, staff_user, django_capture_on_commit_callbacks, aftercare_after_kept=False)
    event = AuditEvent.objects.filter(object_type="promise", action="changed").get()

    assert FollowUp.objects.count() == 0
    assert event.changes == {"aftercare_after_kept": [True, False]}


def test_the_profile_form_asks_it_ticked_and_an_untick_is_kept(owner_client, business):
    customer = CustomerFactory(business=business)
    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk])).content
    day = open_on(timezone.localdate() + timedelta(days=1)).isoformat()
    # As the page sends it: the mark that the box was asked, the box itself only when ticked.
    form = {
        "description": "Fiets repareren",
        "kind": "repair",
        "due_date": day,
        "aftercare_after_kept-asked": "1",
    }

    owner_client.post(reverse("web:promise_add", args=[customer.pk]), form)
    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {**form, "description": "Band plakken", "aftercare_after_kept": "on"},
    )
    # A page opened before the box was there sends neither: the call stays planned.
    del form["aftercare_after_kept-asked"]
    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]), {**form, "description": "Remmen"}
    )

    box = re.search(r'<input type="checkbox" name="aftercare_after_kept"[^>]*>', profile.decode())
    assert 'id="promise-aftercare_after_kept" checked' in box[0]
    assert "Na afloop bellen om te horen of alles goed is" in profile.decode()
    assert 'name="aftercare_after_kept-asked" value="1"' in profile.decode()
    assert dict(Promise.objects.values_list("description", "aftercare_after_kept")) == {
        "Fiets repareren": False,
        "Band plakken": True,
        "Remmen": True,
    }


def test_the_promise_page_unticks_it_for_a_promise_made(
    owner_client, business, staff_user, django_capture_on_commit_callbacks
):
    promise = _promise(business, staff_user)
    page = owner_client.get(reverse("web:promise_edit", args=[promise.pk]))
    form = page.context["form"]
    shown = {name: form.typed(name) for name in form.fields if name != "aftercare_after_kept"}
    seen = {f"initial-{name}": value for name, value in shown.items() if name != "version"}

    saved = owner_client.post(
        reverse("web:promise_edit", args=[promise.pk]),
        {
            **shown,
            **seen,
            "initial-aftercare_after_kept": "True",
            "aftercare_after_kept-asked": "1",
        },
    )
    _kept(promise, staff_user, django_capture_on_commit_callbacks)

    assert 'name="initial-aftercare_after_kept" value="True"' in page.content.decode()
    assert saved.status_code == 302
    assert Promise.objects.values_list("aftercare_after_kept", flat=True).get() is False
    assert FollowUp.objects.count() == 0


def test_the_api_makes_and_changes_a_promise_without_its_call(api, business):
    customer = CustomerFactory(business=business)
    made = api.post(
        "/api/v1/promises",
        data=json.dumps(
            {
                "customer": customer.pk,
                "description": "Fiets repareren",
                "kind": "repair",
                "due_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
                "aftercare_after_kept": False,
            }
        ),
        content_type="application/json",
    )
    promise_id = made.json()["id"]
    refused = api.patch(
        f"/api/v1/promises/{promise_id}",
        data=json.dumps({"aftercare_after_kept": "ja"}),
        content_type="application/json",
    )
    changed = api.patch(
        f"/api/v1/promises/{promise_id}",
        data=json.dumps({"aftercare_after_kept": True}),
        content_type="application/json",
    )

    assert (made.status_code, made.json()["aftercare_after_kept"]) == (201, False)
    assert refused.status_code == 422
    assert [error["loc"] for error in refused.json()["detail"]] == [
        ["body", "aftercare_after_kept"]
    ]
    assert (changed.status_code, changed.json()["aftercare_after_kept"]) == (200, True)
    assert AuditEvent.objects.filter(object_id=promise_id, action="changed").get().changes == {
        "aftercare_after_kept": [False, True]
    }


def test_the_profile_says_which_promise_will_plan_no_call(owner_client, business, staff_user):
    repair = _promise(business, staff_user, aftercare_after_kept=False)
    _promise(business, staff_user, repair.customer, description="Band plakken")
    # A callback plans no call whatever the box said: nothing to say beside it.
    _promise(
        business,
        staff_user,
        repair.customer,
        description="Terugbellen over de onderdelen",
        kind=PromiseKind.CALLBACK,
        aftercare_after_kept=False,
    )

    page = owner_client.get(reverse("web:customer_detail", args=[repair.customer_id]))
    rows = re.findall(
        r'<li class="care-row[^"]*" id="promise-(\d+)">(.*?)</li>', page.content.decode(), re.S
    )

    said = {int(pk) for pk, row in rows if 'data-testid="promise-without-call"' in row}
    assert len(rows) == 3
    assert said == {repair.pk}
    assert "geen nazorgbelletje" in page.content.decode()
