from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.core.errors import ValidationError
from klantvriend.core.tests.days import open_on
from klantvriend.customers.models import AcquisitionChannel, Customer
from klantvriend.customers.services import customer_create, customer_update, purchase_create
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.insights.scorecard import customer_scorecard
from klantvriend.insights.selectors import ambassador_customer_ids
from klantvriend.insights.tests.factories import CustomerInsightFactory
from klantvriend.referrals import selectors
from klantvriend.surveys.tests.factories import SurveyResponseFactory


def _ranking(business, limit=50):
    """The first page of the ambassadors, as the page shows it."""
    return selectors.ambassador_rows(
        business=business, customers=selectors.ambassadors_in_order(business=business)[0:limit]
    )


@pytest.fixture
def anna(business):
    return CustomerFactory(business=business, name="Anna de Vries")


def test_a_referred_customers_first_purchase_plans_a_thank_you_for_the_referrer(
    business, anna, django_capture_on_commit_callbacks
):
    bram = customer_create(
        business=business,
        name="Bram Bakker",
        acquisition_channel=AcquisitionChannel.REFERRAL,
        referred_by=anna,
    )

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        first = purchase_create(customer=bram, amount_cents=1500)
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=bram, amount_cents=2500)

    follow_up = FollowUp.objects.get(reason=Reason.REFERRAL)
    assert follow_up.customer == anna
    assert follow_up.referred_customer == bram
    assert follow_up.due_on == open_on(business.today())
    assert follow_up.note == (
        "Bedank voor het doorverwijzen van Bram Bakker, die net voor het eerst iets kocht."
    )
    assert first.pk  # the second purchase planned nothing more
    assert FollowUp.objects.filter(reason=Reason.REFERRAL).count() == 1


def test_two_first_purchases_committed_together_still_thank_the_referrer_once(
    business, anna, django_capture_on_commit_callbacks
):
    bram = customer_create(business=business, name="Bram Bakker", referred_by=anna)

    # Both purchases are stored before either one's after-commit rules run, as when two tills
    # record a first purchase in the same instant.
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=bram, amount_cents=1500)
        purchase_create(customer=bram, amount_cents=2500)

    assert FollowUp.objects.filter(reason=Reason.REFERRAL, referred_customer=bram).count() == 1


def test_a_customer_without_referrer_plans_no_thank_you(
    business, django_capture_on_commit_callbacks
):
    walk_in = CustomerFactory(business=business)
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=walk_in, amount_cents=1500)
    assert not FollowUp.objects.filter(reason=Reason.REFERRAL).exists()


def test_self_referral_and_cycles_are_refused_and_nothing_changes(business, anna):
    bram = customer_create(business=business, name="Bram", referred_by=anna)

    with pytest.raises(ValidationError) as refused:
        customer_update(customer=anna, referred_by=anna)
    assert refused.value.error_dict["referred_by"][0].code == "self_referral"
    with pytest.raises(ValidationError) as refused:
        customer_update(customer=anna, referred_by=bram)
    assert refused.value.error_dict["referred_by"][0].code == "referral_cycle"
    anna.refresh_from_db()
    assert anna.referred_by is None


def test_a_referrer_of_another_business_is_not_found(business, other_business):
    stranger = CustomerFactory(business=other_business)
    with pytest.raises(ValidationError) as refused:
        customer_create(business=business, name="Cor", referred_by=stranger)
    assert refused.value.error_dict["referred_by"][0].code == "not_found"
    assert not Customer.objects.filter(name="Cor").exists()


def test_profile_summary_shows_whom_they_brought_in_and_what_they_bought(
    business, anna, django_assert_num_queries
):
    bram = CustomerFactory(business=business, name="Bram", referred_by=anna)
    cor = CustomerFactory(business=business, name="Cor", referred_by=anna)
    PurchaseFactory(customer=bram, amount_cents=1000)
    PurchaseFactory(customer=bram, amount_cents=500)
    PurchaseFactory(customer=cor, amount_cents=250)
    PurchaseFactory(customer=anna, amount_cents=99999)  # her own purchases do not count

    with django_assert_num_queries(1):
        summary = selectors.customer_referrals(customer=anna)

    assert summary.count == 2
    assert summary.value_cents == 1750
    assert {c.name: c.spend_cents for c in summary.customers} == {"Bram": 1500, "Cor": 250}
    assert summary.predicted_value_cents is None  # no insights computed yet


