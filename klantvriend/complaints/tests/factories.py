import factory
from django.utils import timezone

from klantvriend.complaints.clocks import complaint_deadlines
from klantvriend.complaints.models import Channel, Complaint
from klantvriend.core.care_settings import care_settings
from klantvriend.customers.tests.factories import CustomerFactory


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    customer = factory.SubFactory(CustomerFactory)
    business = factory.SelfAttribute("customer.business")
    description = factory.Sequence(lambda n: f"Vlees was taai ({n})")
    channel = Channel.COUNTER
    received_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """With its deadlines stored as complaints.services sets them (by the business's care
        settings and zone), unless a test gives them."""
        complaint = model_class(*args, **kwargs)
        if complaint.respond_by is None or complaint.resolve_by is None:
            with_deadlines([complaint])
        complaint.save()
        return complaint


def with_deadlines(complaints: list[Complaint]) -> list[Complaint]:
    """`complaints` (of one business, not saved) with their deadlines set, for bulk_create."""
    for complaint in complaints:
        business = complaint.business
        complaint.respond_by, complaint.resolve_by = complaint_deadlines(
            complaint, settings=care_settings(business), tz=business.tzinfo
        )
    return complaints
