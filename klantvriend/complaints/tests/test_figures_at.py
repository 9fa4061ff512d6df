"""The complaint figures at two moments from one read (complaint_figures_at, the scorecard's
trend): each moment's figures are those complaint_figures gives at it, worked out from each
complaint's deadlines at that moment."""

from datetime import UTC, datetime, timedelta

from klantvriend.complaints.models import Channel
from klantvriend.complaints.selectors import (
    ComplaintFigures,
    complaint_figures,
    complaint_figures_at,
)
from klantvriend.customers.tests.factories import CustomerFactory

from .factories import ComplaintFactory

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # a Tuesday, 13:00 in Amsterdam
START = NOW - timedelta(days=90)


def _complaint(business, received_days_ago: float, *, public=False, answered=None, resolved=None):
    """Answered and resolved: hours after it was received."""
    received = NOW - timedelta(days=received_days_ago)
    return ComplaintFactory(
        customer=CustomerFactory(business=business),
        channel=Channel.SOCIAL_MEDIA if public else Channel.COUNTER,
        public=public,
        received_at=received,
        first_response_at=None if answered is None else received + timedelta(hours=answered),
        resolved_at=None if resolved is None else received + timedelta(hours=resolved),
    )


def test_the_figures_at_now_and_90_days_before_are_each_moments_own(
    business, django_assert_num_queries
):
    # The last 90 days: answered on the spot and resolved the next day; public, answered 3 h
    # late and resolved after 5 days; private and waiting 2 h (within its 4 working hours);
    # public and waiting 3 h (late).
    _complaint(business, 10, answered=0, resolved=24)
    _complaint(business, 5, public=True, answered=3, resolved=5 * 24)
    _complaint(business, 2 / 24)
    _complaint(business, 3 / 24, public=True)
    # The 90 days before: answered after 2 h and resolved in 2 days; public, answered in its
    # hour and still unresolved (late since 87 days before now, so at the start of the last 90).
    _complaint(business, 100, answered=2, resolved=48)
    _complaint(business, 95, public=True, answered=1)
    # Older: one unresolved (late at both moments), one resolved; and one received after NOW.
    _complaint(business, 200)
    _complaint(business, 200, answered=1, resolved=24)
    _complaint(business, -1 / 24, public=True)

    with django_assert_num_queries(1):
        at_now, at_start = complaint_figures_at(business=business, moments=[NOW, START])

    assert at_now == ComplaintFigures(
        received=4,
        answered_on_the_spot=1,
        answered_later=1,
        responded_in_time_share=1 / 3,
        resolved_in_time_share=1 / 2,
        responses_judged=3,
        responded_in_time=1,
        resolutions_judged=2,
        resolved_in_time=1,
        median_response=timedelta(hours=3),
        median_response_hours=3.0,
        open_breached=3,
    )
    assert at_start == ComplaintFigures(
        received=2,
        answered_on_the_spot=0,
        answered_later=2,
        responded_in_time_share=1.0,
        resolved_in_time_share=1 / 2,
        responses_judged=2,
        responded_in_time=2,
        resolutions_judged=2,
        resolved_in_time=1,
        median_response=timedelta(hours=1, minutes=30),
        median_response_hours=1.5,
        open_breached=2,
    )
    assert complaint_figures(business=business, now=NOW) == at_now
    assert complaint_figures(business=business, now=START) == at_start
