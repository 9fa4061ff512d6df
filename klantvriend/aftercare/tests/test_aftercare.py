from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.aftercare import services
from klantvriend.aftercare.models import FollowUp, Outcome, Reason
from klantvriend.aftercare.selectors import (
    follow_up_coverage,
    follow_up_coverage_events,
    follow_ups_due,
)
from klantvriend.complaints.models import Channel, Complaint, Driver, Severity
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.care_settings import care_settings_update, closed_period_add
from klantvriend.core.models import AuditEvent
from klantvriend.core.tests.days import open_on
from klantvriend.core.working_hours import same_hours
from klantvriend.customers.services import purchase_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise, PromiseKind
from klantvriend.promises.services import promise_mark_kept
from klantvriend.promises.tests.factories import PromiseFactory

from .factories import FollowUpFactory


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Carla Peters")


def test_a_follow_up_by_hand_is_planned_and_audited(customer, owner, staff_user):
    day = customer.business.today() + timedelta(days=2)

    follow_up = services.follow_up_create(
        business=customer.business,
        customer=customer,
        note="Bellen of het feest geslaagd was",
        due_on=day,
        assigned_to=staff_user,
        created_by=owner,
    )

    assert (follow_up.reason, follow_up.due_on, follow_up.assigned_to) == (
        Reason.MANUAL,
        day,
        staff_user,
    )
    assert AuditEvent.objects.get().action == "created"


def test_a_follow_up_for_another_business_customer_is_refused(business, other_business, owner):
    stranger = CustomerFactory(business=other_business)

    with translation.override("en"), pytest.raises(services.ValidationError) as refused:
        services.follow_up_create(
            business=business,
            customer=stranger,
            note="Even bellen",
            due_on=business.today(),
            created_by=owner,
        )

    assert refused.value.error_dict["customer"][0].code == "not_found"
    assert str(refused.value.error_dict["customer"][0].message) == "This customer does not exist."
    assert FollowUp.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_follow_up_by_hand_in_the_past_or_for_an_outsider_is_refused(
    customer, owner, other_owner
):
    with pytest.raises(services.ValidationError) as past:
        services.follow_up_create(
            business=customer.business,
            customer=customer,
            note="Even bellen",
            due_on=customer.business.today() - timedelta(days=1),
        )
    with pytest.raises(services.ValidationError) as outsider:
        services.follow_up_create(
            business=customer.business,
            customer=customer,
            note="Even bellen",
            due_on=customer.business.today(),
            assigned_to=other_owner,
        )

    assert past.value.error_dict["due_on"][0].code == "past"
    assert outsider.value.error_dict["assigned_to"][0].code == "not_member"
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "days"),
    [(PromiseKind.DELIVERY, 3), (PromiseKind.REPAIR, 7), (PromiseKind.CALLBACK, None)],
)
def test_keeping_a_delivery_or_repair_plans_a_follow_up_after_commit(
    customer, staff_user, django_capture_on_commit_callbacks, kind, days
):
    promise = PromiseFactory(customer=customer, kind=kind, made_by=staff_user)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        promise_mark_kept(promise=promise, actor=staff_user)

    assert len(callbacks) == 1
    if days is None:
        assert FollowUp.objects.count() == 0
        return
    follow_up = FollowUp.objects.get()
    assert (follow_up.promise, follow_up.assigned_to, follow_up.due_on) == (
        promise,
        staff_user,
        open_on(customer.business.today() + timedelta(days=days)),
    )
    assert follow_up.note == f"Is alles naar wens na: {promise.description.rstrip('.!? ')}?"


@pytest.mark.parametrize(
    ("kind", "length", "ending"),
    [
        (PromiseKind.DELIVERY, 297, "Nieuwe kozijnen, geleverd en geplaatst…?"),
        (PromiseKind.QUOTE, 295, "geleverd en geplaatst Nieuwe kozijnen…?"),
    ],
)
def test_a_promise_described_at_length_is_asked_about_in_a_whole_question(
    customer, staff_user, django_capture_on_commit_callbacks, kind, length, ending
):
    """A promise of 300 characters made the question 331 long, refused by the follow-up's
    note: no follow-up was planned."""
    description = ("Nieuwe kozijnen, geleverd en geplaatst " * 8)[:300]
    promise = PromiseFactory(customer=customer, kind=kind, description=description)

    with django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=promise, actor=staff_user)

    note = FollowUp.objects.get(promise=promise).note
    # Cut after the last whole word that fits the 300 of a note.
    assert (len(note), note[-len(ending) :]) == (length, ending)
    assert "Nieuwe kozijnen, geleverd en geplaatst Nieuwe kozijnen" in note


