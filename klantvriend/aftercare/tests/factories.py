import factory
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.customers.tests.factories import CustomerFactory


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    note = "Smaakte de rollade?"
    reason = Reason.MANUAL
    due_on = factory.LazyFunction(timezone.localdate)
