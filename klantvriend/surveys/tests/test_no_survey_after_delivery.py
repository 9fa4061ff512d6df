"""A delivery can be made without the survey after it (Promise.survey_after_delivery): flowers
for a funeral kept must not e-mail the family "how likely are you to recommend us?". The
follow-up is planned as for any delivery; its question can be reworded."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.days import open_on
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.services import promise_create, promise_mark_kept
from klantvriend.surveys.models import SurveyInvitation


@pytest.fixture
def customer(business):
    return CustomerFactory(
        business=business, name="Familie Jansen", email="jansen@example.nl", emailable=True
    )


def _delivery(customer, owner, **fields):
    return promise_create(
        customer=customer,
        description="Rouwstuk bezorgen bij het uitvaartcentrum",
        kind=PromiseKind.DELIVERY,
        due_at=timezone.now() + timedelta(hours=2),
        made_by=owner,
        **fields,
    )


def _keep(promise, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=promise, actor=owner)


def test_a_delivery_without_the_survey_invites_nobody_and_is_still_followed_up(
    customer, owner, django_capture_on_commit_callbacks
):
    funeral = _delivery(customer, owner, survey_after_delivery=False)
    bouquet = _delivery(customer, owner)

    _keep(funeral, owner, django_capture_on_commit_callbacks)
    assert (SurveyInvitation.objects.count(), len(mail.outbox)) == (0, 0)
    assert FollowUp.objects.filter(promise=funeral).count() == 1

    _keep(bouquet, owner, django_capture_on_commit_callbacks)
    assert list(SurveyInvitation.objects.values_list("promise", flat=True)) == [bouquet.pk]
    assert len(mail.outbox) == 1


def test_the_api_makes_and_changes_a_delivery_without_the_survey(api, customer):
    made = api.post(
        "/api/v1/promises",
        data=json.dumps(
            {
                "customer": customer.pk,
                "description": "Rouwstuk bezorgen",
                "kind": "delivery",
                "due_date": (timezone.localdate() + timedelta(days=1)).isoformat(),
                "survey_after_delivery": False,
            }
        ),
        content_type="application/json",
    )
    promise_id = made.json()["id"]
    changed = api.patch(
        f"/api/v1/promises/{promise_id}",
        data=json.dumps({"survey_after_delivery": True}),
        content_type="application/json",
    )

    assert (made.status_code, made.json()["survey_after_delivery"]) == (201, False)
    assert (changed.status_code, changed.json()["survey_after_delivery"]) == (200, True)
    assert Promise.objects.get(pk=promise_id).survey_after_delivery is True
    assert AuditEvent.objects.filter(object_id=promise_id, action="changed").get().changes == {
        "survey_after_delivery": [False, True]
    }


def test_the_api_refuses_a_survey_choice_that_is_no_yes_or_no_and_changes_nothing(
    api, customer, owner
):
    promise = _delivery(customer, owner)

    refused = api.patch(
        f"/api/v1/promises/{promise.pk}",
        data=json.dumps({"survey_after_delivery": "nee"}),
        content_type="application/json",
    )

    assert refused.status_code == 422
    assert [error["loc"] for error in refused.json()["detail"]] == [
        ["body", "survey_after_delivery"]
    ]
    assert Promise.objects.get(pk=promise.pk).survey_after_delivery is True


def test_the_profile_form_asks_it_ticked_and_an_untick_is_kept(owner_client, customer):
    profile = owner_client.get(reverse("web:customer_detail", args=[customer.pk]))
    day = open_on(timezone.localdate() + timedelta(days=1)).isoformat()
    # As the page sends it: the mark that the box was asked, the box itself only when ticked.
    form = {
        "description": "Rouwstuk bezorgen",
        "kind": "delivery",
        "due_date": day,
        "survey_after_delivery-asked": "1",
    }

    owner_client.post(reverse("web:promise_add", args=[customer.pk]), form)
    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]),
        {**form, "description": "Boeket bezorgen", "survey_after_delivery": "on"},
    )
    # A page opened before the box was there sends neither: the invitation stays.
    del form["survey_after_delivery-asked"]
    owner_client.post(
        reverse("web:promise_add", args=[customer.pk]), {**form, "description": "Taart bezorgen"}
    )

    page = profile.content.decode()
    assert 'name="survey_after_delivery"' in page
    assert "uitnodigen voor de enquête als het geleverd is" in page.lower()
    assert 'id="promise-survey_after_delivery" checked' in page
    assert dict(Promise.objects.values_list("description", "survey_after_delivery")) == {
        "Rouwstuk bezorgen": False,
        "Boeket bezorgen": True,
        "Taart bezorgen": True,
    }


def test_the_promise_page_unticks_it_for_a_promise_made(owner_client, customer, owner):
    promise = _delivery(customer, owner)
    page = owner_client.get(reverse("web:promise_edit", args=[promise.pk]))
    form = page.context["form"]
    shown = {name: form.typed(name) for name in form.fields if name != "survey_after_delivery"}
    seen = {f"initial-{name}": value for name, value in shown.items() if name != "version"}
    # As the page sends it: the box's hidden initial says it was ticked; unticked, the box
    # itself is not sent.
    hidden = 'name="initial-survey_after_delivery" value="True"'

    saved = owner_client.post(
        reverse("web:promise_edit", args=[promise.pk]),
        {
            **shown,
            **seen,
            "initial-survey_after_delivery": "True",
            "survey_after_delivery-asked": "1",
        },
    )

    assert hidden in page.content.decode()
    assert saved.status_code == 302
    promise.refresh_from_db()
    assert (promise.survey_after_delivery, promise.description) == (
        False,
        "Rouwstuk bezorgen bij het uitvaartcentrum",
    )
