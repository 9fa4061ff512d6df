import factory
from django.utils import timezone

from klantvriend.complaints.models import Channel, Complaint
from klantvriend.customers.tests.factories import CustomerFactory


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    description = factory.Sequence(lambda n: f"Vlees was taai ({n})")
    channel = Channel.COUNTER
    received_at = factory.LazyFunction(timezone.now)
