"""When a complaint came in and whether it is public set its deadlines (clocks.py). Once it has
been judged by them (answered, resolved, or a deadline passed) they stay: changed afterwards, a
complaint answered late could count as answered in time."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.complaints import services
from klantvriend.complaints.models import Channel
from klantvriend.complaints.selectors import complaint_figures
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot

from .factories import ComplaintFactory


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def answered_late(business, now):
    """A public complaint (answer within 1 hour) answered after three."""
    received = now - timedelta(hours=5)
    return ComplaintFactory(
        customer=CustomerFactory(business=business),
        channel=Channel.SOCIAL_MEDIA,
        public=True,
        received_at=received,
        first_response_at=received + timedelta(hours=3),
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"public": False}, "public"),
        ({"received_at": "later"}, "received_at"),
        ({"received_at": "later", "public": False, "description": "Taai"}, "received_at"),
    ],
)
def test_an_answered_complaint_keeps_when_it_came_in_and_whether_it_is_public(
    business, owner, answered_late, now, fields, field
):
    if fields.get("received_at") == "later":
        fields["received_at"] = answered_late.received_at + timedelta(hours=2, minutes=30)
    before = snapshot()

    with pytest.raises(services.Conflict) as refused, translation.override("en"):
        services.complaint_update(complaint=answered_late, actor=owner, now=now, **fields)

    error = refused.value.error_dict[field][0]
    assert (error.code, error.messages) == (
        "judged",
        [
            "When this complaint came in and whether it is public set its deadlines, and it "
            "has been judged by them (answered, resolved or past a deadline): they stay, so "
            "that its figures do not change afterwards."
        ],
    )
    assert snapshot() == before
    figures = complaint_figures(business=business, now=now)
    assert figures.responded_in_time_share == 0.0


def test_a_complaint_past_its_deadline_keeps_them_too(business, owner, now):
    waiting = ComplaintFactory(
        customer=CustomerFactory(business=business),
        channel=Channel.SOCIAL_MEDIA,
        public=True,
        received_at=now - timedelta(hours=2),
    )
    before = snapshot()

    with pytest.raises(services.Conflict) as refused:
        services.complaint_update(complaint=waiting, actor=owner, now=now, public=False)

    assert refused.value.error_dict["public"][0].code == "judged"
    assert snapshot() == before


def test_a_complaint_within_its_deadlines_may_still_be_corrected(business, owner, now):
    fresh = ComplaintFactory(
        customer=CustomerFactory(business=business),
        channel=Channel.SOCIAL_MEDIA,
        public=True,
        received_at=now - timedelta(minutes=20),
    )

    services.complaint_update(
        complaint=fresh,
        actor=owner,
        now=now,
        public=False,
        received_at=now - timedelta(minutes=10),
    )

    fresh.refresh_from_db()
    assert (fresh.public, fresh.received_at) == (False, now - timedelta(minutes=10))


def test_what_a_judged_complaint_says_may_change_with_its_moments_sent_back(
    business, owner, answered_late, now
):
    services.complaint_update(
        complaint=answered_late,
        actor=owner,
        now=now,
        description="Taai vlees, gedeeld op Facebook",
        received_at=answered_late.received_at,
        public=True,
    )

    answered_late.refresh_from_db()
    assert answered_late.description == "Taai vlees, gedeeld op Facebook"