def test_a_customer_who_brought_in_nobody_costs_one_query(
    business, anna, django_assert_num_queries
):
    CustomerFactory(business=business, name="Bram")  # not referred by Anna

    with django_assert_num_queries(1):
        summary = selectors.customer_referrals(customer=anna)

    assert (summary.customers, summary.count, summary.value_cents) == ([], 0, 0)
    assert summary.predicted_value_cents is None


def test_profile_summary_adds_the_predicted_value_once_insights_exist(business, anna):
    bram = CustomerFactory(business=business, name="Bram", referred_by=anna)
    cor = CustomerFactory(business=business, name="Cor", referred_by=anna)
    CustomerInsightFactory(customer=bram, value_cents=8000)
    CustomerInsightFactory(customer=cor, value_cents=None)

    summary = selectors.customer_referrals(customer=anna)

    assert summary.predicted_value_cents == 8000
    assert {c.name: c.predicted_value_cents for c in summary.customers} == {
        "Bram": 8000,
        "Cor": None,
    }


def test_more_referred_than_shown_are_counted_and_added_up_by_the_database(
    business, anna, django_assert_num_queries
):
    for name, cents, value in (("Bram", 1000, 8000), ("Cor", 250, None), ("Dirk", 40, 100)):
        referred = CustomerFactory(business=business, name=name, referred_by=anna)
        PurchaseFactory(customer=referred, amount_cents=cents)
        CustomerInsightFactory(customer=referred, value_cents=value)

    with django_assert_num_queries(3):
        summary = selectors.customer_referrals(customer=anna, limit=2)

    assert len(summary.customers) == 2
    assert (summary.count, summary.value_cents, summary.predicted_value_cents) == (3, 1290, 8100)


def test_ambassadors_are_ranked_by_the_value_of_whom_they_referred_then_promoters(
    business, anna, django_assert_max_num_queries
):
    kees = CustomerFactory(business=business, name="Kees")
    promoter = CustomerFactory(business=business, name="Pien")
    PurchaseFactory(customer=CustomerFactory(business=business, referred_by=anna), amount_cents=100)
    big = CustomerFactory(business=business, referred_by=kees)
    PurchaseFactory(customer=big, amount_cents=5000)
    SurveyResponseFactory(customer=promoter, nps=10)
    SurveyResponseFactory(customer=anna, nps=9)

    with django_assert_max_num_queries(4):
        ranking = _ranking(business)

    assert [(r.customer.name, r.referred, r.referred_value_cents) for r in ranking] == [
        ("Kees", 1, 5000),
        ("Anna de Vries", 1, 100),
        ("Pien", 0, 0),
    ]
    assert [r.promoter for r in ranking] == [False, True, True]
    assert ranking[1].promoter_answers == 1


def test_acquisition_report_counts_new_customers_per_channel_per_month(business):
    today = business.today()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for channel, since in [
        (AcquisitionChannel.REFERRAL, this_month),
        (AcquisitionChannel.REFERRAL, this_month),
        (AcquisitionChannel.WALK_IN, this_month),
        (AcquisitionChannel.ONLINE, this_month),
        (AcquisitionChannel.WALK_IN, last_month),
        (AcquisitionChannel.WALK_IN, date(2000, 1, 1)),  # outside the report
    ]:
        CustomerFactory(business=business, acquisition_channel=channel, customer_since=since)

    months = selectors.acquisition_report(business=business, now=timezone.now())

    assert len(months) == 12
    assert months[-1].month == this_month
    assert months[-1].counts["referral"] == 2
    assert months[-1].total == 4
    assert months[-1].referral_share == 0.5
    assert months[-2].month == last_month
    assert months[-2].referral_share == 0.0
    assert months[0].referral_share is None


