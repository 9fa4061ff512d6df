from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.complaints import services
from klantvriend.complaints.clocks import Stage
from klantvriend.complaints.models import Channel, Complaint
from klantvriend.complaints.selectors import complaint_figures, complaint_queue, complaint_views
from klantvriend.core.audit import audit_customer_row
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.errors import Conflict
from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.days import open_on
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture

from .factories import ComplaintFactory


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Bas Jansen")


def test_a_complaint_from_social_media_is_public_and_audited(customer, staff_user):
    complaint = services.complaint_create(
        customer=customer,
        description="Slechte ervaring, gedeeld op Facebook",
        channel=Channel.SOCIAL_MEDIA,
        received_by=staff_user,
    )

    assert (complaint.public, complaint.received_by, complaint.severity) == (
        True,
        staff_user,
        "medium",
    )
    assert AuditEvent.objects.get().action == "created"


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"description": "  "}, "description", "blank"),
        ({"received_at": timezone.now() + timedelta(days=1)}, "received_at", "future"),
        ({"channel": "pigeon"}, "channel", "invalid_choice"),
        ({"recovery_gesture": "x" * 301}, "recovery_gesture", "max_length"),
    ],
)
def test_bad_complaints_are_refused_and_nothing_is_stored(customer, fields, field, code):
    with pytest.raises(services.ValidationError) as refused:
        services.complaint_create(customer=customer, **{"description": "Te laat", **fields})

    assert refused.value.error_dict[field][0].code == code
    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)  # the gesture would be logged after the commit
def test_a_gesture_offered_when_logging_is_kept_and_logged_once_at_the_resolution(
    customer, staff_user, owner
):
    complaint = services.complaint_create(
        customer=customer,
        description="Catering te laat",
        channel=Channel.PHONE,
        answered_on_the_spot=True,
        recovery_gesture=" Gratis dessert ",
        received_by=staff_user,
    )
    assert Complaint.objects.get().recovery_gesture == "Gratis dessert"
    assert Gesture.objects.count() == 0

    # Resolved without writing it again: the gesture offered is the one given.
    services.complaint_resolve(complaint=complaint, actor=owner, resolution="Excuses")

    assert Complaint.objects.get().recovery_gesture == "Gratis dessert"
    assert list(Gesture.objects.values_list("what", "occasion", "complaint")) == [
        ("Gratis dessert", "complaint_recovery", complaint.pk)
    ]


@pytest.mark.parametrize(
    ("stored", "typed", "refused"),
    [
        # A colleague removed the offer meanwhile: another one typed is refused.
        ("", "Bos bloemen", "Intussen heeft iemand het goedmakertje weggehaald."),
        # Nobody changed it: what is typed replaces what was shown.
        ("Gratis dessert", "Bos bloemen", None),
        # A colleague changed it to what this person typed too: no disagreement.
        ("Bos bloemen", "Bos bloemen", None),
    ],
)
def test_an_offer_typed_over_the_one_seen_is_refused_when_it_changed_meanwhile(
    customer, owner, stored, typed, refused
):
    complaint = ComplaintFactory(customer=customer, recovery_gesture=stored)

    def resolve():
        return services.complaint_resolve(
            complaint=complaint,
            actor=owner,
            resolution="Excuses",
            recovery_gesture=typed,
            offer_seen="Gratis dessert",
        )

    if refused:
        with pytest.raises(Conflict) as error:
            resolve()
        assert error.value.message_dict["recovery_gesture"][0].startswith(refused)
        assert Complaint.objects.values_list("resolved_at", "recovery_gesture").get() == (
            None,
            stored,
        )
    else:
        resolve()
        assert Complaint.objects.values_list("resolution", "recovery_gesture").get() == (
            "Excuses",
            typed,
        )


