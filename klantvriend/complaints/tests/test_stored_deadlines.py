"""A complaint's deadlines, stored on it (respond_by, resolve_by): set by every write they depend
on, worked out again when the business's settings or zone change, agreeing with the clock, and
the order in which Today and the complaints list show the unresolved complaints."""

import importlib
import json
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klantvriend.complaints import services
from klantvriend.complaints.clocks import complaint_clock, complaint_deadlines
from klantvriend.complaints.models import Channel, Complaint
from klantvriend.complaints.selectors import complaint_figures, complaint_queue, complaint_register
from klantvriend.core.care_settings import (
    DEFAULTS,
    WEEKDAY_KEYS,
    care_settings,
    care_settings_update,
    closed_period_add,
)
from klantvriend.core.errors import ValidationError
from klantvriend.core.models import AuditEvent
from klantvriend.core.services import business_update
from klantvriend.core.tests.days import SALON
from klantvriend.core.working_hours import DayHours, add_working_days, same_hours
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.demo.shop import demo_create
from klantvriend.today.selectors import today_list

from .factories import ComplaintFactory


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Bas Jansen")


def _stored(complaint) -> tuple[datetime, datetime]:
    return tuple(
        Complaint.objects.filter(pk=complaint.pk).values_list("respond_by", "resolve_by").get()
    )


def _clock(complaint) -> tuple[datetime, datetime]:
    """The deadlines as the clock works them out from the settings now (what is shown)."""
    business = complaint.business
    business.refresh_from_db()
    clock = complaint_clock(
        Complaint.objects.get(pk=complaint.pk),
        settings=care_settings(business),
        tz=business.tzinfo,
        now=timezone.now(),
    )
    return clock.response_deadline, clock.resolution_deadline


def _amsterdam(business, *args):
    return datetime(*args, tzinfo=business.tzinfo)


@pytest.mark.parametrize(
    ("received", "public", "respond_by", "resolve_by"),
    [
        # Saturday afternoon: two working hours that day, none on Sunday, two on Monday. The
        # resolution: Saturday had opened, so Monday to Wednesday, to its closing.
        ((2026, 3, 21, 16, 0), False, (2026, 3, 23, 11, 0), (2026, 3, 25, 18, 0)),
        # The same over the change to summer time (Sunday 29 March, 02:00 → 03:00): the
        # resolution comes at 18:00 on the shop's clock all the same.
        ((2026, 3, 28, 16, 0), False, (2026, 3, 30, 11, 0), (2026, 4, 1, 18, 0)),
        # Public, in the night of the change: one clock hour, which jumps from 01:30 to 03:30.
        # Monday had not opened yet, so it is the first of the three working days.
        ((2026, 3, 29, 1, 30), True, (2026, 3, 29, 3, 30), (2026, 4, 1, 18, 0)),
        # Public on a Saturday evening after closing: clock hours run on.
        ((2026, 10, 24, 21, 0), True, (2026, 10, 24, 22, 0), (2026, 10, 28, 18, 0)),
        # Private after closing on the Saturday before winter time: Monday 9 to 13.
        ((2026, 10, 24, 21, 0), False, (2026, 10, 26, 13, 0), (2026, 10, 28, 18, 0)),
    ],
)
def test_stored_deadlines_agree_with_the_clock_across_weekends_and_summer_time(
    customer, received, public, respond_by, resolve_by
):
    business = customer.business
    received_at = _amsterdam(business, *received)

    complaint = services.complaint_create(
        customer=customer,
        description="Te lang gewacht",
        channel=Channel.EMAIL,
        public=public,
        received_at=received_at,
        now=received_at + timedelta(minutes=1),
    )

    expected = (_amsterdam(business, *respond_by), _amsterdam(business, *resolve_by))
    assert _stored(complaint) == expected
    assert _clock(complaint) == expected
    assert (complaint.respond_by, complaint.resolve_by) == expected