def test_a_promoter_is_one_whose_latest_answer_of_the_year_is_a_9_or_10(business, anna):
    now = timezone.now()
    referred_by_anna = CustomerFactory(business=business, referred_by=anna)
    PurchaseFactory(customer=referred_by_anna, amount_cents=700)
    changed_mind = CustomerFactory(business=business, name="Bea")
    SurveyResponseFactory(customer=changed_mind, nps=10, answered_at=now - timedelta(days=30))
    SurveyResponseFactory(customer=changed_mind, nps=3, answered_at=now - timedelta(days=2))
    long_ago = CustomerFactory(business=business, name="Cas")
    SurveyResponseFactory(customer=long_ago, nps=10, answered_at=now - timedelta(days=400))
    came_round = CustomerFactory(business=business, name="Dirk")
    SurveyResponseFactory(customer=came_round, nps=2, answered_at=now - timedelta(days=30))
    SurveyResponseFactory(customer=came_round, nps=9, answered_at=now - timedelta(days=1))
    SurveyResponseFactory(customer=anna, nps=4, answered_at=now - timedelta(days=1))
    SurveyResponseFactory(customer=anna, nps=10, answered_at=now - timedelta(days=500))

    ranking = _ranking(business)

    assert [
        (r.customer.name, r.referred_value_cents, r.promoter, r.promoter_answers) for r in ranking
    ] == [
        ("Anna de Vries", 700, False, 1),  # her 10 is older than a year, her latest is a 4
        ("Dirk", 0, True, 1),
    ]


def test_when_the_referrers_fill_the_ranking_no_promoter_is_added(business, anna):
    bram = CustomerFactory(business=business, name="Bram")
    for referrer, cents in ((anna, 100), (bram, 300)):
        PurchaseFactory(
            customer=CustomerFactory(business=business, referred_by=referrer), amount_cents=cents
        )
    SurveyResponseFactory(customer=CustomerFactory(business=business, name="Aad"), nps=10)

    ranking = _ranking(business, limit=2)

    assert [(r.customer.name, r.referred, r.referred_value_cents) for r in ranking] == [
        ("Bram", 1, 300),
        ("Anna de Vries", 1, 100),
    ]


def test_a_customer_with_a_referrer_counts_as_referred_in_the_report_as_on_the_scorecard(
    business,
):
    today = business.today()
    anna = CustomerFactory(business=business, name="Anna", customer_since=date(2020, 1, 1))
    # Bram was brought in by Anna; whoever entered him left "came to us through" at walk-in.
    CustomerFactory(business=business, name="Bram", customer_since=today, referred_by=anna)
    CustomerFactory(
        business=business,
        name="Cor",
        customer_since=today,
        acquisition_channel=AcquisitionChannel.ONLINE,
    )

    month = selectors.acquisition_report(business=business)[-1]
    card = customer_scorecard(business=business)

    referrals = next(figure for figure in card.figures if figure.key == "referrals")
    assert referrals.value == 0.5
    assert month.counts["referral"] == 1
    assert month.counts["walk_in"] == 0
    assert month.referral_share == 0.5


def test_an_anonymised_customer_is_no_ambassador_whether_referrer_or_promoter(business, anna):
    kees = CustomerFactory(business=business, name="Kees")
    PurchaseFactory(customer=CustomerFactory(business=business, referred_by=anna), amount_cents=900)
    PurchaseFactory(customer=CustomerFactory(business=business, referred_by=kees), amount_cents=100)
    promoter = CustomerFactory(business=business, name="Pien")
    SurveyResponseFactory(customer=promoter, nps=10)
    # Anonymised at their request (importers.privacy.customer_erase keeps the links).
    Customer.objects.filter(pk__in=[anna.pk, promoter.pk]).update(erased_at=timezone.now())

    ranking = _ranking(business)

    assert [(r.customer.name, r.referred, r.referred_value_cents) for r in ranking] == [
        ("Kees", 1, 100)
    ]