def test_responding_or_resolving_before_the_complaint_was_received_is_refused(customer, owner):
    complaint = ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(hours=2))
    before = complaint.received_at - timedelta(minutes=1)

    with pytest.raises(services.ValidationError) as respond:
        services.complaint_respond(complaint=complaint, actor=owner, at=before)
    with pytest.raises(services.ValidationError) as resolve:
        services.complaint_resolve(
            complaint=complaint, actor=owner, resolution="Geld terug", at=before
        )
    with pytest.raises(services.ValidationError) as future:
        services.complaint_resolve(
            complaint=complaint,
            actor=owner,
            resolution="Geld terug",
            at=timezone.now() + timedelta(hours=1),
        )

    assert respond.value.error_dict["first_response_at"][0].code == "response_before_received"
    assert resolve.value.error_dict["resolved_at"][0].code == "resolved_before_received"
    assert future.value.error_dict["resolved_at"][0].code == "future"
    stored = Complaint.objects.get()
    assert (stored.first_response_at, stored.resolved_at, stored.resolution) == (None, None, "")
    assert AuditEvent.objects.count() == 0


def test_a_resolution_is_judged_and_recorded_against_the_complaint_as_stored_now(
    customer, owner, staff_user
):
    """Someone opens a complaint; a colleague answers it and corrects when it came in, then
    the first resolves it from their page. The resolution is refused by when it came in as
    stored, and its trail records what resolving changed, not the colleague's answer."""
    complaint = ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(hours=3))
    read_earlier = Complaint.objects.get(pk=complaint.pk)
    corrected = timezone.now() - timedelta(hours=2)
    services.complaint_change(
        complaint=Complaint.objects.get(pk=complaint.pk),
        actor=staff_user,
        fields={"received_at": corrected},
    )
    answered = timezone.now() - timedelta(hours=1)
    services.complaint_respond(
        complaint=Complaint.objects.get(pk=complaint.pk), actor=staff_user, at=answered
    )
    trail = list(AuditEvent.objects.values_list("pk", flat=True))

    with pytest.raises(services.ValidationError) as refused:
        services.complaint_resolve(
            complaint=read_earlier,
            actor=owner,
            resolution="Excuses",
            at=corrected - timedelta(minutes=30),
        )
    resolved = services.complaint_resolve(complaint=read_earlier, actor=owner, resolution="Excuses")

    assert refused.value.error_dict["resolved_at"][0].code == "resolved_before_received"
    stored = Complaint.objects.get()
    assert (stored.received_at, stored.first_response_at) == (corrected, answered)
    assert (resolved.received_at, resolved.first_response_at) == (corrected, answered)
    event = AuditEvent.objects.exclude(pk__in=trail).get()
    assert (event.action, event.actor, event.changes) == (
        "resolved",
        owner,
        {
            "resolved_at": [None, stored.resolved_at.isoformat()],
            "resolution": ["", "Excuses"],
        },
    )


def test_a_resolution_needs_words(customer, owner):
    complaint = ComplaintFactory(customer=customer)

    with pytest.raises(services.ValidationError) as refused:
        services.complaint_resolve(complaint=complaint, actor=owner, resolution=" ")

    assert refused.value.error_dict["resolution"][0].code == "required"
    assert Complaint.objects.get().resolved_at is None


