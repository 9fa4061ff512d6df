"""Whatever people type, forms answer with a saved record or a message, never a server error,
and a refusal stores nothing."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klantvriend.core.money import MAX_CENTS, AmountError, parse_amount
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.tests.factories import CustomerFactory

FUZZ = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TYPED = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.from_regex(
    r"\A[-€ ]?[0-9]{1,7}([.,][0-9]{1,4})?\Z"
)


@FUZZ
@given(amount=TYPED, description=st.text(max_size=400))
def test_purchase_form_saves_or_refuses_whatever_is_typed(
    owner_client, business, amount, description
):
    customer = CustomerFactory(business=business)
    before = Purchase.objects.count()

    response = owner_client.post(
        f"/customers/{customer.pk}/purchases/",
        {"amount": amount, "description": description},
        headers={"HX-Request": "true"},
    )

    assert response.status_code in {200, 422}
    if response.status_code == 422:
        assert Purchase.objects.count() == before
    else:
        purchase = Purchase.objects.latest("id")
        assert purchase.amount_cents == parse_amount(amount)
        assert purchase.description == description.strip()


@FUZZ
@given(name=st.text(max_size=300), phone=st.text(max_size=40))
def test_quick_add_saves_or_refuses_whatever_is_typed(owner_client, business, name, phone):
    before = Customer.objects.count()

    response = owner_client.post(
        "/customers/quick-add/", {"name": name, "phone": phone}, headers={"HX-Request": "true"}
    )

    assert response.status_code in {204, 422}
    expected = before + (1 if response.status_code == 204 else 0)
    assert Customer.objects.count() == expected


def _parse(typed: str) -> int | str:
    try:
        return parse_amount(typed)
    except AmountError as refused:
        return refused.code


@settings(max_examples=300, deadline=None)
@given(typed=TYPED)
def test_amount_parser_returns_cents_or_a_reason(typed):
    outcome = _parse(typed)

    if isinstance(outcome, str):
        assert outcome in {"required", "negative", "invalid", "ambiguous", "precision", "too_large"}
    else:
        assert 0 <= outcome <= MAX_CENTS
