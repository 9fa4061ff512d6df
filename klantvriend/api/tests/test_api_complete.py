"""The resources added for a complete API: corrections and deletions, important dates, tags."""

from datetime import date

from klantvriend.customers import services
from klantvriend.customers.models import ContactMoment, ImportantDate, Purchase


def test_a_purchase_is_corrected_and_deleted(api, business):
    customer = services.customer_create(business=business, name="Anna")
    purchase = services.purchase_create(customer=customer, amount_cents=1250)

    corrected = api.patch(
        f"/api/v1/purchases/{purchase.pk}", {"amount_cents": 1520}, content_type="application/json"
    )
    refused = api.patch(
        f"/api/v1/purchases/{purchase.pk}", {"amount_cents": "15"}, content_type="application/json"
    )
    deleted = api.delete(f"/api/v1/purchases/{purchase.pk}")

    assert corrected.status_code == 200
    assert corrected.json()["amount_cents"] == 1520
    assert refused.status_code == 422
    assert deleted.status_code == 204
    assert not Purchase.objects.filter(pk=purchase.pk).exists()


def test_a_future_moment_is_refused_and_nothing_changes(api, business):
    customer = services.customer_create(business=business, name="Anna")
    moment = services.contact_moment_create(customer=customer, kind="call", summary="Gebeld")

    response = api.patch(
        f"/api/v1/contact-moments/{moment.pk}",
        {"summary": "Anders", "at": "2099-01-01T10:00:00+01:00"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert ContactMoment.objects.get(pk=moment.pk).summary == "Gebeld"


def test_another_businesss_rows_cannot_be_changed(api, other_business):
    stranger = services.customer_create(business=other_business, name="Elders")
    purchase = services.purchase_create(customer=stranger, amount_cents=100)

    assert api.delete(f"/api/v1/purchases/{purchase.pk}").status_code == 404
    assert (
        api.post(
            "/api/v1/important-dates",
            {"customer": stranger.pk, "label": "Trouwdag", "date": "2000-01-01"},
            content_type="application/json",
        ).status_code
        == 422
    )
    assert Purchase.objects.filter(pk=purchase.pk).exists()
    assert ImportantDate.objects.count() == 0


def test_the_same_important_date_twice_is_a_422_on_the_date_and_stores_nothing(api, business):
    customer = services.customer_create(business=business, name="Anna")
    body = {"customer": customer.pk, "label": "Trouwdag", "date": "2005-06-01"}
    first = api.post("/api/v1/important-dates", body, content_type="application/json")

    again = api.post(
        "/api/v1/important-dates", {**body, "yearly": False}, content_type="application/json"
    )

    assert (first.status_code, again.status_code) == (201, 422)
    assert again.json() == {
        "detail": [
            {
                "loc": ["body", "date"],
                "msg": "This customer already has “Trouwdag” on this date.",
                "type": "unique",
                "existing_id": first.json()["id"],
            }
        ]
    }
    assert list(ImportantDate.objects.values_list("label", "date", "yearly")) == [
        ("Trouwdag", date(2005, 6, 1), True)
    ]


def test_an_important_date_that_loses_a_race_names_the_one_that_won(api, business, monkeypatch):
    """Another request saves the same date just after this one's check passed: the database
    refuses this save, and the refusal is the one the check would have given, with its id."""
    customer = services.customer_create(business=business, name="Anna")
    real = ImportantDate.full_clean

    def full_clean_then_the_other_request_saves(self, *args, **kwargs):
        real(self, *args, **kwargs)
        ImportantDate.objects.create(
            business=business, customer=customer, label="Trouwdag", date=date(2005, 6, 1)
        )

    monkeypatch.setattr(ImportantDate, "full_clean", full_clean_then_the_other_request_saves)

    response = api.post(
        "/api/v1/important-dates",
        {"customer": customer.pk, "label": "Trouwdag", "date": "2005-06-01", "yearly": False},
        content_type="application/json",
    )

    winner = ImportantDate.objects.get()
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "date"],
                "msg": "This customer already has “Trouwdag” on this date.",
                "type": "unique",
                "existing_id": winner.pk,
            }
        ]
    }
    assert (winner.label, winner.date, winner.yearly) == ("Trouwdag", date(2005, 6, 1), True)


def test_important_dates_and_tags(api, business):
    customer = services.customer_create(business=business, name="Anna", tags=["vaste klant"])

    created = api.post(
        "/api/v1/important-dates",
        {"customer": customer.pk, "label": "Trouwdag", "date": "2005-06-01"},
        content_type="application/json",
    )
    listed = api.get(f"/api/v1/important-dates?customer={customer.pk}")
    tags = api.get("/api/v1/tags")

    assert created.status_code == 201
    assert listed.json()["count"] == 1
    assert ImportantDate.objects.get().date == date(2005, 6, 1)
    assert tags.json() == {
        "items": [
            {"id": customer.tags.get().pk, "name": "vaste klant", "customer_count": 1},
        ],
        "count": 1,
    }
    assert created.json()["called_at"] is None
    assert api.delete(f"/api/v1/important-dates/{created.json()['id']}").status_code == 204


def test_an_important_date_says_when_someone_called_about_it(api, business, owner):
    customer = services.customer_create(business=business, name="Anna")
    apk = services.important_date_add(customer=customer, label="APK", date=date(2020, 12, 10))
    moment = services.important_date_called(important_date=apk, member=owner)

    read = api.get(f"/api/v1/important-dates/{apk.pk}").json()
    listed = api.get(f"/api/v1/important-dates?customer={customer.pk}").json()["items"]

    # In UTC to the millisecond, as every moment the API writes.
    assert read["called_at"] == moment.at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    assert listed == [read]
