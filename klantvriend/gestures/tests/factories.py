import factory
from django.utils import timezone

from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture, Occasion


class GestureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Gesture

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    what = "Ons worstje van het huis"
    occasion = Occasion.JUST_BECAUSE
    given_at = factory.LazyFunction(timezone.now)
