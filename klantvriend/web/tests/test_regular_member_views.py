"""The regular staff member on the pages: chosen on the customer form where more than one
person works here, refused for anyone else, named on the briefing card (once), and a filter of
the customer list."""

import pytest
from django.urls import reverse

from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.models import Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.customers.tests.test_served_by import _served

from .sent_forms import form_as_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def joris(business):
    user = user_create(username="joris", password="pw-joris-123", first_name="Joris")
    user.last_name = "Bakker"
    user.save()
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


def _edit(client, customer):
    return client.get(reverse("web:customer_edit", args=[customer.pk]))


def test_alone_in_the_business_the_form_asks_no_regular_member(owner_client, business):
    customer = CustomerFactory(business=business)

    page = _edit(owner_client, customer).content.decode()

    assert 'name="regular_member"' not in page
    assert "Vaste medewerker" not in page


def test_with_colleagues_the_form_offers_them_and_no_one_in_particular(
    owner_client, business, owner, joris
):
    customer = CustomerFactory(business=business, regular_member=joris)

    page = _edit(owner_client, customer).content.decode()

    assert '<label for="id_regular_member">Vaste medewerker</label>' in page
    assert '<option value="">Niemand in het bijzonder</option>' in page
    assert f'<option value="{joris.pk}" selected>Joris Bakker</option>' in page
    assert f'<option value="{owner.pk}">Sanne</option>' in page
    assert (
        "Wie hen meestal helpt (hun eigen slager, kapper of monteur): de klantkaart noemt die."
        in page
    )


def test_a_new_customer_is_saved_with_their_regular_member(owner_client, business, joris):
    sent = form_as_sent(owner_client.get(reverse("web:customer_create")), having="notes")

    response = owner_client.post(
        reverse("web:customer_create"),
        {**sent, "name": "Anna de Vries", "regular_member": joris.pk},
    )

    assert response.status_code == 302
    assert list(Customer.objects.values_list("name", "regular_member_id")) == [
        ("Anna de Vries", joris.pk)
    ]


def test_the_edit_form_changes_the_regular_member_and_the_trail_says_so(
    owner_client, business, owner, joris
):
    customer = CustomerFactory(business=business, name="Anna", regular_member=joris)
    sent = form_as_sent(_edit(owner_client, customer), having="notes")

    response = owner_client.post(
        reverse("web:customer_edit", args=[customer.pk]), {**sent, "regular_member": owner.pk}
    )

    assert response.status_code == 302
    assert Customer.objects.get(pk=customer.pk).regular_member_id == owner.pk
    event = AuditEvent.objects.get(object_type="customer", action="changed")
    assert (event.actor, event.changes) == (owner, {"regular_member": [joris.pk, owner.pk]})
    log = owner_client.get(reverse("web:audit_log")).content.decode()
    assert "vaste medewerker" in log


@pytest.mark.parametrize("who", ["other_business", "nobody"])
def test_someone_who_does_not_work_here_is_refused_and_nothing_stored(
    owner_client, business, joris, other_business, other_owner, who
):
    customer = CustomerFactory(business=business, name="Anna", regular_member=joris)
    sent = form_as_sent(_edit(owner_client, customer), having="notes")
    member = other_owner.pk if who == "other_business" else other_owner.pk + 1000

    response = owner_client.post(
        reverse("web:customer_edit", args=[customer.pk]),
        {**sent, "regular_member": member, "notes": "Koffie zwart"},
    )

    assert response.status_code == 422
    assert "Deze persoon werkt hier niet." in response.content.decode()
    assert list(Customer.objects.values_list("regular_member_id", "notes")) == [(joris.pk, "")]
    assert not AuditEvent.objects.filter(object_type="customer").exists()


def _card(client, customer) -> str:
    page = client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()
    return page[page.index('class="card briefing"') : page.index("</section>")]


def test_the_card_names_the_regular_member_and_not_again_as_who_usually_serves(
    owner_client, business, joris
):
    customer = CustomerFactory(business=business, regular_member=joris)
    _served(customer, joris, joris)

    card = _card(owner_client, customer)

    assert (
        '<div class="fact" data-testid="regular-member"><span class="fact-label">'
        'Vaste medewerker</span><span class="fact-value">Joris Bakker</span></div>'
    ) in card
    assert "Meestal geholpen door" not in card
    assert "meestal geholpen door" not in card


def test_the_card_says_briefly_who_served_them_mostly_when_that_is_someone_else(
    owner_client, business, joris
):
    customer = CustomerFactory(business=business, regular_member=joris)
    _served(customer, None, None)
    customer_of_sanne = CustomerFactory(business=business, regular_member=joris)
    owner = business.memberships.get(role=Role.OWNER).user
    _served(customer_of_sanne, owner, owner)

    assert 'data-testid="regular-member"' in _card(owner_client, customer)
    assert "geholpen door" not in _card(owner_client, customer)
    card = _card(owner_client, customer_of_sanne)
    assert (
        '<span class="fact-value">Joris Bakker</span><span class="fact-why" '
        'data-testid="usually-served-by">meestal geholpen door Sanne</span>'
    ) in card
    assert "Meestal geholpen door" not in card  # not said a second time under "Last time"