def test_changing_when_a_complaint_came_in_or_its_publicity_moves_its_deadlines(customer, owner):
    now = timezone.now()
    complaint = services.complaint_create(
        customer=customer, description="Koud eten", channel=Channel.EMAIL, received_at=now
    )

    services.complaint_update(
        complaint=complaint, actor=owner, public=True, received_at=now - timedelta(minutes=10)
    )

    # Resolved by the closing of the third working day from the moment it came in now.
    business = customer.business
    assert _stored(complaint) == (
        now - timedelta(minutes=10) + timedelta(hours=1),
        add_working_days(
            now - timedelta(minutes=10),
            3,
            tz=business.tzinfo,
            week=care_settings(business).opening_hours,
        ),
    )
    assert _stored(complaint) == _clock(complaint)


def test_a_change_that_does_not_move_the_clock_leaves_the_deadlines(customer, owner):
    complaint = ComplaintFactory(customer=customer)
    Complaint.objects.filter(pk=complaint.pk).update(
        respond_by=datetime(2030, 1, 1, tzinfo=UTC), resolve_by=datetime(2030, 1, 2, tzinfo=UTC)
    )

    services.complaint_update(complaint=complaint, actor=owner, description="Anders gezegd")

    assert _stored(complaint) == (
        datetime(2030, 1, 1, tzinfo=UTC),
        datetime(2030, 1, 2, tzinfo=UTC),
    )


def test_the_web_form_and_the_api_set_the_deadlines(owner_client, api, customer):
    received = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    owner_client.post(
        reverse("web:complaint_add", args=[customer.pk]),
        {
            "description": "Via het formulier",
            "channel": "review_site",
            "public": "on",
            "severity": "high",
            "driver": "other",
        },
        headers={"HX-Request": "true"},
    )
    created = api.post(
        "/api/v1/complaints",
        data=json.dumps(
            {
                "customer": customer.pk,
                "description": "Via de API",
                "channel": "social_media",
                "received_at": received.isoformat(),
            }
        ),
        content_type="application/json",
    ).json()
    patched = api.patch(
        f"/api/v1/complaints/{created['id']}",
        data=json.dumps(
            {"public": False, "received_at": (received + timedelta(minutes=10)).isoformat()}
        ),
        content_type="application/json",
    )

    by_form = Complaint.objects.get(description="Via het formulier")
    by_api = Complaint.objects.get(pk=created["id"])
    assert patched.status_code == 200
    assert by_form.respond_by == by_form.received_at + timedelta(hours=1)
    assert (by_api.received_at, by_api.public) == (received + timedelta(minutes=10), False)
    assert _stored(by_form) == _clock(by_form)
    assert _stored(by_api) == _clock(by_api)


def test_the_demo_stores_the_deadlines_the_clock_works_out(db):
    business = demo_create(customers=300, seed=3).business
    settings, tz = care_settings(business), business.tzinfo

    complaints = list(Complaint.objects.filter(business=business))

    assert len(complaints) > 8
    assert [(c.respond_by, c.resolve_by) for c in complaints] == [
        complaint_deadlines(c, settings=settings, tz=tz) for c in complaints
    ]