def test_a_quote_sent_asks_three_days_later_whether_the_customer_decided(
    customer, staff_user, django_capture_on_commit_callbacks
):
    promise = PromiseFactory(
        customer=customer,
        kind=PromiseKind.QUOTE,
        made_by=staff_user,
        description="Offerte distributieriem Golf.",
    )

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=promise, actor=staff_user)

    follow_up = FollowUp.objects.get()
    assert (follow_up.reason, follow_up.promise, follow_up.assigned_to, follow_up.due_on) == (
        Reason.QUOTE,
        promise,
        staff_user,
        open_on(customer.business.today() + timedelta(days=3)),
    )
    assert (
        follow_up.note
        == "Heeft de klant al besloten over de offerte: Offerte distributieriem Golf?"
    )
    assert follow_up.closing_outcomes == (Outcome.ACCEPTED, Outcome.DECLINED)


def test_the_quote_rule_is_an_owner_setting(
    customer, owner, staff_user, django_capture_on_commit_callbacks
):
    care_settings_update(business=customer.business, actor=owner, aftercare_quote_days=10)
    later = PromiseFactory(customer=customer, kind=PromiseKind.QUOTE)
    with django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=later, actor=staff_user)
    care_settings_update(business=customer.business, actor=owner, aftercare_quote_days=None)
    never = PromiseFactory(customer=customer, kind=PromiseKind.QUOTE)
    with django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=never, actor=staff_user)

    assert list(FollowUp.objects.values_list("promise", "due_on")) == [
        (later.pk, open_on(customer.business.today() + timedelta(days=10)))
    ]


def test_a_follow_up_planned_through_the_english_api_is_in_the_shops_language(
    customer, staff_user, django_capture_on_commit_callbacks
):
    promise = PromiseFactory(customer=customer, kind=PromiseKind.REPAIR, description="Fiets.")

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=promise, actor=staff_user)

    assert FollowUp.objects.get().note == "Is alles naar wens na: Fiets?"


def test_without_commit_no_follow_up_is_planned(customer, staff_user):
    promise = PromiseFactory(customer=customer, kind=PromiseKind.DELIVERY)

    promise_mark_kept(promise=promise, actor=staff_user)  # the test transaction never commits

    assert FollowUp.objects.count() == 0


def test_a_rule_that_fires_twice_plans_once(customer):
    promise = PromiseFactory(
        customer=customer, kind=PromiseKind.DELIVERY, done_at=timezone.now() - timedelta(hours=1)
    )

    first = services.follow_up_plan_for_promise(promise=promise)
    second = services.follow_up_plan_for_promise(promise=promise)

    assert first is not None
    assert second is None
    assert FollowUp.objects.count() == 1


def test_a_large_purchase_plans_a_follow_up_and_a_small_one_does_not(
    customer, django_capture_on_commit_callbacks
):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=customer, amount_cents=24999, description="Gourmetschotel")
        large = purchase_create(customer=customer, amount_cents=25000, description="Buffet 30 p.")

    follow_up = FollowUp.objects.get()
    assert (follow_up.purchase, follow_up.reason) == (large, Reason.PURCHASE)
    assert follow_up.due_on == open_on(customer.business.local(large.at).date() + timedelta(days=3))
    # Planned by an English-speaking user, read by the whole shop: in the shop's language.
    assert follow_up.note == "Was alles naar wens: Buffet 30 p.?"


def test_the_purchase_amount_is_an_owner_setting(
    customer, owner, django_capture_on_commit_callbacks
):
    care_settings_update(business=customer.business, actor=owner, aftercare_purchase_min_cents=None)

    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=customer, amount_cents=900000)

    assert FollowUp.objects.count() == 0


def test_content_closes_the_follow_up(customer, staff_user):
    follow_up = FollowUpFactory(customer=customer)

    services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome=Outcome.CONTENT, note="Heel tevreden"
    )

    stored = FollowUp.objects.get()
    assert (stored.outcome, stored.outcome_note, stored.raised_complaint) == (
        "content",
        "Heel tevreden",
        None,
    )
    assert stored.done_at is not None
    assert AuditEvent.objects.get().action == "completed"


def test_not_content_opens_a_complaint_in_one_step(customer, staff_user):
    follow_up = FollowUpFactory(customer=customer, note="Smaakte het buffet?")

    services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome=Outcome.NOT_CONTENT, note="Te zout"
    )

    complaint = Complaint.objects.get()
    stored = FollowUp.objects.get()
    assert stored.raised_complaint == complaint
    assert (complaint.customer, complaint.description, complaint.received_by) == (
        customer,
        "Te zout",
        staff_user,
    )
    assert stored.outcome == "not_content"


def test_not_content_without_words_opens_a_complaint_in_the_shops_language(customer, staff_user):
    follow_up = FollowUpFactory(customer=customer, note="Smaakte het buffet?")

    with translation.override("en"):
        services.follow_up_complete(
            follow_up=follow_up, actor=staff_user, outcome=Outcome.NOT_CONTENT, note=" "
        )

    assert Complaint.objects.get().description == (
        "Niet tevreden bij de nazorg: Smaakte het buffet?"
    )


