import datetime as dt

import factory
import numpy as np
from django.utils import timezone

from clv.tests.shops import neighbourhood_butcher
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.insights.models import CustomerInsight, InsightRun, Segment, Stage
from klantvriend.promises.tests.factories import PromiseFactory


class CustomerInsightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerInsight

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    as_of = factory.LazyFunction(timezone.localdate)
    purchase_days = 1
    days_since_last = 10
    spend_cents = 2500
    segment = Segment.NEW
    stage = Stage.PASSER_BY


def advice_run(
    business,
    *,
    as_of,
    customers,
    came_back,
    total,
    repeat,
    top_fifth_customers,
    top_fifth,
    history_days=None,
) -> InsightRun:
    """A refresh whose advice holds these revenues (in cents) and no segments, as the advice
    page reads it: a relationship business at a margin of 30%; with `history_days`, the length
    of the history it rests on (a refresh of before it was kept has none)."""
    run = InsightRun(
        business=business,
        as_of=as_of,
        customers=customers,
        figures={
            "advice": {
                "verdict": "relationship",
                "n_customers": customers,
                "came_back": came_back,
                "repeat_customer_share": came_back / customers,
                "total_revenue": total,
                "repeat_revenue": repeat,
                "repeat_revenue_share": repeat / total,
                "top_fifth_customers": top_fifth_customers,
                "top_fifth_revenue": top_fifth,
                "top_fifth_revenue_share": top_fifth / total,
                "expected_purchases_per_customer": None,
                "margin": 0.3,
                "uplift": 0.1,
                "by_segment": [],
            }
        },
    )
    if history_days is not None:
        run.figures["advice"]["history_days"] = history_days
    run.save()
    return run


def butcher_history(business, *, regulars: int = 40, passers_by: int = 20, seed: int = 2):
    """A small neighbourhood butcher: customers and purchases written in bulk, the last day of
    the generated history being yesterday. Returns the customers in generation order."""
    ids, dates, amounts = neighbourhood_butcher(regulars=regulars, passers_by=passers_by, seed=seed)
    customers = Customer.objects.bulk_create(
        Customer(business=business, name=f"Klant {index}", search_text=f"klant {index}")
        for index in range(regulars + passers_by)
    )
    shift = (timezone.localdate() - dt.timedelta(days=1)) - dates.max().astype(dt.date)
    purchases = [
        Purchase(
            business=business,
            customer=customers[int(customer)],
            at=dt.datetime.combine(day.astype(dt.date) + shift, dt.time(11), tzinfo=dt.UTC),
            amount_cents=round(amount * 100),
        )
        for customer, day, amount in zip(ids, dates, amounts, strict=True)
    ]
    Purchase.objects.bulk_create(purchases, batch_size=2000)
    return customers, np.asarray(ids)


def lapsed_insight(customer, **fields) -> CustomerInsight:
    """The insight of a customer who came on eleven days, every three weeks, and has been away
    for thirty: with Fader, Hardie & Lee (2005)'s CDNOW fit 2.3% alive and 3.60 euros expected,
    but some 6.7 purchases and 157.06 euros in a year if still a customer
    (insights/tests/test_won_back.py computes them); `fields` change any of it."""
    kept = {
        "purchase_days": 11,
        "days_since_last": 210,
        "usual_interval_days": 21.0,
        "spend_cents": 27500,
        "probability_alive": 0.0229061,
        "probability_alive_30_days_ago": 0.05,
        "expected_purchases_365": 0.1527224,
        "value_cents": 360,
        "expected_purchases_365_if_alive": 6.667332,
        "value_if_alive_cents": 15706,
        "segment": Segment.CANT_LOSE,
        "stage": Stage.CUSTOMER,
    }
    return CustomerInsightFactory(customer=customer, **{**kept, **fields})


def promises_and_late_complaints(business, now, *, complaints=1):
    """35 promises of which 21 kept on time (60%, 2 amber bands short of 90%), and `complaints`
    complaints each answered four days late (0%, 4.5 bands short)."""
    customer = CustomerFactory(business=business)
    for number in range(35):
        due = now - dt.timedelta(days=5 + number % 20)
        PromiseFactory(
            customer=customer,
            made_at=due - dt.timedelta(days=3),
            due_at=due,
            done_at=due - dt.timedelta(hours=1) if number < 21 else None,
        )
    for number in range(complaints):
        received = now - dt.timedelta(days=10 + number)
        ComplaintFactory(
            customer=customer,
            received_at=received,
            first_response_at=received + dt.timedelta(days=4),
        )


def insight_figures(customer) -> dict:
    """The customer's stored insight, each kept field by name, with the day it is as of."""
    from klantvriend.insights.services import INSIGHT_FIELDS

    fields = ("as_of", *INSIGHT_FIELDS)
    values = CustomerInsight.objects.filter(customer=customer).values_list(*fields).get()
    return dict(zip(fields, values, strict=True))