def test_the_list_filters_by_regular_member(owner_client, business, owner, joris):
    CustomerFactory(business=business, name="Anna", regular_member=joris)
    CustomerFactory(business=business, name="Bert", regular_member=owner)
    CustomerFactory(business=business, name="Cor")
    url = reverse("web:customer_list")

    def listed(**query) -> list[str]:
        page = owner_client.get(url, query).content.decode()
        return [name for name in ("Anna", "Bert", "Cor") if f">{name}</a>" in page]

    page = owner_client.get(url).content.decode()
    assert '<label for="filter-member">Vaste medewerker</label>' in page
    assert f'<option value="{joris.pk}" >Joris Bakker</option>' in page
    assert '<option value="0" >geen vaste medewerker</option>' in page
    assert listed() == ["Anna", "Bert", "Cor"]
    assert listed(member=joris.pk) == ["Anna"]
    assert listed(member=owner.pk) == ["Bert"]
    assert listed(member=0) == ["Cor"]
    chosen = owner_client.get(url, {"member": joris.pk}).content.decode()
    assert f'<option value="{joris.pk}" selected>Joris Bakker</option>' in chosen


def test_alone_in_the_business_the_list_has_no_member_filter(owner_client, business):
    CustomerFactory(business=business, name="Anna")

    page = owner_client.get(reverse("web:customer_list")).content.decode()

    assert 'id="filter-member"' not in page


def test_another_business_s_member_lists_no_one(
    owner_client, business, other_business, other_owner, joris
):
    # Their customers are not here, and the filter tells nothing of them.
    CustomerFactory(business=other_business, name="Dirk", regular_member=other_owner)
    CustomerFactory(business=business, name="Anna", regular_member=joris)

    page = owner_client.get(
        reverse("web:customer_list"), {"member": other_owner.pk}
    ).content.decode()

    assert ">Dirk</a>" not in page
    assert ">Anna</a>" not in page
    assert f'<option value="{other_owner.pk}" selected>oud-medewerker</option>' in page


def test_the_merge_page_names_the_regular_member_taken_and_the_one_not_kept(
    owner_client, business, owner, joris
):
    anna = CustomerFactory(business=business, name="Anna")
    twin = CustomerFactory(business=business, name="A. de Vries", regular_member=joris)
    bert = CustomerFactory(business=business, name="Bert", regular_member=owner)
    url = reverse("web:customer_merge", args=[anna.pk])

    filled = owner_client.get(url, {"other": twin.pk}).content.decode()
    kept = owner_client.get(
        reverse("web:customer_merge", args=[bert.pk]), {"other": twin.pk}
    ).content.decode()

    assert (
        '<dt>Vaste medewerker</dt><dd>Joris Bakker<br><span class="hint">nu: —</span></dd>'
    ) in filled
    assert (
        '<dl class="data-list" data-testid="merge-not-taken"><dt>Vaste medewerker</dt>'
        "<dd>Joris Bakker</dd></dl>"
    ) in kept


def test_the_personal_data_page_lists_the_regular_member(owner_client, business, joris):
    customer = CustomerFactory(business=business, regular_member=joris)

    page = owner_client.get(
        reverse("web:customer_personal_data", args=[customer.pk])
    ).content.decode()

    start = page.index("Vaste medewerker")
    assert "Joris Bakker" in page[start : start + 200]


def test_removing_a_member_says_first_how_many_customers_lose_them_then_does_it(
    owner_client, business, owner, joris
):
    anna = CustomerFactory(business=business, name="Anna", regular_member=joris)
    bert = CustomerFactory(business=business, name="Bert", regular_member=joris)
    CustomerFactory(business=business, name="Cor", regular_member=owner)
    membership = business.memberships.get(user=joris)
    url = reverse("web:member_remove", args=[membership.pk])

    asked = owner_client.get(url).content.decode()
    assert (
        '<p data-testid="regular-customers">2 klanten hebben deze persoon als vaste medewerker; '
        "daarna hebben die klanten er geen.</p>"
    ) in asked
    assert Customer.objects.filter(regular_member=joris).count() == 2

    response = owner_client.post(url)

    assert response.status_code == 302
    assert dict(Customer.objects.values_list("name", "regular_member_id")) == {
        "Anna": None,
        "Bert": None,
        "Cor": owner.pk,
    }
    for customer in (anna, bert):
        card = _card(owner_client, customer)
        assert 'data-testid="regular-member"' not in card
        assert "Joris" not in card


def test_removing_a_member_nobody_has_as_regular_says_nothing_of_customers(
    owner_client, business, joris
):
    membership = business.memberships.get(user=joris)

    asked = owner_client.get(reverse("web:member_remove", args=[membership.pk])).content.decode()

    assert 'data-testid="regular-customers"' not in asked