@pytest.mark.parametrize(
    ("language", "description"),
    [
        ("nl", "Nog steeds niet tevreden na de klacht: Buffet kwam koud en een uur te laat"),
        ("en", "Still not content after the complaint: Buffet kwam koud en een uur te laat"),
    ],
)
def test_not_content_after_a_complaint_brings_that_complaint_back_with_its_driver_and_severity(
    customer, staff_user, language, description
):
    # A reliability complaint of high severity, resolved, and its check: "not content".
    business = customer.business
    business.language = language
    business.save(update_fields=["language"])
    now = timezone.now()
    earlier = ComplaintFactory(
        customer=customer,
        description="Buffet kwam koud en een uur te laat.",
        channel=Channel.REVIEW_SITE,
        public=True,
        severity=Severity.HIGH,
        driver=Driver.RELIABILITY,
        received_at=now - timedelta(days=8),
        first_response_at=now - timedelta(days=8),
        resolved_at=now - timedelta(days=7),
        resolution="Excuses en een gratis dessert.",
    )
    check = services.follow_up_plan_for_complaint(complaint=earlier)

    with translation.override("nl" if language == "en" else "en"):
        services.follow_up_complete(follow_up=check, actor=staff_user, outcome="not_content")

    raised = Complaint.objects.exclude(pk=earlier.pk).get()
    assert FollowUp.objects.get(pk=check.pk).raised_complaint == raised
    # Heard on the follow-up's call, not where others can read it.
    assert (
        raised.description,
        raised.severity,
        raised.driver,
        raised.channel,
        raised.public,
    ) == (description, Severity.HIGH, Driver.RELIABILITY, Channel.PHONE, False)


def test_not_content_after_a_complaint_keeps_the_words_the_customer_said(customer, staff_user):
    now = timezone.now()
    earlier = ComplaintFactory(
        customer=customer,
        severity=Severity.LOW,
        driver=Driver.CUSTOMISATION,
        received_at=now - timedelta(days=3),
        first_response_at=now - timedelta(days=3),
        resolved_at=now - timedelta(days=2),
        resolution="Nieuwe worst meegegeven.",
    )
    check = FollowUpFactory(customer=customer, reason=Reason.COMPLAINT, complaint=earlier)

    services.follow_up_complete(
        follow_up=check, actor=staff_user, outcome="not_content", note="Nog steeds te zout"
    )

    raised = Complaint.objects.exclude(pk=earlier.pk).get()
    assert (raised.description, raised.severity, raised.driver) == (
        "Nog steeds te zout",
        Severity.LOW,
        Driver.CUSTOMISATION,
    )


def _complaint_resolved_now(customer, *, received_at):
    return ComplaintFactory(
        customer=customer,
        description="Catering kwam te laat en koud.",
        received_at=received_at,
        first_response_at=received_at,
        resolved_at=timezone.now(),
        resolution="Excuses gemaakt.",
    )


def test_the_check_planned_by_hand_while_a_complaint_was_open_becomes_its_aftercare(
    customer, staff_user
):
    # On the phone staff planned the check themselves; resolving planned a second one for the
    # same customer: called twice, and the one planned by hand counted in no figure.
    received = timezone.now() - timedelta(hours=2)
    complaint = ComplaintFactory(customer=customer, received_at=received)
    day = customer.business.today() + timedelta(days=7)
    by_hand = services.follow_up_create(
        business=customer.business,
        customer=customer,
        note="Weer tevreden na de late catering?",
        due_on=day,
        assigned_to=staff_user,
        created_by=staff_user,
    )
    complaint.first_response_at = received
    complaint.resolved_at = timezone.now()
    complaint.resolution = "Excuses gemaakt."
    complaint.save()

    planned = services.follow_up_plan_for_complaint(complaint=complaint)

    assert planned.pk == by_hand.pk
    assert list(
        FollowUp.objects.values_list("reason", "complaint", "note", "due_on", "assigned_to")
    ) == [
        (Reason.COMPLAINT, complaint.pk, "Weer tevreden na de late catering?", day, staff_user.pk)
    ]
    trail = AuditEvent.objects.filter(object_type="followup").order_by("id")
    assert list(trail.values_list("action", flat=True)) == ["created", "changed"]
    assert trail.last().changes == {"reason": ["manual", "complaint"]}
    # Planning again (a retried hook) changes nothing.
    assert services.follow_up_plan_for_complaint(complaint=complaint) is None
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("which", ["before_the_complaint", "done", "about_a_promise"])
def test_a_follow_up_not_planned_for_the_open_complaint_is_left_alone(customer, which):
    received = timezone.now() - timedelta(hours=2)
    other = FollowUpFactory(
        customer=customer,
        note="Smaakte de rollade?",
        created_at=received - timedelta(minutes=1) if which == "before_the_complaint" else received,
        done_at=timezone.now() if which == "done" else None,
        outcome=Outcome.CONTENT if which == "done" else "",
        promise=PromiseFactory(customer=customer) if which == "about_a_promise" else None,
    )
    complaint = _complaint_resolved_now(customer, received_at=received)

    planned = services.follow_up_plan_for_complaint(complaint=complaint)

    assert planned.pk != other.pk
    assert (planned.reason, planned.complaint) == (Reason.COMPLAINT, complaint)
    stored = FollowUp.objects.get(pk=other.pk)
    assert (stored.reason, stored.complaint, stored.note) == (
        Reason.MANUAL,
        None,
        "Smaakte de rollade?",
    )


