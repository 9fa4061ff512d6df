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
