"""A complaint about a promise (the car not ready at the hour said) names that promise of the
customer's. Another customer's promise is refused, in the same words as another business's or
none at all, so that no id of another business can be told from one that does not exist."""

import pytest
from django.core.exceptions import ValidationError

from klantvriend.complaints import services
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import PromiseFactory

REFUSAL_NL = "Kies een belofte die aan deze klant is gedaan."


def test_a_complaint_names_the_customers_promise_it_is_about(mehmet, car_ready, owner):
    complaint = services.complaint_create(
        customer=mehmet, description="Auto was niet klaar", promise_id=car_ready.pk
    )

    assert Complaint.objects.get(pk=complaint.pk).promise == car_ready
    assert list(car_ready.complaints.all()) == [complaint]


@pytest.mark.parametrize("whose", ["another customer", "another business", "no one"])
def test_a_promise_not_made_to_the_customer_is_refused_in_one_way(
    business, other_business, mehmet, whose
):
    owners = {
        "another customer": lambda: CustomerFactory(business=business),
        "another business": lambda: CustomerFactory(business=other_business),
    }
    promise_id = PromiseFactory(customer=owners[whose]()).pk if whose in owners else 10**9

    with pytest.raises(ValidationError) as refused:
        services.complaint_create(customer=mehmet, description="Krassen", promise_id=promise_id)

    assert refused.value.message_dict == {"promise": [REFUSAL_NL]}
    assert not Complaint.objects.exists()


def test_a_promise_deleted_later_leaves_the_complaint(mehmet, car_ready):
    complaint = ComplaintFactory(customer=mehmet, promise=car_ready)

    Promise.objects.filter(pk=car_ready.pk).delete()

    complaint.refresh_from_db()
    assert (complaint.description, complaint.promise) == (complaint.description, None)