def test_not_reached_plans_it_again(customer, staff_user):
    follow_up = FollowUpFactory(customer=customer)

    services.follow_up_complete(follow_up=follow_up, actor=staff_user, outcome="not_reached")

    stored = FollowUp.objects.get()
    assert (stored.done_at, stored.outcome, stored.attempts) == (None, "", 1)
    assert stored.due_on == open_on(customer.business.today() + timedelta(days=2))
    assert AuditEvent.objects.get().action == "replanned"


@pytest.mark.parametrize("outcome", [Outcome.ACCEPTED, Outcome.DECLINED])
def test_a_quotes_follow_up_is_closed_by_the_decision_without_a_complaint(
    customer, staff_user, outcome
):
    follow_up = FollowUpFactory(customer=customer, reason=Reason.QUOTE)

    services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome=outcome, note="Wil eerst de APK"
    )

    stored = FollowUp.objects.get()
    assert (stored.outcome, stored.outcome_note, stored.attempts, stored.raised_complaint) == (
        outcome,
        "Wil eerst de APK",
        0,
        None,
    )
    assert stored.done_at is not None
    assert Complaint.objects.count() == 0
    assert AuditEvent.objects.get().action == "completed"


def test_still_deciding_asks_again_later_without_counting_a_try(customer, staff_user):
    follow_up = FollowUpFactory(customer=customer, reason=Reason.QUOTE)

    services.follow_up_complete(
        follow_up=follow_up,
        actor=staff_user,
        outcome="still_deciding",
        note="Belt na overleg met zijn vrouw",
    )

    stored = FollowUp.objects.get()
    assert (stored.done_at, stored.outcome, stored.attempts, stored.outcome_note) == (
        None,
        "",
        0,
        "Belt na overleg met zijn vrouw",
    )
    assert stored.due_on == open_on(customer.business.today() + timedelta(days=2))
    assert AuditEvent.objects.get().action == "replanned"


@pytest.mark.parametrize(
    ("reason", "outcome", "message"),
    [
        (
            Reason.QUOTE,
            "content",
            "Choose accepted, declined, still deciding, not reached or not needed.",
        ),
        (
            Reason.QUOTE,
            "not_content",
            "Choose accepted, declined, still deciding, not reached or not needed.",
        ),
        (Reason.DELIVERY, "accepted", "Choose content, not content, not reached or not needed."),
        (Reason.MANUAL, "declined", "Choose content, not content, not reached or not needed."),
        (
            Reason.MANUAL,
            "still_deciding",
            "Choose content, not content, not reached or not needed.",
        ),
    ],
)
def test_a_step_that_does_not_fit_the_follow_up_is_refused_and_changes_nothing(
    customer, staff_user, reason, outcome, message
):
    follow_up = FollowUpFactory(customer=customer, reason=reason)
    before = snapshot()

    with translation.override("en"), pytest.raises(services.ValidationError) as refused:
        services.follow_up_complete(follow_up=follow_up, actor=staff_user, outcome=outcome)

    error = refused.value.error_dict["outcome"][0]
    assert (error.code, str(error.message)) == ("invalid_choice", message)
    assert snapshot() == before


def test_follow_ups_after_quotes_are_not_judged_by_the_aftercare_figure(customer):
    now = timezone.now()
    quote = PromiseFactory(
        customer=customer,
        kind=PromiseKind.QUOTE,
        made_at=now - timedelta(days=21),
        due_at=now - timedelta(days=20),
        done_at=now - timedelta(days=20),
    )
    FollowUpFactory(
        customer=customer,
        promise=quote,
        reason=Reason.QUOTE,
        due_on=quote.done_on + timedelta(days=3),
    )

    coverage = follow_up_coverage(business=customer.business)

    assert (coverage.judged, coverage.covered) == (0, 0)


def test_a_finished_follow_up_or_a_future_moment_is_refused(customer, staff_user):
    done = FollowUpFactory(customer=customer, done_at=timezone.now(), outcome=Outcome.CONTENT)
    open_one = FollowUpFactory(customer=customer)

    with pytest.raises(services.ValidationError) as finished:
        services.follow_up_complete(follow_up=done, actor=staff_user, outcome="not_content")
    with pytest.raises(services.ValidationError) as future:
        services.follow_up_complete(
            follow_up=open_one,
            actor=staff_user,
            outcome="content",
            at=timezone.now() + timedelta(hours=1),
        )
    with pytest.raises(services.ValidationError) as bad:
        services.follow_up_complete(follow_up=open_one, actor=staff_user, outcome="happy")

    assert finished.value.error_dict["outcome"][0].code == "finished"
    assert future.value.error_dict["done_at"][0].code == "future"
    assert bad.value.error_dict["outcome"][0].code == "invalid_choice"
    assert Complaint.objects.count() == 0
    assert FollowUp.objects.get(pk=open_one.pk).done_at is None


