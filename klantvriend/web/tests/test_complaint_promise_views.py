"""The profile's complaint form and its "Wijzigen" name the promise a complaint is about,
offered from the customer's own promises (complaints.models.Complaint.promise)."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.tests.factories import PromiseFactory


def test_the_profile_offers_the_customers_promises_and_saves_the_one_chosen(
    owner_client, mehmet, car_ready
):
    PromiseFactory(customer=CustomerFactory(business=mehmet.business), description="Niet van hem")
    url = reverse("web:customer_detail", args=[mehmet.pk])

    page = owner_client.get(url).content.decode()

    options = re.findall(
        r'<option value="(\d*)"[^>]*>([^<]*)</option>',
        re.search(r'<select name="promise".*?</select>', page, re.S)[0],
    )
    due = timezone.localtime(car_ready.due_at)
    assert [value for value, _ in options] == ["", str(car_ready.pk)]
    assert options[0][1] == "gaat niet over een belofte"
    assert options[1][1].startswith("Auto klaar · ")
    assert options[1][1].endswith(f"{due:%H:%M}")

    saved = owner_client.post(
        reverse("web:complaint_add", args=[mehmet.pk]),
        {
            "description": "Auto niet klaar om vier uur",
            "channel": "phone",
            "severity": "medium",
            "driver": "reliability",
            "promise": str(car_ready.pk),
        },
        follow=True,
    )

    assert saved.status_code == 200
    assert Complaint.objects.get().promise == car_ready
    assert (
        '<span class="subtle" data-testid="complaint-promise">Over de belofte “Auto klaar”</span>'
        in saved.content.decode()
    )


def test_a_customer_never_promised_anything_is_not_asked(owner_client, mehmet):
    page = owner_client.get(reverse("web:customer_detail", args=[mehmet.pk])).content.decode()

    assert 'name="promise"' not in page


def test_the_profile_refuses_another_customers_promise_and_stores_nothing(
    owner_client, mehmet, car_ready
):
    someone_elses = PromiseFactory(customer=CustomerFactory(business=mehmet.business))

    refused = owner_client.post(
        reverse("web:complaint_add", args=[mehmet.pk]),
        {
            "description": "Krassen op de deur",
            "channel": "counter",
            "severity": "medium",
            "driver": "other",
            "promise": str(someone_elses.pk),
        },
    )

    assert refused.status_code == 422
    assert "Selecteer een geldige keuze" in refused.content.decode()
    assert not Complaint.objects.exists()


def test_wijzigen_links_and_unlinks_the_promise(owner_client, mehmet, car_ready):
    complaint = ComplaintFactory(customer=mehmet, description="Krassen op de deur")
    url = reverse("web:complaint_edit", args=[complaint.pk])
    form = owner_client.get(url).context["form"]
    sent = {
        name: "" if value is None else value
        for name, value in form.initial.items()
        if name not in ("resolution", "satisfaction_after")
    }
    sent["received_at"] = timezone.localtime(complaint.received_at).strftime("%Y-%m-%dT%H:%M")

    owner_client.post(url, {**sent, "promise": str(car_ready.pk)})
    assert Complaint.objects.get().promise == car_ready

    form = owner_client.get(url).context["form"]
    assert form.initial["promise"] == car_ready.pk
    owner_client.post(url, {**sent, "version": form.initial["version"], "promise": ""})
    assert Complaint.objects.get().promise is None


def test_the_promises_kept_page_counts_the_complaints_about_a_promise(
    owner_client, business, other_business, mehmet, car_ready, owner
):
    """What breaking a promise cost, beside how often the shop keeps its word."""
    now = timezone.now()
    car_ready.done_at = now - timedelta(hours=1)  # an hour after the moment said: late
    car_ready.save()
    quote = PromiseFactory(
        customer=mehmet,
        description="Offerte sturen",
        made_at=now - timedelta(days=5),
        due_at=now - timedelta(days=2),
        done_at=now - timedelta(days=3),
    )
    ComplaintFactory(customer=mehmet, promise=car_ready, description="Auto niet klaar")
    ComplaintFactory(customer=mehmet, promise=quote, description="Offerte te duur")
    ComplaintFactory(customer=mehmet, description="Koffie was koud")
    elsewhere = CustomerFactory(business=other_business)
    ComplaintFactory(customer=elsewhere, promise=PromiseFactory(customer=elsewhere))

    page = owner_client.get(reverse("web:promise_reliability")).content.decode()

    card = re.search(
        r'<section class="card" data-testid="promise-complaints">.*?</section>', page, re.S
    )[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)).strip()
    with translation.override("nl"):
        since = date_format(timezone.localtime(now - timedelta(days=365)), "j F Y")
    assert text == (
        f"Klachten over een belofte 2 klachten sinds {since} gingen "
        "over een belofte; daarvan 1 over een belofte die niet op tijd werd nagekomen. "
        "Mehmet Yilmaz Offerte te duur Over de belofte “Offerte sturen” · eerder nagekomen "
        "Mehmet Yilmaz Auto niet klaar Over de belofte “Auto klaar” · te laat nagekomen "
        "Een belofte die je niet nakomt, kost meer dan een die je niet doet: beloof minder, "
        "doe meer."
    )


def test_without_a_complaint_about_a_promise_the_page_has_no_such_card(
    owner_client, mehmet, car_ready
):
    ComplaintFactory(customer=mehmet, description="Koffie was koud")

    page = owner_client.get(reverse("web:promise_reliability")).content.decode()

    assert 'data-testid="promise-complaints"' not in page


def test_the_complaint_list_says_which_promise_a_complaint_is_about(
    owner_client, mehmet, car_ready
):
    ComplaintFactory(customer=mehmet, promise=car_ready, description="Auto niet klaar")
    ComplaintFactory(customer=mehmet, description="Koffie was koud")

    page = owner_client.get(reverse("web:complaint_list")).content.decode()

    assert re.findall(
        r'<span class="subtle" data-testid="complaint-promise">([^<]*)</span>', page
    ) == ["Over de belofte “Auto klaar”"]
