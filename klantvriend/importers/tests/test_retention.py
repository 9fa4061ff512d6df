"""The retention rule anonymises only customers with whom nothing has happened for its years:
every app's dated rows count (as each model declares them), and so does a change made by a
person; looking at the data does not."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone

from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.audit import AuditAction, audit_record
from klantvriend.customers import services
from klantvriend.customers.models import ConsentKind, ConsentRecord, Customer, ImportantDate
from klantvriend.customers.tests.factories import (
    ContactMomentFactory,
    CustomerFactory,
    ImportantDateFactory,
    PurchaseFactory,
)
from klantvriend.gestures.models import Gesture
from klantvriend.gestures.services import gesture_update
from klantvriend.gestures.tests.factories import GestureFactory
from klantvriend.importers.privacy import (
    apply_retention,
    audit_personal_data_viewed,
    customer_personal_data,
    retention_candidates,
)
from klantvriend.importers.privacy_settings import privacy_settings_update
from klantvriend.importers.relations import customer_models
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.promises.tests.factories import PromiseFactory
from klantvriend.surveys.tests.factories import SurveyInvitationFactory, SurveyResponseFactory

YEARS = 2


def _ago(days: int):
    return timezone.now() - timedelta(days=days)


def old_customer(business, name: str) -> Customer:
    """A customer of four years: older than the two-year rule, so only activity can keep them."""
    long_ago = _ago(4 * 365)
    return CustomerFactory(
        business=business, name=name, customer_since=long_ago.date(), created_at=long_ago
    )


def stored(customer: Customer) -> dict:
    """Everything stored about the customer and their rows, to show that nothing changed."""
    document = customer_personal_data(customer=Customer.objects.get(pk=customer.pk))
    del document["generated_at"]
    return document


RECENT = 30  # days ago: well inside the two years
OLD = 3 * 365  # days ago: before the cutoff


def _promise_made(customer, owner):
    PromiseFactory(customer=customer, made_at=_ago(RECENT), due_at=_ago(RECENT - 1))


def _promise_open_and_due_ahead(customer, owner):
    PromiseFactory(customer=customer, made_at=_ago(OLD), due_at=_ago(-30))


def _promise_open_and_overdue_recently(customer, owner):
    PromiseFactory(customer=customer, made_at=_ago(OLD), due_at=_ago(RECENT))


def _promise_kept_recently(customer, owner):
    PromiseFactory(customer=customer, made_at=_ago(OLD), due_at=_ago(OLD - 1), done_at=_ago(RECENT))


def _promise_cancelled_recently(customer, owner):
    PromiseFactory(
        customer=customer, made_at=_ago(OLD), due_at=_ago(OLD - 1), cancelled_at=_ago(RECENT)
    )


def _complaint_received(customer, owner):
    ComplaintFactory(customer=customer, received_at=_ago(RECENT))


def _complaint_answered_recently(customer, owner):
    ComplaintFactory(customer=customer, received_at=_ago(OLD), first_response_at=_ago(RECENT))


def _complaint_resolved_recently(customer, owner):
    ComplaintFactory(
        customer=customer,
        received_at=_ago(OLD),
        first_response_at=_ago(OLD),
        resolved_at=_ago(RECENT),
    )


def _follow_up_planned_ahead(customer, owner):
    FollowUpFactory(customer=customer, due_on=customer.business.today() + timedelta(days=7))


def _follow_up_done_recently(customer, owner):
    FollowUpFactory(
        customer=customer, due_on=_ago(OLD).date(), done_at=_ago(RECENT), outcome="content"
    )


def _survey_answered(customer, owner):
    SurveyResponseFactory(
        customer=customer,
        answered_at=_ago(RECENT),
        invitation__created_at=_ago(RECENT + 5),
        invitation__answered_at=_ago(RECENT),
    )


def _consent_changed(customer, owner):
    ConsentRecord.objects.create(
        business=customer.business,
        customer=customer,
        kind=ConsentKind.MARKETING,
        given=False,
        at=_ago(RECENT),
    )


def _customer_edited_by_a_person(customer, owner):
    services.customer_update(customer=customer, phone="0612345678", actor=owner)


def _old_gesture_corrected_by_a_person(customer, owner):
    gesture = GestureFactory(customer=customer, given_at=_ago(OLD))
    gesture_update(gesture=gesture, actor=owner, what="Een bos bloemen")


ACTIVITIES = {
    "purchase": lambda customer, owner: PurchaseFactory(customer=customer, at=_ago(RECENT)),
    "contact moment": lambda customer, owner: ContactMomentFactory(
        customer=customer, at=_ago(RECENT)
    ),
    "promise made": _promise_made,
    "open promise due ahead": _promise_open_and_due_ahead,
    "open promise overdue since recently": _promise_open_and_overdue_recently,
    "promise kept recently": _promise_kept_recently,
    "promise cancelled recently": _promise_cancelled_recently,
    "complaint received": _complaint_received,
    "old complaint answered recently": _complaint_answered_recently,
    "old complaint resolved recently": _complaint_resolved_recently,
    "follow-up planned ahead": _follow_up_planned_ahead,
    "old follow-up done recently": _follow_up_done_recently,
    "gesture": lambda customer, owner: GestureFactory(customer=customer, given_at=_ago(RECENT)),
    "survey invitation": lambda customer, owner: SurveyInvitationFactory(
        customer=customer, created_at=_ago(RECENT)
    ),
    "survey answer": _survey_answered,
    "consent change": _consent_changed,
    "customer edited by a person": _customer_edited_by_a_person,
    "old gesture corrected by a person": _old_gesture_corrected_by_a_person,
}


@pytest.mark.parametrize("activity", ACTIVITIES.values(), ids=ACTIVITIES.keys())
def test_one_recent_activity_keeps_an_old_customer_untouched(business, owner, activity):
    # Given two customers of four years, one of them with a single recent activity.
    sleeper = old_customer(business, "Oude Slaper")
    active = old_customer(business, "Nog Actief")
    activity(active, owner)
    privacy_settings_update(business=business, actor=owner, retention_years=YEARS)
    before = stored(active)

    # When the rule is previewed and then applied.
    preview = apply_retention(business=business, dry_run=True)
    outcome = apply_retention(business=business, dry_run=False, actor=owner)

    # Then only the sleeper is a candidate and anonymised; the active customer is untouched.
    assert [customer.pk for customer in preview.customers] == [sleeper.pk]
    assert [customer.pk for customer in outcome.customers] == [sleeper.pk]
    assert Customer.objects.get(pk=sleeper.pk).erased_at is not None
    assert stored(active) == before


def test_a_customer_whose_every_record_is_older_than_the_cutoff_is_anonymised(business, owner):
    # Given a customer with one of every kind of record, all dated before the cutoff, plus
    # rows whose dates are no contact: an important date today and today's computed insight.
    sleeper = old_customer(business, "Oude Slaper")
    old = _ago(OLD)
    PurchaseFactory(customer=sleeper, at=old)
    ContactMomentFactory(customer=sleeper, at=old)
    PromiseFactory(customer=sleeper, made_at=old, due_at=old + timedelta(days=1), done_at=old)
    ComplaintFactory(customer=sleeper, received_at=old, first_response_at=old, resolved_at=old)
    FollowUpFactory(customer=sleeper, due_on=old.date(), done_at=old, outcome="content")
    GestureFactory(customer=sleeper, given_at=old)
    SurveyResponseFactory(
        customer=sleeper, answered_at=old, invitation__created_at=old, invitation__answered_at=old
    )
    ConsentRecord.objects.create(
        business=business, customer=sleeper, kind=ConsentKind.MARKETING, given=True, at=old
    )
    ImportantDateFactory(customer=sleeper, date=business.today())
    CustomerInsightFactory(customer=sleeper)
    audit_record(
        business=business,
        actor=owner,
        action=AuditAction.CHANGED,
        obj=sleeper,
        customer=sleeper,
        at=old,
    )
    privacy_settings_update(business=business, actor=owner, retention_years=YEARS)

    # When the rule is applied.
    outcome = apply_retention(business=business, dry_run=False, actor=owner)

    # Then the customer is anonymised.
    sleeper.refresh_from_db()
    assert [customer.pk for customer in outcome.customers] == [sleeper.pk]
    assert sleeper.erased_at is not None
    assert sleeper.name == f"Geanonimiseerde klant {sleeper.pk}"
    assert ImportantDate.objects.filter(customer=sleeper).count() == 0


def test_viewing_a_customer_does_not_keep_them(business, owner):
    # Given an old customer whose profile was opened today, and nothing else.
    sleeper = old_customer(business, "Oude Slaper")
    audit_personal_data_viewed(customer=sleeper, actor=owner)
    privacy_settings_update(business=business, actor=owner, retention_years=YEARS)

    # When the rule is applied.
    outcome = apply_retention(business=business, dry_run=False, actor=owner)

    # Then the customer is anonymised all the same.
    assert [customer.pk for customer in outcome.customers] == [sleeper.pk]
    assert Customer.objects.get(pk=sleeper.pk).erased_at is not None


def test_exporting_their_data_or_a_change_by_no_person_does_not_keep_a_customer(business, owner):
    # Given an old customer whose data was exported today (an access request) and a change
    # that no person made (a script), and nothing else.
    sleeper = old_customer(business, "Oude Slaper")
    audit_record(
        business=business, actor=owner, action=AuditAction.EXPORTED, obj=sleeper, customer=sleeper
    )
    audit_record(
        business=business, actor=None, action=AuditAction.CHANGED, obj=sleeper, customer=sleeper
    )
    privacy_settings_update(business=business, actor=owner, retention_years=YEARS)

    # When the rule is applied.
    outcome = apply_retention(business=business, dry_run=False, actor=owner)

    # Then the customer is anonymised.
    assert [customer.pk for customer in outcome.customers] == [sleeper.pk]
    assert Customer.objects.get(pk=sleeper.pk).erased_at is not None


def test_a_moment_at_the_cutoff_keeps_the_customer_and_one_a_second_earlier_does_not(business):
    # Given two old customers, one who bought exactly at the cutoff, one a second before it.
    now = timezone.now()
    cutoff = now - timedelta(days=round(365.25 * YEARS))
    at_cutoff = old_customer(business, "Op de grens")
    PurchaseFactory(customer=at_cutoff, at=cutoff)
    just_before = old_customer(business, "Net ervoor")
    PurchaseFactory(customer=just_before, at=cutoff - timedelta(seconds=1))

    # When the candidates are selected.
    returned_cutoff, candidates = retention_candidates(business=business, years=YEARS, now=now)

    # Then only the earlier one is a candidate.
    assert returned_cutoff == cutoff
    assert [customer.pk for customer in candidates] == [just_before.pk]


def test_a_day_is_compared_with_the_cutoffs_day_where_the_business_is(business):
    # Given two old customers with a follow-up planned for the cutoff's local day and the day
    # before it.
    now = timezone.now()
    cutoff_day = business.local(now - timedelta(days=round(365.25 * YEARS))).date()
    on_the_day = old_customer(business, "Op de dag")
    FollowUpFactory(customer=on_the_day, due_on=cutoff_day)
    day_before = old_customer(business, "Dag ervoor")
    FollowUpFactory(customer=day_before, due_on=cutoff_day - timedelta(days=1))

    # When the candidates are selected.
    _cutoff, candidates = retention_candidates(business=business, years=YEARS, now=now)

    # Then only the one planned for the day before is a candidate.
    assert [customer.pk for customer in candidates] == [day_before.pk]


def test_the_candidates_are_one_query_however_many_customers_and_records(
    business, owner, django_assert_num_queries
):
    # Given a few old customers, some with recent records of several kinds.
    for number in range(6):
        customer = old_customer(business, f"Klant {number}")
        if number % 2:
            PurchaseFactory(customer=customer, at=_ago(RECENT))
            ComplaintFactory(customer=customer, received_at=_ago(RECENT))
    # When and then: selecting them is one query.
    with django_assert_num_queries(1):
        _cutoff, candidates = retention_candidates(business=business, years=YEARS)
        names = [customer.name for customer in candidates]
    assert names == ["Klant 0", "Klant 2", "Klant 4"]


def test_every_model_of_a_customer_declares_which_of_its_dates_are_activity():
    # Given every model whose rows belong to one customer (a new app's too),
    found = customer_models()
    # then each says which of its fields date activity (`()` for none), and each is a date.
    undeclared = [
        model._meta.label for model, _key in found if not hasattr(model, "activity_fields")
    ]
    not_dates = [
        f"{model._meta.label}.{name}"
        for model, _key in found
        for name in getattr(model, "activity_fields", ())
        if not isinstance(model._meta.get_field(name), models.DateField)
    ]
    assert "customers.Purchase" in [model._meta.label for model, _key in found]
    assert undeclared == []
    assert not_dates == []


def test_retention_refuses_and_changes_nothing_while_a_model_has_not_declared_its_dates(
    business, owner, monkeypatch
):
    # Given an old inactive customer and a model that has not said which dates are activity.
    sleeper = old_customer(business, "Oude Slaper")
    privacy_settings_update(business=business, actor=owner, retention_years=YEARS)
    monkeypatch.delattr(Gesture, "activity_fields")
    before = stored(sleeper)

    # When the rule is applied, then it refuses and nobody is anonymised.
    with pytest.raises(ImproperlyConfigured) as refused:
        apply_retention(business=business, dry_run=False, actor=owner)
    assert str(refused.value) == (
        "gestures.Gesture belongs to a customer but declares no activity_fields: name the date "
        "fields that say when something happened with the customer, or () for none (see "
        "BusinessOwned)."
    )
    assert stored(sleeper) == before


def test_a_limit_names_the_first_candidates_by_name_and_counts_the_rest(business, owner):
    # Given three sleepers and an active customer.
    sleepers = [old_customer(business, name) for name in ("Cor", "Anna", "Bram")]
    activity = old_customer(business, "Actief")
    PurchaseFactory(customer=activity, at=_ago(RECENT))
    privacy_settings_update(business=business, actor=owner, retention_years=YEARS)

    # When the rule is previewed with limits below, at and above their number.
    below = apply_retention(business=business, dry_run=True, limit=2)
    at = apply_retention(business=business, dry_run=True, limit=3)
    above = apply_retention(business=business, dry_run=True, limit=50)

    # Then each names at most the limit, in name order, and counts all three.
    assert [c.name for c in below.customers] == ["Anna", "Bram"]
    assert (below.remaining, below.count) == (1, 3)
    assert [c.name for c in at.customers] == ["Anna", "Bram", "Cor"]
    assert (at.remaining, at.count) == (0, 3)
    assert [c.name for c in above.customers] == ["Anna", "Bram", "Cor"]
    assert (above.remaining, above.count) == (0, 3)
    assert (
        Customer.objects.filter(pk__in=[s.pk for s in sleepers], erased_at__isnull=False).count()
        == 0
    )

    # And applied with a limit of two, the first two are anonymised and one remains.
    applied = apply_retention(business=business, dry_run=False, actor=owner, limit=2)
    assert [c.pk for c in applied.customers] == [sleepers[1].pk, sleepers[2].pk]
    assert (applied.remaining, applied.count) == (1, 3)
    assert list(
        Customer.objects.filter(erased_at__isnull=True)
        .order_by("pk")
        .values_list("name", flat=True)
    ) == ["Cor", "Actief"]