def test_due_follow_ups_are_those_of_the_last_two_weeks_oldest_first(
    customer, other_business, django_assert_max_num_queries
):
    today = customer.business.today()
    older = FollowUpFactory(customer=customer, due_on=today - timedelta(days=3))
    current = FollowUpFactory(customer=customer, due_on=today)
    FollowUpFactory(customer=customer, due_on=today + timedelta(days=1))
    FollowUpFactory(customer=customer, due_on=today - timedelta(days=15))  # missed long ago
    FollowUpFactory(customer=customer, due_on=today, done_at=timezone.now(), outcome="content")
    FollowUpFactory(customer=CustomerFactory(business=other_business), due_on=today)

    with django_assert_max_num_queries(1):
        due = follow_ups_due(business=customer.business)

    assert (due.items, due.total) == ([older, current], 2)


def test_coverage_is_the_share_of_deliveries_and_complaints_followed_up_in_time(customer):
    business = customer.business
    now = timezone.now()
    today = business.today()

    def delivery(days_ago):
        done = now - timedelta(days=days_ago)
        return PromiseFactory(
            customer=customer,
            kind=PromiseKind.DELIVERY,
            made_at=done - timedelta(days=1),
            due_at=done,
            done_at=done,
        )

    covered = delivery(20)
    FollowUpFactory(
        customer=customer,
        promise=covered,
        due_on=covered.done_on + timedelta(days=3),
        done_at=now - timedelta(days=16),
        outcome="content",
    )
    late = delivery(30)
    FollowUpFactory(
        customer=customer,
        promise=late,
        due_on=late.done_on + timedelta(days=3),
        done_at=now - timedelta(days=10),
        outcome="content",
    )
    delivery(40)  # never followed up
    delivery(1)  # its follow-up day has not come yet: not judged
    resolved = ComplaintFactory(
        customer=customer,
        received_at=now - timedelta(days=30),
        first_response_at=now - timedelta(days=30),
        resolved_at=now - timedelta(days=29),
        resolution="Opgelost",
    )
    FollowUpFactory(
        customer=customer,
        complaint=resolved,
        due_on=today - timedelta(days=22),
        done_at=now - timedelta(days=21),
        outcome="content",
    )

    coverage = follow_up_coverage(business=business)

    assert (coverage.judged, coverage.covered) == (4, 2)
    assert coverage.share == 0.5


def test_coverage_events_come_latest_day_first_in_an_order_that_pages_stably(
    customer, django_assert_num_queries
):
    # The figure's rows are paged through: events of the same follow-up day must keep their
    # places between requests (the complaint first, then the newest record).
    business = customer.business
    other = CustomerFactory(business=business)
    now = timezone.now()
    today = business.today()
    day = now - timedelta(days=20)

    def delivery(who, done):
        return PromiseFactory(
            customer=who,
            kind=PromiseKind.DELIVERY,
            made_at=done - timedelta(days=1),
            due_at=done,
            done_at=done,
        )

    first, second = delivery(customer, day), delivery(other, day)
    earlier = delivery(customer, now - timedelta(days=30))
    complaint = ComplaintFactory(
        customer=other,
        received_at=day - timedelta(days=1),
        first_response_at=day - timedelta(days=1),
        resolved_at=day,
        resolution="Opgelost",
    )
    for record in (first, second, earlier):
        FollowUpFactory(customer=record.customer, promise=record, due_on=record.done_on)
    FollowUpFactory(customer=other, complaint=complaint, due_on=first.done_on)

    with django_assert_num_queries(2):
        events = follow_up_coverage_events(business=business, today=today)

    assert [(event.customer_id, event.reason, event.due_on) for event in events] == [
        (other.pk, Reason.COMPLAINT, first.done_on),
        (other.pk, Reason.DELIVERY, first.done_on),
        (customer.pk, Reason.DELIVERY, first.done_on),
        (customer.pk, Reason.DELIVERY, earlier.done_on),
    ]


def test_coverage_judges_the_events_of_90_days_today_included(customer):
    business = customer.business
    today = date(2026, 6, 10)

    def delivery(days_ago):
        done = datetime.combine(today - timedelta(days=days_ago), time(12), business.tzinfo)
        return PromiseFactory(
            customer=customer,
            kind=PromiseKind.DELIVERY,
            made_at=done - timedelta(days=1),
            due_at=done,
            done_at=done,
        )

    # Kept on the 90th day back (today being the first) and on the 91st; neither followed up.
    delivery(89)
    delivery(90)

    coverage = follow_up_coverage(business=business, today=today)

    assert (coverage.judged, coverage.covered) == (1, 0)