def test_resolving_counts_as_the_first_response_and_plans_the_follow_up_after_commit(
    customer, owner, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(days=1))
    resolved_at = timezone.now() - timedelta(hours=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_resolve(
            complaint=complaint,
            actor=owner,
            resolution="Nieuw stuk vlees meegegeven",
            recovery_gesture="Fles wijn",
            satisfaction_after=4,
            at=resolved_at,
        )

    stored = Complaint.objects.get()
    assert (stored.first_response_at, stored.resolved_at, stored.satisfaction_after) == (
        resolved_at,
        resolved_at,
        4,
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.reason, follow_up.complaint, follow_up.customer) == (
        Reason.COMPLAINT,
        stored,
        customer,
    )
    assert follow_up.due_on == open_on(
        customer.business.local(resolved_at).date() + timedelta(days=7)
    )
    # The recovery gesture is logged among the gestures too (gestures/tests).
    assert [(event.object_type, event.action) for event in AuditEvent.objects.order_by("id")] == [
        ("complaint", "resolved"),
        ("followup", "planned"),
        ("gesture", "created"),
    ]


def test_the_follow_up_rule_for_complaints_can_be_switched_off(
    customer, owner, django_capture_on_commit_callbacks
):
    care_settings_update(business=customer.business, actor=owner, aftercare_complaint_days=None)
    complaint = ComplaintFactory(customer=customer, received_at=timezone.now() - timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_resolve(complaint=complaint, actor=owner, resolution="Excuses gemaakt")

    assert FollowUp.objects.count() == 0


def _amsterdam(business, *args):
    return datetime(*args, tzinfo=business.tzinfo)


def test_a_private_complaint_must_be_answered_within_four_working_hours(customer):
    business = customer.business
    # Saturday 17:00: one working hour left that day, closed on Sunday, three more on Monday.
    saturday = _amsterdam(business, 2026, 3, 7, 17, 0)
    complaint = ComplaintFactory(customer=customer, received_at=saturday)

    view = complaint_views(
        business=business, complaints=[complaint], now=saturday + timedelta(hours=1)
    )[0]

    assert view.clock.stage == Stage.RESPONSE
    assert view.clock.response_deadline == _amsterdam(business, 2026, 3, 9, 12, 0)
    # Three working days after Saturday, which had opened: Monday, Tuesday, Wednesday's closing.
    assert view.clock.resolution_deadline == _amsterdam(business, 2026, 3, 11, 18, 0)
    assert view.clock.time_left == view.clock.response_deadline - (saturday + timedelta(hours=1))
    assert view.clock.breached is False


def test_the_resolution_is_due_at_closing_time_across_the_change_to_summer_time(customer):
    business = customer.business
    # The clocks go forward on Sunday 29 March 2026. Saturday 10:00 has opened; Monday,
    # Tuesday and Wednesday are the three working days, to 18:00 on the shop's clock.
    saturday = _amsterdam(business, 2026, 3, 28, 10, 0)
    # As read from the database, in UTC.
    complaint = Complaint.objects.get(
        pk=ComplaintFactory(customer=customer, received_at=saturday).pk
    )

    clock = complaint_views(business=business, complaints=[complaint], now=saturday)[0].clock

    assert business.local(clock.resolution_deadline).replace(tzinfo=None) == datetime(
        2026, 4, 1, 18, 0
    )
    assert clock.resolution_deadline == datetime(2026, 4, 1, 16, 0, tzinfo=UTC)


def test_a_public_complaint_must_be_answered_within_one_clock_hour(customer):
    saturday_evening = _amsterdam(customer.business, 2026, 3, 7, 21, 0)
    complaint = ComplaintFactory(customer=customer, received_at=saturday_evening, public=True)

    view = complaint_views(
        business=customer.business,
        complaints=[complaint],
        now=saturday_evening + timedelta(minutes=90),
    )[0]

    assert view.clock.response_deadline == saturday_evening + timedelta(hours=1)
    assert view.clock.time_left == timedelta(minutes=-30)
    assert view.clock.breached is True


def test_targets_are_business_settings(customer, owner):
    care_settings_update(
        business=customer.business,
        actor=owner,
        complaint_public_response_hours=2,
        complaint_resolution_days=5,
    )
    # Wednesday 12:00 in Amsterdam: five working days from Thursday, past the closed Sunday, to
    # Tuesday's closing at 18:00 (16:00 UTC).
    received = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
    complaint = ComplaintFactory(customer=customer, received_at=received, public=True)

    clock = complaint_views(business=customer.business, complaints=[complaint])[0].clock

    assert clock.response_deadline == datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    assert clock.resolution_deadline == datetime(2026, 6, 16, 16, 0, tzinfo=UTC)


def test_the_queue_puts_breaches_first_then_the_least_time_left(
    customer, other_business, django_assert_max_num_queries
):
    now = timezone.now()
    # Past its three working days on any weekday: four days before a Monday morning were not.
    answered_late = ComplaintFactory(
        customer=customer,
        received_at=now - timedelta(days=8),
        first_response_at=now - timedelta(days=8),
    )
    public_breached = ComplaintFactory(
        customer=customer, received_at=now - timedelta(hours=3), public=True
    )
    answered = ComplaintFactory(
        customer=customer, received_at=now - timedelta(days=1), first_response_at=now
    )
    fresh_public = ComplaintFactory(customer=customer, received_at=now, public=True)
    ComplaintFactory(
        customer=customer,
        received_at=now - timedelta(days=1),
        first_response_at=now,
        resolved_at=now,
        resolution="Opgelost",
    )
    ComplaintFactory(customer=CustomerFactory(business=other_business))

    with django_assert_max_num_queries(2):
        queue = complaint_queue(business=customer.business, now=now)

    assert [view.complaint for view in queue.items] == [
        answered_late,
        public_breached,
        fresh_public,
        answered,
    ]
    assert [view.clock.breached for view in queue.items] == [True, True, False, False]
    assert queue.total == 4


def test_a_queue_longer_than_its_limit_shows_the_most_urgent_and_counts_them_all(
    customer, django_assert_num_queries
):
    now = timezone.now()
    oldest, older, newest = (
        ComplaintFactory(customer=customer, received_at=now - timedelta(hours=hours))
        for hours in (30, 20, 1)
    )

    with django_assert_num_queries(2):  # the rows, their count
        queue = complaint_queue(business=customer.business, now=now, limit=2)

    assert [view.complaint for view in queue.items] == [oldest, older]
    assert (queue.total, queue.hidden) == (3, 1)
    assert newest not in [view.complaint for view in queue.items]


def test_a_new_public_complaint_heads_a_queue_longer_than_its_limit(business, customer):
    """Its clock runs in one hour: the newest, it is still the most urgent."""
    now = datetime(2026, 3, 10, 11, 0, tzinfo=business.tzinfo)  # a Tuesday, open 9 to 18
    earlier, early = (
        ComplaintFactory(customer=customer, received_at=now - timedelta(minutes=minutes))
        for minutes in (60, 30)
    )  # due at 14:00 and 14:30
    public = ComplaintFactory(
        customer=customer, public=True, received_at=now - timedelta(minutes=5)
    )

    queue = complaint_queue(business=customer.business, now=now, limit=2)

    assert [view.complaint for view in queue.items] == [public, earlier]
    assert (queue.total, queue.hidden) == (3, 1)
    assert early not in [view.complaint for view in queue.items]


def test_figures_count_answers_and_resolutions_within_target(customer):
    now = timezone.now()
    ComplaintFactory(
        customer=customer,
        public=True,
        received_at=now - timedelta(days=5),
        first_response_at=now - timedelta(days=5) + timedelta(minutes=30),
        resolved_at=now - timedelta(days=4),
        resolution="Opgelost",
    )
    ComplaintFactory(
        customer=customer,
        public=True,
        received_at=now - timedelta(days=10),
        first_response_at=now - timedelta(days=10) + timedelta(hours=3),
        resolved_at=now - timedelta(days=2),
        resolution="Opgelost",
    )
    ComplaintFactory(customer=customer, public=True, received_at=now - timedelta(hours=2))

    figures = complaint_figures(business=customer.business, now=now)

    assert figures.received == 3
    assert (figures.answered_on_the_spot, figures.answered_later) == (0, 2)
    assert figures.responded_in_time_share == pytest.approx(1 / 3)
    assert figures.resolved_in_time_share == 0.5
    assert figures.median_response_hours == 1.8
    assert figures.open_breached == 1


def test_complaints_past_their_target_counts_every_open_one_the_queue_shows_late(customer):
    now = timezone.now()
    # Forgotten for four months, answered but never resolved, and one received this week.
    ComplaintFactory(customer=customer, received_at=now - timedelta(days=120))
    ComplaintFactory(
        customer=customer,
        received_at=now - timedelta(days=100),
        first_response_at=now - timedelta(days=100),
    )
    ComplaintFactory(customer=customer, received_at=now - timedelta(days=5))

    figures = complaint_figures(business=customer.business, now=now)
    queue = complaint_queue(business=customer.business, now=now)

    assert sum(1 for view in queue.items if view.clock.breached) == 3
    assert figures.open_breached == 3
    assert figures.received == 1  # the shares still cover the last 90 days only


def test_a_complaint_answered_on_the_spot_is_answered_the_moment_it_was_received(
    customer, staff_user
):
    received = timezone.now() - timedelta(hours=2)

    complaint = services.complaint_create(
        customer=customer,
        description="Gehakt was grijs",
        received_at=received,
        received_by=staff_user,
        answered_on_the_spot=True,
    )

    stored = Complaint.objects.get()
    assert stored == complaint
    assert (stored.first_response_at, stored.resolved_at) == (received, None)
    assert complaint.first_response_at == received
    # Audited as the respond action is: created, then answered by the person who logged it.
    events = AuditEvent.objects.order_by("id")
    assert [(event.action, event.actor) for event in events] == [
        ("created", staff_user),
        ("responded", staff_user),
    ]
    assert events[1].changes == {"first_response_at": [None, received.isoformat()]}


@pytest.mark.parametrize("channel", [Channel.COUNTER, Channel.PHONE, Channel.OTHER])
def test_a_complaint_made_in_person_or_by_phone_can_be_answered_on_the_spot(customer, channel):
    complaint = services.complaint_create(
        customer=customer, description="Te lang gewacht", channel=channel, answered_on_the_spot=True
    )

    assert Complaint.objects.get().first_response_at == complaint.received_at


@pytest.mark.parametrize(
    ("channel", "said"),
    [
        (Channel.EMAIL, "e-mail"),
        (Channel.MESSAGE, "bericht (WhatsApp, sms)"),
        (Channel.SOCIAL_MEDIA, "sociale media"),
        (Channel.REVIEW_SITE, "reviewsite"),
    ],
)
def test_a_written_complaint_cannot_have_been_answered_on_the_spot_and_nothing_is_stored(
    customer, channel, said
):
    with pytest.raises(services.ValidationError) as refused:
        services.complaint_create(
            customer=customer,
            description="Te lang gewacht",
            channel=channel,
            answered_on_the_spot=True,
        )

    error = refused.value.error_dict["answered_on_the_spot"][0]
    assert error.code == "not_in_person"
    assert error.messages == [
        "Alleen een klacht die persoonlijk of telefonisch binnenkwam, kan ter plekke "
        f"beantwoord zijn; deze kwam via {said}."
    ]
    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_complaint_answered_on_the_spot_is_stored_with_its_answer_or_not_at_all(
    customer, staff_user, monkeypatch
):
    def refuse_the_answer(row, *, action, **kwargs):
        if action == "responded":
            raise RuntimeError("the audit trail is unreachable")
        return audit_customer_row(row, action=action, **kwargs)

    monkeypatch.setattr(services, "audit_customer_row", refuse_the_answer)

    with pytest.raises(RuntimeError):
        services.complaint_create(
            customer=customer,
            description="Gehakt was grijs",
            received_by=staff_user,
            answered_on_the_spot=True,
        )

    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.count() == 0


@pytest.mark.parametrize(
    ("answered_on_the_spot", "stage", "waiting", "on_the_spot", "in_time", "breached"),
    [
        # Answered at the counter: only the resolution clock runs; nothing is late. It counts
        # as answered in time, and not in the median wait of those not answered at once.
        (True, Stage.RESOLUTION, [], 1, 1.0, 0),
        # Logged without saying so, it waits for an answer the customer already had.
        (False, Stage.RESPONSE, ["Gehakt was grijs"], 0, 0.0, 1),
    ],
)
def test_the_clocks_the_queue_and_the_figures_count_an_answer_on_the_spot(
    customer, answered_on_the_spot, stage, waiting, on_the_spot, in_time, breached
):
    business = customer.business
    # Tuesday 10:00; looked at on Wednesday 17:00, past the four working hours to answer.
    received = _amsterdam(business, 2026, 3, 10, 10, 0)
    now = _amsterdam(business, 2026, 3, 11, 17, 0)
    services.complaint_create(
        customer=customer,
        description="Gehakt was grijs",
        received_at=received,
        answered_on_the_spot=answered_on_the_spot,
        now=received,
    )

    queue = complaint_queue(business=business, now=now)
    figures = complaint_figures(business=business, now=now)

    (view,) = queue.items
    assert view.clock.stage == stage
    # Wednesday, Thursday and Friday: to Friday's closing.
    assert view.clock.resolution_deadline == _amsterdam(business, 2026, 3, 13, 18, 0)
    assert [
        v.complaint.description for v in queue.items if v.clock.stage == Stage.RESPONSE
    ] == waiting
    assert (
        figures.received,
        figures.answered_on_the_spot,
        figures.answered_later,
        figures.responded_in_time_share,
        figures.median_response_hours,
        figures.open_breached,
    ) == (1, on_the_spot, 0, in_time, None, breached)
