"""The owner's pages for merging two records of one person."""

from datetime import date

import pytest
from django.urls import reverse

from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.selectors import customer_version
from klantvriend.customers.tests.factories import PurchaseFactory


def _url(customer, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("web:customer_merge", args=[customer.pk]) + (f"?{query}" if query else "")


def _versions(keep, other) -> dict[str, str]:
    """What the confirmation page sends along: the versions of both records it showed."""
    return {
        "keep_version": customer_version(customer=keep),
        "other_version": customer_version(customer=other),
    }


def test_the_profile_offers_the_owner_to_merge(owner_client, business):
    jan = services.customer_create(business=business, name="Jan Bakker")

    page = owner_client.get(reverse("web:customer_detail", args=[jan.pk])).content.decode()

    assert f'href="{_url(jan)}" data-testid="merge">Samenvoegen</a>' in page


def test_the_choice_offers_the_same_name_phone_or_email_and_search_results(owner_client, business):
    jan = services.customer_create(
        business=business, name="Jan Bakker", phone="06-12345678", email="jan@bakker.example"
    )
    same_name = services.customer_create(
        business=business, name="Jan Bakker", city="Haarlem", customer_since=date(2023, 5, 1)
    )
    same_phone = services.customer_create(
        business=business, name="J. B.", phone="0612345678", customer_since=date(2024, 3, 3)
    )
    same_email = services.customer_create(
        business=business,
        name="Bakker thuis",
        email="JAN@bakker.example",
        customer_since=date(2025, 12, 28),
    )
    services.customer_create(business=business, name="Petra Visser", city="Haarlem")

    alike = owner_client.get(_url(jan)).content.decode()
    found = owner_client.get(_url(jan, q="Visser")).content.decode()

    assert "Staat Jan Bakker twee keer in de lijst?" in alike
    offered = alike.split('data-testid="merge-choices">')[1].split("</ul>")[0]
    # Found by the name first (its words are in the e-mail address too), then by the phone.
    # Each with since when they are a customer, which tells apart two of one name without
    # other details.
    assert [line.strip() for line in offered.splitlines() if line.strip()] == [
        f'<li><a href="?other={same_email.pk}">Bakker thuis</a> · JAN@bakker.example'
        " · klant sinds 28\xa0dec\xa02025</li>",
        f'<li><a href="?other={same_name.pk}">Jan Bakker</a> · Haarlem · klant sinds 1\xa0mei\xa02023'
        "</li>",
        f'<li><a href="?other={same_phone.pk}">J. B.</a> · 0612345678 · klant sinds 3\xa0mrt\xa02024'
        "</li>",
    ]
    assert "Petra Visser" not in alike
    assert "Petra Visser</a> · Haarlem · klant sinds" in found
    assert "J. B." not in found


def test_the_confirmation_says_what_moves_and_what_changes_and_merging_changes_nothing_yet(
    owner_client, business
):
    jan = services.customer_create(
        business=business, name="Jan Bakker", email="jan@bakker.example", tags=["buurt"]
    )
    twin = services.customer_create(
        business=business,
        name="J. Bakker",
        phone="0612345678",
        email="j.bakker@werk.example",
        tags=["bbq"],
    )
    PurchaseFactory(customer=twin)
    PurchaseFactory(customer=twin)

    response = owner_client.get(_url(jan, other=twin.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert "J. Bakker samenvoegen met Jan Bakker?" in page
    assert "<li>2 aankopen</li>" in page
    assert '<dt>Telefoon</dt><dd>0612345678<br><span class="hint">nu: —</span></dd>' in page
    assert "<dt>Labels</dt><dd>erbij: bbq</dd>" in page
    assert (
        '<dl class="data-list" data-testid="merge-not-taken"><dt>E-mail</dt>'
        "<dd>j.bakker@werk.example</dd></dl>"
    ) in page
    assert Customer.objects.filter(pk=twin.pk).exists()
    assert Purchase.objects.filter(customer=twin).count() == 2


def test_confirming_merges_and_returns_to_the_kept_profile(owner_client, business, owner):
    jan = services.customer_create(business=business, name="Jan Bakker")
    twin = services.customer_create(business=business, name="J. Bakker", phone="0612345678")
    PurchaseFactory(customer=twin)

    response = owner_client.post(_url(jan), {"other": twin.pk, **_versions(jan, twin)}, follow=True)

    assert response.redirect_chain == [(reverse("web:customer_detail", args=[jan.pk]), 302)]
    assert "J. Bakker is opgegaan in Jan Bakker: ze zijn nu één klant." in response.content.decode()
    assert not Customer.objects.filter(pk=twin.pk).exists()
    assert Purchase.objects.filter(customer=jan).count() == 1
    assert AuditEvent.objects.get(customer=jan, action="merged").actor == owner


NAMESAKE_TEXTS = {
    "nl": {
        "heading": "Femke den Prins (klant sinds 28 dec 2025) samenvoegen met Femke den Prins "
        "(klant sinds 3 mrt 2024)?",
        "explanation": "Alles van Femke den Prins (klant sinds 28 dec 2025) komt op de klantkaart "
        "van Femke den Prins (klant sinds 3 mrt 2024), die blijft; de andere klantkaart "
        "verdwijnt. Dit kan niet ongedaan worden gemaakt.",
        "changes": "Wat er verandert bij Femke den Prins (klant sinds 3 mrt 2024)",
        "not_kept": "Femke den Prins (klant sinds 3 mrt 2024) heeft hiervan eigen gegevens;",
        "instead": "Liever Femke den Prins (klant sinds 28 dec 2025) houden",
        "merged": "Femke den Prins (klant sinds 28 dec 2025) is opgegaan in Femke den Prins "
        "(klant sinds 3 mrt 2024): ze zijn nu één klant.",
    },
    "en": {
        "heading": "Merge Femke den Prins (customer since 28 Dec 2025) into Femke den Prins "
        "(customer since 3 Mar 2024)?",
        "explanation": "Everything of Femke den Prins (customer since 28 Dec 2025) moves to the "
        "record of Femke den Prins (customer since 3 Mar 2024), which stays; the other record "
        "goes. This cannot be undone.",
        "changes": "What changes for Femke den Prins (customer since 3 Mar 2024)",
        "not_kept": "Femke den Prins (customer since 3 Mar 2024) has these details of their own;",
        "instead": "Keep Femke den Prins (customer since 28 Dec 2025) instead",
        "merged": "Femke den Prins (customer since 28 Dec 2025) has been merged into Femke den "
        "Prins (customer since 3 Mar 2024): they are one customer now.",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_two_records_of_one_name_are_told_apart_before_and_after_merging(
    owner_client, business, owner, language
):
    # Given two records of one name, the later one typed in at the counter with another phone
    # number, opened from the profile of the earlier one (no numbers of a duplicates group),
    from klantvriend.core.accounts import account_language_set

    account_language_set(user=owner, language=language)
    femke = services.customer_create(
        business=business,
        name="Femke den Prins",
        phone="0612345678",
        customer_since=date(2024, 3, 3),
    )
    twin = services.customer_create(
        business=business,
        name="Femke den Prins",
        phone="0687654321",
        customer_since=date(2025, 12, 28),
    )
    texts = NAMESAKE_TEXTS[language]

    # when the owner looks at the confirmation and confirms it,
    page = owner_client.get(_url(femke, other=twin.pk)).content.decode()
    response = owner_client.post(
        _url(femke), {"other": twin.pk, **_versions(femke, twin)}, follow=True
    )

    # then every text names each record so that the one that stays and the one that goes
    # are told apart,
    assert f"<h1>{texts['heading']}</h1>" in page
    assert f"<p>{texts['explanation']}</p>" in page
    assert f"<h2>{texts['changes']}</h2>" in page
    assert f"<p>{texts['not_kept']}" in page
    keep_other = reverse("web:customer_merge", args=[twin.pk]) + f"?other={femke.pk}"
    assert f'<a class="button" href="{keep_other}">{texts["instead"]}</a>' in page
    # and so does the message after merging.
    assert texts["merged"] in response.content.decode()
    assert not Customer.objects.filter(pk=twin.pk).exists()


def test_a_change_since_the_confirmation_was_shown_is_refused_and_shown_again(
    owner_client, business
):
    jan = services.customer_create(business=business, name="Jan Bakker")
    twin = services.customer_create(business=business, name="J. Bakker")
    shown = _versions(jan, twin)
    services.customer_update(customer=twin, phone="0699999999")

    response = owner_client.post(_url(jan), {"other": twin.pk, **shown})

    page = response.content.decode()
    assert response.status_code == 409
    assert "Een van de twee klanten is intussen gewijzigd" in page
    assert '<dt>Telefoon</dt><dd>0699999999<br><span class="hint">nu: —</span></dd>' in page
    assert Customer.objects.filter(pk=twin.pk).exists()


def test_two_customer_numbers_are_refused_with_the_reason(owner_client, business):
    jan = services.customer_create(business=business, name="Jan Bakker", external_ref="K-1")
    twin = services.customer_create(business=business, name="J. Bakker", external_ref="K-2")

    shown = owner_client.get(_url(jan, other=twin.pk))
    posted = owner_client.post(
        _url(jan), {"other": twin.pk, "keep_version": "x", "other_version": "x"}
    )

    assert shown.status_code == posted.status_code == 409
    assert "Beide hebben een klantnummer (K-1 en K-2)" in shown.content.decode()
    assert 'data-testid="merge-confirm"' not in shown.content.decode()
    assert Customer.objects.filter(pk=twin.pk).exists()


def test_a_record_of_another_business_is_not_found(owner_client, business, other_business):
    jan = services.customer_create(business=business, name="Jan Bakker")
    stranger = services.customer_create(business=other_business, name="Geheime Klant")

    shown = owner_client.get(_url(jan, other=stranger.pk))
    posted = owner_client.post(
        _url(jan), {"other": stranger.pk, "keep_version": "x", "other_version": "x"}
    )

    assert shown.status_code == posted.status_code == 404
    assert "Geheime Klant" not in shown.content.decode() + posted.content.decode()
    assert Customer.objects.filter(pk=stranger.pk).exists()


def test_a_record_deleted_meanwhile_is_not_found_and_the_kept_one_is_untouched(
    owner_client, business
):
    jan = services.customer_create(business=business, name="Jan Bakker")
    twin = services.customer_create(business=business, name="J. Bakker", phone="0612345678")
    versions = _versions(jan, twin)
    twin_id = twin.pk
    Customer.objects.filter(pk=twin_id).delete()

    shown = owner_client.get(_url(jan, other=twin_id))
    posted = owner_client.post(_url(jan), {"other": twin_id, **versions})

    assert shown.status_code == posted.status_code == 404
    jan.refresh_from_db()
    assert customer_version(customer=jan) == versions["keep_version"]
    assert not AuditEvent.objects.filter(customer=jan, action="merged").exists()


def test_staff_cannot_merge(staff_client, business):
    jan = services.customer_create(business=business, name="Jan Bakker")
    twin = services.customer_create(business=business, name="J. Bakker")

    response = staff_client.post(_url(jan), {"other": twin.pk, **_versions(jan, twin)})

    assert response.status_code == 403
    assert Customer.objects.filter(pk=twin.pk).exists()
