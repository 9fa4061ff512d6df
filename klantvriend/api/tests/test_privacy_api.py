import pytest
from django.test import Client

from klantvriend.core.models import Role
from klantvriend.core.services import apitoken_create, membership_create, user_create
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase


def test_owner_gets_everything_about_one_customer(api, business):
    customer = services.customer_create(business=business, name="Anna", email="anna@example.nl")
    services.purchase_create(customer=customer, amount_cents=1250)

    response = api.get(f"/api/v1/customers/{customer.pk}/export")

    assert response.status_code == 200
    body = response.json()
    assert body["customer"]["email"] == "anna@example.nl"
    assert body["purchases"][0]["amount_cents"] == 1250


def test_export_of_another_businesss_customer_is_not_found(api, other_business):
    stranger = services.customer_create(business=other_business, name="Elders")

    assert api.get(f"/api/v1/customers/{stranger.pk}/export").status_code == 404
    assert api.post(f"/api/v1/customers/{stranger.pk}/erase").status_code == 404
    assert Customer.objects.get(pk=stranger.pk).name == "Elders"


def staff_api(business) -> Client:
    user = user_create(username="kees", password="pw-kees-12345")
    membership = membership_create(business=business, user=user, role=Role.STAFF)
    key = apitoken_create(membership=membership)[1]
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


def test_staff_may_not_export_or_erase(business):
    customer = services.customer_create(business=business, name="Anna")
    client = staff_api(business)

    assert client.get(f"/api/v1/customers/{customer.pk}/export").status_code == 403
    assert client.post(f"/api/v1/customers/{customer.pk}/erase").status_code == 403
    assert Customer.objects.get(pk=customer.pk).erased_at is None


def test_staff_may_not_delete_a_customer(business):
    customer = services.customer_create(business=business, name="Anna")
    client = staff_api(business)

    response = client.delete(f"/api/v1/customers/{customer.pk}")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only an owner of the business may do this."}
    assert Customer.objects.filter(pk=customer.pk, name="Anna").exists()


def test_a_customer_with_purchases_is_not_deleted_but_pointed_to_erasure(api, business):
    customer = services.customer_create(business=business, name="Anna", email="anna@example.nl")
    services.purchase_create(customer=customer, amount_cents=1250)
    before = Customer.objects.filter(pk=customer.pk).values().get()

    response = api.delete(f"/api/v1/customers/{customer.pk}")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("This customer has purchases, which are kept")
    assert Customer.objects.filter(pk=customer.pk).values().get() == before
    assert Purchase.objects.filter(customer=customer).count() == 1


def test_erase_then_erase_again_gets_a_clear_answer(api, business):
    customer = services.customer_create(business=business, name="Anna", email="anna@example.nl")

    first = api.post(f"/api/v1/customers/{customer.pk}/erase")
    before = Customer.objects.filter(pk=customer.pk).values().get()
    second = api.post(f"/api/v1/customers/{customer.pk}/erase")

    assert first.status_code == 200
    assert first.json()["erased_at"]
    assert second.status_code == 409
    assert "already anonymised" in second.json()["detail"]
    assert Customer.objects.filter(pk=customer.pk).values().get() == before


def test_consent_history_through_the_api(api, business):
    customer = services.customer_create(business=business, name="Anna", marketing_consent=True)

    response = api.get(f"/api/v1/customers/{customer.pk}/consents")

    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert response.json()["items"][0]["basis"] == "consent"


def test_a_removed_members_token_is_refused(business, owner):
    from klantvriend.core.members import member_remove

    client = staff_api(business)
    assert client.get("/api/v1/customers", {"search": "anna"}).status_code == 200
    membership = business.memberships.get(user__username="kees")

    member_remove(membership=membership, actor=owner)

    assert client.get("/api/v1/customers", {"search": "anna"}).status_code == 401


def test_staff_may_correct_a_purchase_but_not_delete_it_and_both_are_audited(api, business):
    """A purchase is a fiscal record: a correction names who made it and what it was, and only
    an owner removes one, which the audit trail keeps."""
    from klantvriend.core.models import AuditEvent

    customer = services.customer_create(business=business, name="Anna")
    purchase = services.purchase_create(customer=customer, amount_cents=1250)
    client = staff_api(business)

    corrected = client.patch(
        f"/api/v1/purchases/{purchase.pk}", {"amount_cents": 1520}, content_type="application/json"
    )
    refused = client.delete(f"/api/v1/purchases/{purchase.pk}")

    assert (corrected.status_code, refused.status_code) == (200, 403)
    assert Purchase.objects.get(pk=purchase.pk).amount_cents == 1520
    change = AuditEvent.objects.get(object_type="purchase")
    assert (change.action, change.actor.username, change.changes["amount_cents"]) == (
        "changed",
        "kees",
        [1250, 1520],
    )

    assert api.delete(f"/api/v1/purchases/{purchase.pk}").status_code == 204
    deleted = AuditEvent.objects.get(object_type="purchase", action="deleted")
    assert (deleted.customer_id, deleted.changes["amount_cents"]) == (customer.pk, [1520, None])
    assert not Purchase.objects.filter(pk=purchase.pk).exists()


@pytest.mark.parametrize(
    ("business_language", "asked", "stand_in"),
    [("nl", "en", "Geanonimiseerde klant {pk}"), ("en", "nl", "Anonymised customer {pk}")],
)
def test_an_erased_customer_keeps_a_name_in_the_businesss_language_not_the_callers(
    api_key, business, business_language, asked, stand_in
):
    """Everyone in the shop reads the stand-in name afterwards: the Accept-Language of the
    integration that erased the customer does not decide it."""
    business.language = business_language
    business.save(update_fields=["language"])
    customer = services.customer_create(business=business, name="Marieke Jansen")
    client = Client(headers={"Authorization": f"Bearer {api_key}", "Accept-Language": asked})

    response = client.post(f"/api/v1/customers/{customer.pk}/erase")

    assert response.status_code == 200
    assert response.json()["name"] == stand_in.format(pk=customer.pk)
    assert Customer.objects.get(pk=customer.pk).name == stand_in.format(pk=customer.pk)
