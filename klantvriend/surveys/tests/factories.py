import hashlib
import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.surveys.models import InvitationChannel, SurveyInvitation, SurveyResponse


class SurveyInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyInvitation

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    channel = InvitationChannel.COUNTER
    token_hash = factory.LazyFunction(
        lambda: hashlib.sha256(secrets.token_urlsafe(32).encode()).hexdigest()
    )
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(days=14))


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    invitation = factory.SubFactory(
        SurveyInvitationFactory,
        customer=factory.SelfAttribute("..customer"),
        answered_at=factory.LazyFunction(timezone.now),
    )
    answered_at = factory.LazyFunction(timezone.now)
    nps = 9
    certainty = 4
    flexibility = 4
    reliability = 5
    customisation = 4
    complaint_handling = 4
    comment = "zeer-geheime-notitie-elders"


def reliability_separating_answers(customer, *, complaint_handling_low_in: int | None = None):
    """Thirty answers of `customer` in which flexibility scores lowest (1 in all), but
    reliability is what separates detractors from promoters (5 from each promoter, 1 from each
    detractor). With `complaint_handling_low_in`, complaint handling scores as low (1) in that
    many answers and is left out of the rest: 24 are too few to judge it."""
    for index in range(30):
        nps, reliability = [(10, 5), (2, 1), (3, 1), (2, 1), (3, 1)][index % 5]
        low = complaint_handling_low_in
        SurveyResponseFactory(
            customer=customer,
            nps=nps,
            reliability=reliability,
            flexibility=1,
            **({} if low is None else {"complaint_handling": 1 if index < low else None}),
        )
