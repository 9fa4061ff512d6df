"""Erasure cuts out what identified the person before, not only what their record holds now."""

from klantvriend.customers import services
from klantvriend.customers.models import Purchase
from klantvriend.customers.tests.factories import PurchaseFactory
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.tests.test_privacy import database_text


def test_a_name_changed_before_the_erasure_goes_from_the_purchases_too(business, owner):
    customer = services.customer_create(
        business=business, name="Mirjam Oosterhout", phone="0611122233", actor=owner
    )
    purchase = PurchaseFactory(customer=customer, description="taart voor Mirjam Oosterhout")
    services.customer_update(
        customer=customer, name="Mirjam de Wit", phone="0644455566", actor=owner
    )

    customer_erase(customer=customer, actor=owner)

    purchase.refresh_from_db()
    assert purchase.description == "taart voor […]"
    dump = database_text()
    assert "Oosterhout" not in dump
    assert "0611122233" not in dump


def test_each_half_of_a_double_surname_goes(business, owner):
    customer = services.customer_create(business=business, name="Karin Verhoef-Smits", actor=owner)
    PurchaseFactory(customer=customer, description="bestelling Verhoef, ophalen vrijdag")
    PurchaseFactory(customer=customer, description="Smits: gourmetschotel")

    customer_erase(customer=customer, actor=owner)

    assert sorted(Purchase.objects.values_list("description", flat=True)) == [
        "[…]: gourmetschotel",
        "bestelling […], ophalen vrijdag",
    ]
