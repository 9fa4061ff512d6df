"""A complaint's `promise` through the API: set, emptied with null, and refused for a promise
not made to the customer in one way, whether it is another business's or none at all."""

from klantvriend.complaints.models import Complaint
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.tests.factories import PromiseFactory

REFUSAL_NL = "Kies een belofte die aan deze klant is gedaan."


def test_through_the_api_a_complaint_names_its_promise_and_null_unlinks_it(api, mehmet, car_ready):
    made = api.post(
        "/api/v1/complaints",
        {"customer": mehmet.pk, "description": "Auto niet klaar", "promise": car_ready.pk},
        content_type="application/json",
    )
    assert (made.status_code, made.json()["promise"]) == (201, car_ready.pk)

    cleared = api.patch(
        f"/api/v1/complaints/{made.json()['id']}",
        {"promise": None},
        content_type="application/json",
    )

    assert (cleared.status_code, cleared.json()["promise"]) == (200, None)
    assert Complaint.objects.get().promise is None


def test_the_api_refuses_a_promise_of_another_business_as_one_that_does_not_exist(
    api, mehmet, other_business
):
    foreign = PromiseFactory(customer=CustomerFactory(business=other_business))
    answers = [
        api.post(
            "/api/v1/complaints",
            {"customer": mehmet.pk, "description": "Krassen", "promise": promise_id},
            content_type="application/json",
            headers={"Accept-Language": "nl"},
        )
        for promise_id in (foreign.pk, 10**9)
    ]

    bodies = [(answer.status_code, answer.json()) for answer in answers]
    assert bodies[0] == bodies[1]
    assert bodies[0] == (
        422,
        {"detail": [{"loc": ["body", "promise"], "msg": REFUSAL_NL, "type": "not_this_customers"}]},
    )
    assert not Complaint.objects.exists()
