"""A till or booking system closes a follow-up as not needed, as the pages do: no complaint, no
new try, and the schema names the value."""

import json

import pytest

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_follow_up_is_closed_as_not_needed_with_its_reason(api, business):
    follow_up = FollowUpFactory(customer=CustomerFactory(business=business))

    response = api.patch(
        f"/api/v1/follow-ups/{follow_up.pk}",
        data=json.dumps({"outcome": "not_needed", "outcome_note": "Rouwstuk"}),
        content_type="application/json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["outcome"], body["outcome_note"], body["attempts"]) == (
        "not_needed",
        "Rouwstuk",
        0,
    )
    assert FollowUp.objects.get(pk=follow_up.pk).done_at is not None
    assert Complaint.objects.count() == 0


def test_the_schema_names_not_needed_among_the_outcomes(api):
    schema = api.get("/api/v1/openapi.json").json()

    outcome = schema["components"]["schemas"]["FollowUpUpdate"]["properties"]["outcome"]
    values = next(part for part in outcome["anyOf"] if "enum" in part)["enum"]
    assert "not_needed" in values
    assert "not_needed" in outcome["description"]
