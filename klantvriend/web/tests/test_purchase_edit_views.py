"""A purchase typed wrongly is corrected on the web pages, as through the API: any member changes
its amount, what, who served it and when; an owner removes one recorded by mistake. The audit
trail keeps what it was; another business's purchase is not found."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lotte(business):
    user = user_create(username="lotte", password="pw-lotte-123", first_name="Lotte")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


@pytest.fixture
def purchase(business, owner):
    customer = CustomerFactory(business=business, name="Marieke de Boer")
    at = timezone.make_aware(datetime(2026, 11, 28, 11, 0), business.tzinfo)
    return PurchaseFactory(
        customer=customer, amount_cents=95000, description="Kleuring", member=owner, at=at
    )


def _url(purchase, name="web:purchase_edit"):
    return reverse(name, args=[purchase.customer_id, purchase.pk])


def _stored(purchase):
    return Purchase.objects.filter(pk=purchase.pk).values_list(
        "amount_cents", "description", "member", "at"
    )[0]


def _form(client, purchase) -> dict:
    """The page's form as it is filled in when opened, as the browser sends it back."""
    page = client.get(_url(purchase))
    assert page.status_code == 200
    form = page.context["form"]
    data = {}
    for name, field in form.fields.items():
        shown = field.widget.format_value(form[name].value())
        data[name] = (shown[0] if shown else "") if isinstance(shown, list) else shown or ""
    return data


def test_the_timeline_links_a_purchase_to_its_correction(staff_client, purchase):
    page = staff_client.get(reverse("web:customer_detail", args=[purchase.customer_id]))

    assert f'href="{_url(purchase)}" data-testid="purchase-edit-link">Wijzigen' in (
        page.content.decode()
    )


def test_staff_correct_the_amount_and_who_served_it(staff_client, purchase, lotte, owner):
    data = _form(staff_client, purchase)
    assert (data["amount"], data["description"], data["member"], data["at"]) == (
        "950,00",
        "Kleuring",
        str(owner.pk),
        "2026-11-28T11:00",
    )

    response = staff_client.post(_url(purchase), {**data, "amount": "95,00", "member": lotte.pk})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:customer_detail", args=[purchase.customer_id])
    assert _stored(purchase) == (9500, "Kleuring", lotte.pk, purchase.at)
    event = AuditEvent.objects.get(object_type="purchase", object_id=purchase.pk)
    assert event.changes == {"amount_cents": [95000, 9500], "member_id": [owner.pk, lotte.pk]}


def test_no_one_named_takes_the_name_off(owner_client, purchase):
    data = _form(owner_client, purchase)

    owner_client.post(_url(purchase), {**data, "member": ""})

    assert _stored(purchase)[2] is None


def test_a_wrong_amount_is_refused_at_its_field_and_nothing_changes(owner_client, purchase):
    before = _stored(purchase)
    data = _form(owner_client, purchase)

    response = owner_client.post(_url(purchase), {**data, "amount": "veel", "description": "X"})

    assert response.status_code == 422
    assert response.context["form"].errors["amount"]
    assert _stored(purchase) == before
    assert not AuditEvent.objects.filter(object_type="purchase").exists()


def test_someone_who_left_stays_named_until_the_name_is_changed(owner_client, purchase, lotte):
    Purchase.objects.filter(pk=purchase.pk).update(member=lotte)
    lotte.memberships.all().delete()
    data = _form(owner_client, purchase)
    assert data["member"] == str(lotte.pk)

    owner_client.post(_url(purchase), {**data, "description": "Kleuring + knippen"})

    assert _stored(purchase)[1:3] == ("Kleuring + knippen", lotte.pk)


def test_a_change_saved_meanwhile_is_not_overwritten_unseen(owner_client, purchase):
    data = _form(owner_client, purchase)
    Purchase.objects.filter(pk=purchase.pk).update(description="Balayage")

    response = owner_client.post(_url(purchase), {**data, "amount": "95,00"})

    assert response.status_code == 409
    assert _stored(purchase)[:2] == (95000, "Balayage")
    form = response.context["form"]
    assert form["amount"].value() == "95,00"  # what was typed stays
    assert form.non_field_errors() == [
        "Iemand anders heeft deze aankoop opgeslagen terwijl jij hem wijzigde. Kijk na wat je "
        "typte en sla opnieuw op om het te bewaren."
    ]


def test_only_an_owner_removes_a_purchase(staff_client, owner_client, purchase):
    refused = staff_client.post(_url(purchase, "web:purchase_delete"))
    assert refused.status_code == 403
    assert Purchase.objects.filter(pk=purchase.pk).exists()
    assert "purchase-delete-form" not in staff_client.get(_url(purchase)).content.decode()

    response = owner_client.post(_url(purchase, "web:purchase_delete"))

    assert response.status_code == 302
    assert not Purchase.objects.filter(pk=purchase.pk).exists()
    event = AuditEvent.objects.get(object_type="purchase", object_id=purchase.pk)
    assert event.action == "deleted"


def test_another_business_purchase_is_not_found(owner_client, other_business, purchase, business):
    theirs = PurchaseFactory(customer=CustomerFactory(business=other_business))
    before = _stored(theirs)
    # Through its own customer, and through one of this business
    own_customer = CustomerFactory(business=business)
    for customer_id in (theirs.customer_id, own_customer.pk):
        for name in ("web:purchase_edit", "web:purchase_delete"):
            url = reverse(name, args=[customer_id, theirs.pk])
            assert owner_client.post(url, {"amount": "1"}).status_code == 404
    # And a purchase of this business through another of its customers
    url = reverse("web:purchase_edit", args=[own_customer.pk, purchase.pk])
    assert owner_client.get(url).status_code == 404
    assert _stored(theirs) == before


def test_a_moment_left_as_shown_stays_to_the_second_and_unknown_time_stays_unknown(
    owner_client, business
):
    at = timezone.make_aware(datetime(2026, 11, 11, 12, 0, 0), business.tzinfo)
    imported = PurchaseFactory(customer=CustomerFactory(business=business), at=at)
    Purchase.objects.filter(pk=imported.pk).update(time_known=False)
    recorded = PurchaseFactory(
        customer=CustomerFactory(business=business),
        at=timezone.make_aware(datetime(2026, 12, 2, 16, 4, 47), business.tzinfo),
    )
    for purchase in (imported, recorded):
        data = _form(owner_client, purchase)
        owner_client.post(_url(purchase), {**data, "description": "Knippen"})

    assert list(
        Purchase.objects.filter(pk__in=[imported.pk, recorded.pk])
        .order_by("pk")
        .values_list("at", "time_known", "description")
    ) == [(imported.at, False, "Knippen"), (recorded.at, True, "Knippen")]
    assert [event.changes for event in AuditEvent.objects.filter(object_type="purchase")] == [
        {"description": ["", "Knippen"]},
        {"description": ["", "Knippen"]},
    ]


def test_a_moment_corrected_is_stored_with_its_time(owner_client, purchase, business):
    data = _form(owner_client, purchase)

    owner_client.post(_url(purchase), {**data, "at": "2026-11-27T15:30"})

    assert _stored(purchase)[3] == timezone.make_aware(
        datetime(2026, 11, 27, 15, 30), business.tzinfo
    )