@pytest.mark.parametrize(
    ("done_at_utc", "covered"),
    [
        (datetime(2026, 10, 25, 22, 59, 59, 999999, tzinfo=UTC), True),  # 23:59:59 CET
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), False),  # midnight, 26 October
    ],
)
def test_a_follow_up_is_in_time_up_to_the_end_of_the_local_day_two_days_after_it_was_due(
    customer, done_at_utc, covered
):
    # Given a delivery whose follow-up was due on Friday 23 October 2026 in Amsterdam, done at
    # the end of Sunday 25 October, the night summer time ended (that day lasts 25 hours)
    business = customer.business
    business.time_zone = "Europe/Amsterdam"
    business.save(update_fields=["time_zone"])
    kept = datetime(2026, 10, 20, 12, 0, tzinfo=business.tzinfo)
    delivery = PromiseFactory(
        customer=customer,
        kind=PromiseKind.DELIVERY,
        made_at=kept - timedelta(days=1),
        due_at=kept,
        done_at=kept,
    )
    FollowUpFactory(
        customer=customer,
        reason=Reason.DELIVERY,
        promise=delivery,
        due_on=date(2026, 10, 23),
        done_at=done_at_utc,
        outcome=Outcome.CONTENT,
    )

    # When the coverage is read in November
    coverage = follow_up_coverage(business=business, today=date(2026, 11, 10))
    [event] = follow_up_coverage_events(business=business, today=date(2026, 11, 10))

    # Then it counts as in time up to the last moment of the 25th, local time
    assert (coverage.judged, coverage.covered, event.covered) == (1, int(covered), covered)


def test_a_follow_up_a_rule_would_plan_on_a_closed_day_is_planned_on_the_next_working_day(
    customer, owner, staff_user
):
    # Kept on the coming Thursday (a call's day gone by is planned no more); three days later
    # is Sunday, when the shop is closed.
    today = customer.business.today()
    thursday_day = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    thursday = datetime.combine(thursday_day, time(12), tzinfo=customer.business.tzinfo)
    made = thursday - timedelta(days=2)
    delivery = PromiseFactory(
        customer=customer, kind=PromiseKind.DELIVERY, made_at=made, done_at=thursday
    )

    planned = services.follow_up_plan_for_promise(promise=delivery)
    # A call planned on Thursday, not reached on Friday: planned again two days later, Sunday.
    call = FollowUpFactory(customer=customer, created_at=thursday)
    friday = thursday + timedelta(days=1)
    services.follow_up_complete(
        follow_up=call, actor=staff_user, outcome=services.NOT_REACHED, at=friday, now=friday
    )

    monday = thursday_day + timedelta(days=4)
    assert planned.due_on == monday
    assert FollowUp.objects.get(pk=call.pk).due_on == monday
    # A shop open on Sundays keeps the day.
    care_settings_update(
        business=customer.business,
        actor=owner,
        opening_hours=same_hours(range(7), time(9), time(18)),
    )
    sunday_shop = PromiseFactory(
        customer=customer, kind=PromiseKind.DELIVERY, made_at=made, done_at=thursday
    )
    assert services.follow_up_plan_for_promise(
        promise=sunday_shop
    ).due_on == thursday_day + timedelta(days=3)


def test_a_follow_up_a_rule_would_plan_on_a_closed_holiday_is_planned_after_it(customer, owner):
    # Kept on the coming Tuesday (a call's day gone by is planned no more: the test read
    # Christmas 2026 and failed after it); three days later is Friday, closed for the holidays,
    # as is the Saturday; Sunday is closed every week: the Monday after.
    today = customer.business.today()
    tuesday_day = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    closed_period_add(
        business=customer.business,
        actor=owner,
        first=tuesday_day + timedelta(days=3),
        last=tuesday_day + timedelta(days=4),
        reason="Kerst",
    )
    tuesday = datetime.combine(tuesday_day, time(12), tzinfo=customer.business.tzinfo)
    delivery = PromiseFactory(
        customer=customer,
        kind=PromiseKind.DELIVERY,
        made_at=tuesday - timedelta(days=2),
        done_at=tuesday,
    )

    assert services.follow_up_plan_for_promise(promise=delivery).due_on == tuesday_day + timedelta(
        days=6
    )