def test_the_ambassador_stage_leaves_out_anonymised_customers_as_the_ranking_does(business, anna):
    kees = CustomerFactory(business=business, name="Kees")
    CustomerFactory(business=business, referred_by=anna)
    CustomerFactory(business=business, referred_by=kees)
    promoter = CustomerFactory(business=business, name="Pien")
    SurveyResponseFactory(customer=promoter, nps=10)
    Customer.objects.filter(pk__in=[anna.pk, promoter.pk]).update(erased_at=timezone.now())

    ranked = {row.customer.pk for row in _ranking(business)}

    assert ambassador_customer_ids(business) == ranked == {kees.pk}


@pytest.mark.parametrize(
    ("language", "reader", "note"),
    [
        ("en", "nl", "Thank them for referring Bram Bakker, who just made a first purchase."),
        (
            "nl",
            "en",
            "Bedank voor het doorverwijzen van Bram Bakker, die net voor het eerst iets kocht.",
        ),
    ],
)
def test_the_thank_you_is_written_in_the_language_of_the_business(
    business, anna, django_capture_on_commit_callbacks, language, reader, note
):
    business.language = language
    business.save(update_fields=["language"])
    bram = customer_create(business=business, name="Bram Bakker", referred_by=anna)

    with translation.override(reader), django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=bram, amount_cents=1500)

    assert FollowUp.objects.get(reason=Reason.REFERRAL).note == note


def test_a_first_purchase_typed_in_long_after_it_plans_no_thanks(
    business, anna, django_capture_on_commit_callbacks
):
    # Given Petra, referred by Anna and a client since 2016, whose first invoice is typed in
    # now, dated four months ago
    petra = customer_create(business=business, name="Petra Visser", referred_by=anna)

    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=petra, amount_cents=45000, at=timezone.now() - timedelta(days=120))

    # Then no call thanks Anna for a customer who "just bought for the first time"
    assert not FollowUp.objects.filter(reason=Reason.REFERRAL).exists()


@pytest.mark.parametrize(("days_ago", "thanked"), [(90, True), (91, False)])
def test_a_referrer_recorded_long_after_the_first_purchase_plans_no_thanks(
    business, anna, owner, django_capture_on_commit_callbacks, days_ago, thanked
):
    # Given Bram, whose first purchase was 90 or 91 days ago, and whose card is filled in only
    # now with who sent him
    bram = CustomerFactory(business=business, name="Bram Bakker")
    PurchaseFactory(
        customer=bram,
        at=datetime.combine(
            business.today() - timedelta(days=days_ago), time(12, 0), tzinfo=business.tzinfo
        ),
    )

    with django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=bram, referred_by=anna, actor=owner)

    # Then Anna is thanked for a customer of three months, not for one of longer ago: that is
    # bookkeeping, not news
    assert FollowUp.objects.filter(reason=Reason.REFERRAL).exists() is thanked
    bram.refresh_from_db()
    assert bram.referred_by == anna


def test_a_referrer_recorded_after_the_first_purchase_is_thanked_once(
    business, anna, owner, django_capture_on_commit_callbacks
):
    # The guest says at their second visit who sent them: the first purchase planned nothing.
    bram = CustomerFactory(business=business, name="Bram Bakker")
    cees = CustomerFactory(business=business, name="Cees Jansen")
    PurchaseFactory(customer=bram)
    with django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=cees, referred_by=anna, actor=owner)  # bought nothing yet
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        customer_update(customer=bram, referred_by=anna, actor=owner)
    dirk = CustomerFactory(business=business, name="Dirk de Boer")
    with django_capture_on_commit_callbacks(execute=True):
        # Recorded the wrong way round and mended: still one thank-you for bringing Bram.
        customer_update(customer=bram, referred_by=dirk, actor=owner)
        customer_update(customer=bram, phone="0612345678", actor=owner)  # no referral change

    thanks = FollowUp.objects.get(reason=Reason.REFERRAL)
    assert (thanks.customer, thanks.referred_customer) == (anna, bram)
    assert thanks.note == "Bedank voor het doorverwijzen van Bram Bakker."
    assert thanks.due_on == open_on(business.today())
    assert FollowUp.objects.filter(reason=Reason.REFERRAL).count() == 1