def _open_complaints(business, now) -> list[Complaint]:
    """More than a hundred unresolved complaints, as the old approximation (the 100 oldest and
    the 100 oldest public ones, ordered in Python) got them wrong: 110 answered two days ago
    (their resolution due tomorrow), in pairs received at one moment, the private one of each
    recorded first; then private ones of today, whose response is due this afternoon, and
    public ones, two of them tied."""
    customer = CustomerFactory(business=business)
    rows = [
        ComplaintFactory(
            customer=customer,
            received_at=now - timedelta(days=2, minutes=number // 2),
            first_response_at=now - timedelta(days=2, minutes=number // 2),
            public=number % 2 == 1,
        )
        for number in range(110)
    ]
    rows.append(ComplaintFactory(customer=customer, received_at=now - timedelta(minutes=30)))
    for minutes in (5, 50, 50):  # the two of 50 minutes ago tie on their deadline
        rows.append(
            ComplaintFactory(
                customer=customer, public=True, received_at=now - timedelta(minutes=minutes)
            )
        )
    rows.append(ComplaintFactory(customer=customer, received_at=now - timedelta(minutes=50)))
    ComplaintFactory(
        customer=customer,
        received_at=now - timedelta(days=1),
        first_response_at=now - timedelta(days=1),
        resolved_at=now - timedelta(hours=1),
        resolution="Opgelost",
    )
    return rows


def test_today_and_the_complaints_list_show_exactly_the_clocks_order_past_a_hundred(
    business, django_assert_num_queries
):
    now = _amsterdam(business, 2026, 3, 10, 11, 0)  # a Tuesday, open 9 to 18
    complaints = _open_complaints(business, now)
    settings, tz = care_settings(business), business.tzinfo
    clocks = {c.pk: complaint_clock(c, settings=settings, tz=tz, now=now) for c in complaints}
    by_the_clock = sorted(
        complaints,
        key=lambda c: (clocks[c.pk].time_left, not c.public, c.received_at, c.pk),
    )

    with django_assert_num_queries(2):  # the rows, their count
        queue = complaint_queue(business=business, now=now, limit=100)
    listed = complaint_register(business=business)
    today = today_list(business=business, now=now, whole="complaints")

    order = [c.pk for c in by_the_clock]
    assert [view.complaint.pk for view in queue.items] == order[:100]
    assert queue.total == 115
    assert [c.pk for c in listed.complaints[0:115]] == order
    assert [c.pk for c in listed.complaints[50:100]] == order[50:100]
    resolved = Complaint.objects.get(resolved_at__isnull=False).pk
    assert [c.pk for c in listed.complaints[100:150]] == [*order[100:], resolved]
    assert [view.complaint.pk for view in today.complaints.items] == order[:50]
    assert today.complaints.total == 115
    # The public ones first (due 11:10, 11:10 and 11:55), then the private ones of today (due
    # 14:10 and 14:30), before every one answered two days ago; of each pair with one deadline
    # the public one first.
    assert [(c.received_at, c.public) for c in by_the_clock[:5]] == [
        (now - timedelta(minutes=50), True),
        (now - timedelta(minutes=50), True),
        (now - timedelta(minutes=5), True),
        (now - timedelta(minutes=50), False),
        (now - timedelta(minutes=30), False),
    ]
    # The 110 answered ones came in on the closed Sunday: all are to be resolved by
    # Wednesday's closing, the public ones first, even those that came in later.
    answered = by_the_clock[5:]
    assert {clocks[c.pk].deadline for c in answered} == {_amsterdam(business, 2026, 3, 11, 18)}
    assert [c.public for c in answered] == [True] * 55 + [False] * 55
    assert answered[54].received_at > answered[55].received_at


def test_the_queue_reads_the_same_queries_for_few_and_many(business):
    now = timezone.now()
    customer = CustomerFactory(business=business)
    counts = []
    for many in (101, 200):
        ComplaintFactory.create_batch(many, customer=customer, received_at=now)
        with CaptureQueriesContext(connection) as queries:
            complaint_queue(business=business, now=now, limit=100)
            list(complaint_register(business=business).complaints[0:50])
        counts.append(len(queries))

    assert counts == [5, 5]  # the rows, their count, the tally, the ids, the page


def _deadlines_of(business) -> list[tuple[datetime, datetime]]:
    return list(
        Complaint.objects.filter(business=business)
        .order_by("pk")
        .values_list("respond_by", "resolve_by")
    )


def test_changed_targets_work_out_every_waiting_complaints_deadlines_again_and_audit_it(
    customer, owner
):
    business = customer.business
    received = _amsterdam(business, 2026, 3, 10, 11, 0)
    complaints = [
        ComplaintFactory(customer=customer, received_at=received, public=public)
        for public in (False, True)
    ] + [
        # Answered, not resolved: its resolution is still to be judged.
        ComplaintFactory(customer=customer, received_at=received, first_response_at=received)
    ]
    resolved = ComplaintFactory(
        customer=customer,
        received_at=received,
        first_response_at=received,
        resolved_at=received + timedelta(days=1),
        resolution="Opgelost",
    )
    judged_by = _stored(resolved)

    care_settings_update(
        business=business,
        actor=owner,
        complaint_resolution_days=5,
        complaint_public_response_hours=2,
        opening_hours=same_hours(range(6), time(10, 0), time(12, 0)),
    )

    # Five working days after Tuesday, to the closing at 12:00: Wednesday to Saturday, and
    # Monday after the closed Sunday.
    resolve_by = _amsterdam(business, 2026, 3, 16, 12, 0)
    assert _deadlines_of(business) == [
        # Four working hours of 10 to 12: one on Tuesday, two on Wednesday, one on Thursday.
        (_amsterdam(business, 2026, 3, 12, 11, 0), resolve_by),
        (_amsterdam(business, 2026, 3, 10, 13, 0), resolve_by),
        # The answer was judged by the hours of then; the resolution still runs.
        (judged_by[0], resolve_by),
        # Resolved: judged by the targets and hours of then, on both counts.
        judged_by,
    ]
    assert [_stored(c) for c in [*complaints, resolved]] == [
        _clock(c) for c in [*complaints, resolved]
    ]
    event = AuditEvent.objects.get(action="settings")
    assert event.changes["complaint_deadlines_recomputed"] == [None, 3]


def test_deadlines_worked_out_again_leave_the_complaints_version_as_it_was(api, customer, owner):
    """A change of the settings moves every complaint's stored deadlines, but nobody changed a
    complaint: its ETag stays, and a change sent with If-Match of before is made."""
    # Received on a Saturday at 16:00, private: answered by Monday 11:00 with the shop opening
    # at 9, by 12:00 once it opens at 10. (Received "now", the test found nothing moved when
    # run in opening hours after 10.)
    received_at = _amsterdam(customer.business, 2026, 3, 21, 16, 0)
    complaint = ComplaintFactory(customer=customer, received_at=received_at, public=False)
    read = api.get(f"/api/v1/complaints/{complaint.pk}")
    before = _stored(complaint)

    care_settings_update(
        business=customer.business,
        actor=owner,
        opening_hours=same_hours(range(6), time(10, 0), time(18, 0)),
    )
    again = api.get(f"/api/v1/complaints/{complaint.pk}")
    patched = api.patch(
        f"/api/v1/complaints/{complaint.pk}",
        data=json.dumps({"description": "Het gehakt was grijs"}),
        content_type="application/json",
        headers={"If-Match": read["ETag"]},
    )

    assert before[0] == _amsterdam(customer.business, 2026, 3, 23, 11, 0)
    assert _stored(complaint)[0] == _amsterdam(customer.business, 2026, 3, 23, 12, 0)
    assert again["ETag"] == read["ETag"]
    assert patched.status_code == 200
    assert Complaint.objects.get(pk=complaint.pk).description == "Het gehakt was grijs"


def test_closed_days_added_move_the_answer_past_christmas(customer, owner):
    # Received on Christmas Eve (Thursday) at 16:00: four working hours ran to Christmas Day
    # 11:00, when the shop is closed; with Christmas and Boxing Day closed, Monday 11:00.
    business = customer.business
    complaint = ComplaintFactory(
        customer=customer, received_at=_amsterdam(business, 2026, 12, 24, 16, 0), public=False
    )
    assert _stored(complaint)[0] == _amsterdam(business, 2026, 12, 25, 11, 0)

    closed_period_add(
        business=business, actor=owner, first=date(2026, 12, 25), last=date(2026, 12, 26)
    )

    assert _stored(complaint)[0] == _amsterdam(business, 2026, 12, 28, 11, 0)
    assert _stored(complaint) == _clock(complaint)
    event = AuditEvent.objects.get(action="settings")
    assert event.changes["complaint_deadlines_recomputed"] == [None, 1]


def test_a_setting_the_deadlines_do_not_depend_on_works_out_nothing(customer, owner):
    complaint = ComplaintFactory(customer=customer)
    before = _stored(complaint)

    care_settings_update(business=customer.business, actor=owner, promise_grace_hours=48)

    assert _stored(complaint) == before
    assert AuditEvent.objects.get(action="settings").changes == {"promise_grace_hours": [24, 48]}


def test_refused_settings_change_no_deadline_and_record_nothing(owner_client, customer, owner):
    complaint = ComplaintFactory(customer=customer)
    before = _stored(complaint)

    with pytest.raises(ValidationError):
        care_settings_update(
            business=customer.business,
            actor=owner,
            complaint_resolution_days=9,
            opening_hours=same_hours([0], time(18), time(9)),
        )
    refused = owner_client.post(
        reverse("web:care_settings"),
        {
            "promise_grace_hours": "24",
            "complaint_response_working_hours": "4",
            "complaint_public_response_hours": "1",
            "complaint_resolution_days": "9",
            "monday_opens": "18:00",
            "monday_closes": "09:00",
            **{f"{key}_closed": "on" for key in WEEKDAY_KEYS[1:]},
            "aftercare_purchase_days": "3",
            "aftercare_replan_days": "2",
        },
    )

    assert refused.status_code == 422
    assert _stored(complaint) == before
    assert not AuditEvent.objects.filter(action="settings").exists()


@pytest.mark.parametrize(
    ("received", "respond_by"),
    [
        # Wednesday 17:00, 4 working hours: one on Wednesday, three on Thursday from 9.
        ((2026, 12, 2, 17, 0), (2026, 12, 3, 12, 0)),
        # Thursday 18:30: the late evening counts, 2.5 hours until 21:00, 1.5 on Friday.
        ((2026, 12, 3, 18, 30), (2026, 12, 4, 10, 30)),
        # Received on the closed Monday: counting starts on Tuesday at opening.
        ((2026, 12, 7, 11, 0), (2026, 12, 8, 13, 0)),
        # Saturday 15:00: one hour until 16:00, past Sunday and Monday, three on Tuesday.
        ((2026, 12, 5, 15, 0), (2026, 12, 8, 12, 0)),
    ],
)
def test_a_complaint_is_due_in_the_working_hours_of_each_day(customer, owner, received, respond_by):
    business = customer.business
    care_settings_update(business=business, actor=owner, opening_hours=SALON)

    complaint = services.complaint_create(
        customer=customer,
        description="De kleuring is te donker",
        channel=Channel.PHONE,
        received_at=_amsterdam(business, *received),
        now=_amsterdam(business, *received),
    )

    assert _stored(complaint)[0] == _amsterdam(business, *respond_by)
    assert _stored(complaint) == _clock(complaint)


def test_new_hours_of_one_day_work_out_the_stored_deadlines_again(customer, owner):
    """As every change of the settings a deadline depends on (CARE_SETTINGS_CHANGED): the
    queue's order and the clocks shown follow the hours from the moment they are saved."""
    business = customer.business
    care_settings_update(business=business, actor=owner, opening_hours=SALON)
    wednesday = ComplaintFactory(
        customer=customer, public=False, received_at=_amsterdam(business, 2026, 12, 2, 17, 0)
    )
    tuesday = ComplaintFactory(
        customer=customer, public=False, received_at=_amsterdam(business, 2026, 12, 1, 10, 0)
    )
    untouched = _stored(tuesday)

    # Thursday opens at 11 from now on
    care_settings_update(
        business=business,
        actor=owner,
        opening_hours=[*SALON[:3], DayHours(time(11), time(21)), *SALON[4:]],
    )

    assert _stored(wednesday)[0] == _amsterdam(business, 2026, 12, 3, 14, 0)
    assert (
        _stored(tuesday)
        == untouched
        == (
            _amsterdam(business, 2026, 12, 1, 14, 0),
            # Wednesday, Thursday and Friday: Thursday's hours end no later.
            _amsterdam(business, 2026, 12, 4, 18, 0),
        )
    )
    event = AuditEvent.objects.filter(action="settings").latest("pk")
    assert event.changes["complaint_deadlines_recomputed"] == [None, 1]
    assert event.changes["opening_hours"][1][3] == ["11:00", "21:00"]


def test_a_new_time_zone_works_out_the_deadlines_in_it(customer, owner):
    business = customer.business
    received = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)  # 9:30 in Amsterdam, 8:30 in Lisbon
    complaint = ComplaintFactory(customer=customer, received_at=received)

    business_update(
        business=business, actor=owner, name=business.name, time_zone="Europe/Lisbon", language="nl"
    )

    assert _stored(complaint) == (
        datetime(2026, 3, 10, 13, 0, tzinfo=UTC),  # from opening at 9:00 in Lisbon, not 8:30
        # Before Tuesday's opening in Lisbon, so Tuesday is the first of three working days;
        # in Amsterdam it had opened, and Friday was the third.
        datetime(2026, 3, 12, 18, 0, tzinfo=UTC),
    )
    assert _stored(complaint) == _clock(complaint)
    changes = AuditEvent.objects.get(action="settings").changes
    assert changes["complaint_deadlines_recomputed"] == [None, 1]


def test_the_recompute_reads_and_writes_in_batches_whatever_the_number(
    customer, owner, monkeypatch
):
    monkeypatch.setattr(services, "DEADLINES_BATCH", 4)
    ComplaintFactory.create_batch(10, customer=customer)
    counts = []
    for days in (5, 6):
        with CaptureQueriesContext(connection) as queries:
            changed = services.deadlines_refresh(
                Complaint.objects.filter(business=customer.business),
                settings=replace(DEFAULTS, complaint_resolution_days=days),
                tz=customer.business.tzinfo,
            )
        counts.append((changed, len(queries)))

    # Three batches of reads and of writes, and the read that finds no more.
    assert counts == [(10, 7), (10, 7)]


def test_new_opening_hours_do_not_change_how_an_answered_complaint_was_judged(customer, owner):
    """Saturday 16:00, four working hours: two on Saturday until 18:00, two on Monday from 9:00,
    answered Monday at 10:30, in time. Saturday open until 20:00 from now on would have made it
    due on Saturday evening: the scorecard's past does not change with the hours entered today."""
    business = customer.business
    received = _amsterdam(business, 2026, 3, 21, 16, 0)
    ComplaintFactory(
        customer=customer,
        received_at=received,
        first_response_at=received + timedelta(hours=42, minutes=30),
    )
    waiting = ComplaintFactory(customer=customer, received_at=received + timedelta(days=7))
    later = _amsterdam(business, 2026, 4, 10, 12, 0)
    before = complaint_figures(business=business, now=later)

    longer_saturday = [*DEFAULTS.opening_hours[:5], DayHours(time(9), time(20)), None]
    care_settings_update(business=business, actor=owner, opening_hours=longer_saturday)

    after = complaint_figures(business=business, now=later)
    assert (before.responses_judged, before.responded_in_time) == (2, 1)
    assert (after.responses_judged, after.responded_in_time) == (2, 1)
    # The complaint still waiting is due by the new hours: Saturday 28 March until 20:00.
    assert _stored(waiting)[0] == _amsterdam(business, 2026, 3, 28, 20, 0)


def test_the_upgrade_to_working_days_moves_the_waiting_complaints_and_leaves_the_resolved(
    customer,
):
    """Complaints 0008: the deadlines stored by calendar days before."""
    from django.apps import apps

    upgrade = importlib.import_module(
        "klantvriend.complaints.migrations.0008_resolution_in_working_days"
    )
    business = customer.business
    received = _amsterdam(business, 2026, 3, 21, 16, 0)  # a Saturday
    calendar_days = (_amsterdam(business, 2026, 3, 23, 11, 0), received + timedelta(days=3))
    waiting, resolved = (
        ComplaintFactory(customer=customer, received_at=received, public=False),
        ComplaintFactory(
            customer=customer,
            received_at=received,
            public=False,
            first_response_at=received,
            resolved_at=received + timedelta(days=4),
            resolution="Nieuw gehakt",
        ),
    )
    Complaint.objects.update(respond_by=calendar_days[0], resolve_by=calendar_days[1])

    upgrade.resolution_deadlines_refresh(apps, None)

    assert _stored(waiting) == (calendar_days[0], _amsterdam(business, 2026, 3, 25, 18, 0))
    assert _stored(resolved) == calendar_days