# Each rule writes in the language of the business, whoever's action (or Accept-Language) set it
# off: an English shop on a Dutch server reads English, a Dutch shop with an English user Dutch.
@pytest.mark.parametrize(
    ("language", "reader", "promised", "complained", "bought", "not_content"),
    [
        (
            "en",
            "nl",
            "Is everything all right after: Beef wellington?",
            "Is the customer content again after the complaint “Cold soup”?",
            "Was everything to their liking: Buffet 30 p.?",
            "Not content at the follow-up: Did they like the buffet?",
        ),
        (
            "nl",
            "en",
            "Is alles naar wens na: Beef wellington?",
            "Is de klant weer tevreden na de klacht “Cold soup”?",
            "Was alles naar wens: Buffet 30 p.?",
            "Niet tevreden bij de nazorg: Did they like the buffet?",
        ),
    ],
)
def test_every_planned_follow_up_is_written_in_the_language_of_the_business(
    customer, staff_user, language, reader, promised, complained, bought, not_content
):
    business = customer.business
    business.language = language
    business.save(update_fields=["language"])
    promise = PromiseFactory(
        customer=customer, kind=PromiseKind.DELIVERY, description="Beef wellington."
    )
    now = timezone.now()
    complaint = ComplaintFactory(
        customer=customer,
        description="Cold soup!",
        received_at=now - timedelta(days=1),
        first_response_at=now - timedelta(days=1),
        resolved_at=now,
    )
    done = FollowUpFactory(customer=customer, note="Did they like the buffet?")

    with translation.override(reader):
        promise_mark_kept(promise=promise, actor=staff_user)
        services.follow_up_plan_for_promise(promise=Promise.objects.get(pk=promise.pk))
        services.follow_up_plan_for_complaint(complaint=complaint)
        # Not of the delivery's job (aftercare.services.SAME_JOB): a call of its own.
        purchase = purchase_create(
            customer=customer,
            amount_cents=25000,
            description="Buffet 30 p.",
            at=now - timedelta(days=3),
        )
        services.follow_up_plan_for_purchase(purchase=purchase)
        services.follow_up_complete(
            follow_up=done, actor=staff_user, outcome=Outcome.NOT_CONTENT, note=""
        )

    notes = dict(FollowUp.objects.exclude(pk=done.pk).values_list("reason", "note"))
    assert notes == {
        Reason.DELIVERY: promised,
        Reason.COMPLAINT: complained,
        Reason.PURCHASE: bought,
    }
    assert Complaint.objects.exclude(pk=complaint.pk).get().description == not_content


def test_a_try_recorded_from_an_older_page_is_audited_with_what_it_changed(customer, staff_user):
    # The second "not reached" is sent with the follow-up as read before the first: the trail
    # said [0, 2] tries, as if this step had made two.
    follow_up = FollowUpFactory(customer=customer)
    services.follow_up_complete(follow_up=follow_up, actor=staff_user, outcome="not_reached")
    services.follow_up_complete(follow_up=follow_up, actor=staff_user, outcome="not_reached")

    second = AuditEvent.objects.filter(action="replanned").latest("at", "id")
    assert second.changes["attempts"] == [1, 2]


def test_the_coverage_and_its_rows_judge_every_kind_of_event_alike(customer):
    """The figure (follow_up_coverage) and its rows (follow_up_coverage_events) judge every
    kind of event alike: a delivery or repair by the day its follow-up was planned for, or by
    the rule's days after it was kept; a complaint by the local day it was resolved; in time up
    to the end of the local day two days after it was due, across a change of summer time; a
    callback and what ended before the 90 days not at all."""
    business = customer.business
    business.time_zone = "Europe/Amsterdam"
    business.save(update_fields=["time_zone"])
    today = date(2026, 11, 10)
    zone = business.tzinfo

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), zone)

    def kept(kind, day: date, *, due_on=None, done_at=None):
        moment = at(day, 12)
        promise = PromiseFactory(
            customer=customer,
            kind=kind,
            made_at=moment - timedelta(days=1),
            due_at=moment,
            done_at=moment,
        )
        if due_on is not None:
            FollowUpFactory(
                customer=customer,
                promise=promise,
                due_on=due_on,
                done_at=done_at,
                outcome=Outcome.CONTENT if done_at else "",
            )
        return promise

    def resolved(moment: datetime, *, due_on=None, done_at=None):
        complaint = ComplaintFactory(
            customer=customer,
            received_at=moment - timedelta(hours=2),
            first_response_at=moment - timedelta(hours=1),
            resolved_at=moment,
            resolution="Opgelost",
        )
        if due_on is not None:
            FollowUpFactory(
                customer=customer,
                complaint=complaint,
                due_on=due_on,
                done_at=done_at,
                outcome=Outcome.CONTENT if done_at else "",
            )

    october = date(2026, 10, 20)
    kept(
        PromiseKind.DELIVERY,
        october,
        due_on=date(2026, 10, 23),
        done_at=datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC),
    )  # 23:59:59 CET: in time
    kept(
        PromiseKind.DELIVERY,
        october,
        due_on=date(2026, 10, 23),
        done_at=datetime(2026, 10, 25, 23, 0, tzinfo=UTC),
    )  # midnight: late
    kept(PromiseKind.REPAIR, october, due_on=date(2026, 10, 30), done_at=at(date(2026, 10, 29), 9))
    kept(PromiseKind.REPAIR, date(2026, 10, 25))  # never planned: due by the rule, not done
    kept(PromiseKind.DELIVERY, date(2026, 11, 9))  # due by the rule after today: not judged
    kept(PromiseKind.DELIVERY, date(2026, 11, 3), due_on=date(2026, 11, 9))  # not judged yet
    kept(PromiseKind.CALLBACK, date(2026, 10, 1))  # no aftercare for a callback
    kept(PromiseKind.DELIVERY, date(2026, 8, 1))  # before the 90 days
    # Resolved late in the evening: its local day is the next day in UTC's reckoning
    resolved(datetime(2026, 10, 4, 22, 30, tzinfo=UTC))
    resolved(
        at(date(2026, 10, 12), 15),
        due_on=date(2026, 10, 15),
        done_at=at(date(2026, 10, 17), 23, 59),
    )
    resolved(
        at(date(2026, 10, 12), 15), due_on=date(2026, 10, 15), done_at=at(date(2026, 10, 18), 0, 1)
    )

    coverage = follow_up_coverage(business=business, today=today)
    events = follow_up_coverage_events(business=business, today=today)

    assert (coverage.judged, coverage.covered) == (len(events), sum(e.covered for e in events))
    assert (coverage.judged, coverage.covered) == (7, 3)


def test_a_long_complaint_is_quoted_up_to_a_whole_word_in_its_follow_up(customer):
    """A complaint of 231 characters was quoted to its 200th, "… De bruidstaart was?", which
    reads as all the customer said."""
    description = "De bruidstaart was te laat en " * 7 + "de kleur klopte niet!"
    complaint = ComplaintFactory(
        customer=customer,
        description=description,
        received_at=timezone.now() - timedelta(days=1),
        first_response_at=timezone.now() - timedelta(days=1),
        resolved_at=timezone.now(),
    )

    follow_up = services.follow_up_plan_for_complaint(complaint=complaint)

    assert follow_up.note == (
        "Is de klant weer tevreden na de klacht “"
        + "De bruidstaart was te laat en " * 3
        + "De bruidstaart was te laat en…”?"
    )
    assert follow_up.quotes_its_complaint


def test_a_complaint_told_at_length_is_asked_about_by_its_first_sentence(customer):
    """A garage's complaint and what followed, pasted whole into the question, read as one
    breathless question: "… na de klacht: Kras op de linker voordeur. Klant ontdekte het thuis
    en belde boos?"."""
    complaint = ComplaintFactory(
        customer=customer,
        description="Kras op de linker voordeur na de reparatie.\nKlant ontdekte het thuis en "
        "belde boos. Wil dat we het spuiten.",
        received_at=timezone.now() - timedelta(days=1),
        first_response_at=timezone.now() - timedelta(days=1),
        resolved_at=timezone.now(),
    )

    follow_up = services.follow_up_plan_for_complaint(complaint=complaint)

    assert follow_up.note == (
        "Is de klant weer tevreden na de klacht “Kras op de linker voordeur na de reparatie”?"
    )
    assert follow_up.quotes_its_complaint


@pytest.mark.parametrize("reason", [Reason.DELIVERY, Reason.QUOTE, Reason.REFERRAL])
def test_a_follow_up_not_needed_is_closed_without_a_complaint_or_a_new_try(
    customer, staff_user, reason
):
    """Funeral flowers delivered: asking whether all is well would hurt. The follow-up closes
    as not needed, with why, and opens nothing."""
    follow_up = FollowUpFactory(customer=customer, reason=reason)

    services.follow_up_complete(
        follow_up=follow_up, actor=staff_user, outcome="not_needed", note=" Rouwstuk "
    )

    stored = FollowUp.objects.get(pk=follow_up.pk)
    assert (stored.outcome, stored.outcome_note, stored.attempts, stored.done_at is None) == (
        "not_needed",
        "Rouwstuk",
        0,
        False,
    )
    assert Complaint.objects.count() == 0
    event = AuditEvent.objects.get(object_type="followup")
    assert (event.action, event.changes["outcome"]) == ("completed", ["", "not_needed"])


def test_a_follow_up_not_needed_leaves_the_aftercare_figure(customer, staff_user):
    """Neither done nor missed: the delivery whose follow-up was not needed is not judged, so
    the figure neither rises nor falls by it."""
    now = timezone.now()
    funeral, birthday = (
        PromiseFactory(
            customer=customer,
            kind=PromiseKind.DELIVERY,
            made_at=now - timedelta(days=21),
            due_at=now - timedelta(days=20),
            done_at=now - timedelta(days=20),
        )
        for _ in range(2)
    )
    for promise in (funeral, birthday):
        FollowUpFactory(
            customer=customer,
            promise=promise,
            reason=Reason.DELIVERY,
            due_on=promise.done_on + timedelta(days=3),
        )
    services.follow_up_complete(
        follow_up=FollowUp.objects.get(promise=funeral), actor=staff_user, outcome="not_needed"
    )

    coverage = follow_up_coverage(business=customer.business)
    events = follow_up_coverage_events(business=customer.business)

    assert (coverage.judged, coverage.covered) == (1, 0)  # the birthday's, never asked
    assert [event.done_at for event in events] == [None]
