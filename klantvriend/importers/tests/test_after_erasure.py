"""After erasure nothing new is recorded about the person: no change to their record and no new
record of theirs, by hand, through the API or by an automatic rule; an open complaint can still
be closed."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.services import follow_up_create, follow_up_plan_for_purchase
from klantvriend.complaints.services import complaint_create, complaint_resolve
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.customers import services
from klantvriend.customers.models import Customer
from klantvriend.gestures.services import gesture_create
from klantvriend.importers.privacy import customer_erase
from klantvriend.importers.tests.test_privacy import database_text
from klantvriend.promises.services import promise_create
from klantvriend.surveys.models import InvitationChannel
from klantvriend.surveys.services import survey_invitation_create

NEW_RECORDS = {
    "edit": lambda c: services.customer_update(customer=c, name="Anna Nieuw", notes="zoon Tim"),
    "purchase": lambda c: services.purchase_create(customer=c, amount_cents=500),
    "contact moment": lambda c: services.contact_moment_create(
        customer=c, kind="call", summary="belde over Tim"
    ),
    "important date": lambda c: services.important_date_add(
        customer=c, label="verjaardag Tim", date=date(2020, 5, 1)
    ),
    "promise": lambda c: promise_create(
        customer=c, description="taart voor Tim", due_date=c.business.today()
    ),
    "complaint": lambda c: complaint_create(customer=c, description="Tim was ontevreden"),
    "follow-up": lambda c: follow_up_create(
        business=c.business, customer=c, note="Tim bellen", due_on=c.business.today()
    ),
    "gesture": lambda c: gesture_create(customer=c, what="bloemen voor Tim"),
    "survey invitation": lambda c: survey_invitation_create(
        business=c.business, customer=c, channel=InvitationChannel.COUNTER
    ),
}


@pytest.fixture
def anonymised(business, owner):
    customer = services.customer_create(business=business, name="Anna Oud", email="a@oud.example")
    services.purchase_create(customer=customer, amount_cents=1250)  # kept for the tax authorities
    customer_erase(customer=customer, actor=owner)
    return Customer.objects.get(pk=customer.pk)


@pytest.mark.parametrize("record", NEW_RECORDS)
def test_nothing_new_is_recorded_about_an_anonymised_customer(anonymised, record):
    before = database_text()

    with pytest.raises(ValidationError) as refused:
        NEW_RECORDS[record](anonymised)

    assert refused.value.code == "anonymised"
    assert refused.value.messages == [
        "Deze klant is geanonimiseerd: er kan niets nieuws over worden vastgelegd."
    ]
    assert database_text() == before


@pytest.mark.parametrize("record", NEW_RECORDS)
def test_nothing_new_is_recorded_from_a_customer_read_before_their_erasure(business, owner, record):
    """A request read the customer before an owner's erasure of them was committed: what it
    records is refused by the customer as stored, not as read. Recorded after the erasure, it
    would hold personal data that no second erasure reaches."""
    anna = services.customer_create(business=business, name="Anna Oud")
    read_before = Customer.objects.get(pk=anna.pk)
    customer_erase(customer=Customer.objects.get(pk=anna.pk), actor=owner)
    before = database_text()

    with pytest.raises(ValidationError) as refused:
        NEW_RECORDS[record](read_before)

    assert refused.value.code == "anonymised"
    assert database_text() == before


def test_what_was_left_open_can_still_be_closed(business, owner):
    """A complaint stays open through an erasure (a public one may still want its answer), and
    its answer records nothing of the person. Promises and planned checks are closed by the
    erasure itself (test_privacy's test_an_erasure_ends_what_was_still_to_be_done_...)."""
    customer = services.customer_create(business=business, name="Anna Oud")
    complaint = ComplaintFactory(customer=customer, description="taart te laat")
    customer_erase(customer=customer, actor=owner)
    complaint.refresh_from_db()

    complaint_resolve(complaint=complaint, actor=owner, resolution="Excuses gemaakt")

    complaint.refresh_from_db()
    assert complaint.resolved_at is not None


def test_no_follow_up_is_planned_for_an_anonymised_customer(business, anonymised):
    bram = services.customer_create(business=business, name="Bram")
    large = services.purchase_create(customer=bram, amount_cents=30000)  # over the default minimum
    assert follow_up_plan_for_purchase(purchase=large) is not None  # the rule fires for Bram
    till = services.purchase_create(customer=bram, amount_cents=30000)
    till.customer = anonymised  # as an import attaches a till's purchase to them

    assert follow_up_plan_for_purchase(purchase=till) is None
    assert FollowUp.objects.filter(customer=anonymised).count() == 0


def test_the_api_and_the_profile_refuse_new_records_and_offer_no_forms(
    api, owner_client, anonymised
):
    url = f"/api/v1/customers/{anonymised.pk}"
    before = database_text()

    changed = api.patch(url, {"notes": "zoon Tim"}, content_type="application/json")
    moment = api.post(
        "/api/v1/contact-moments",
        {"customer": anonymised.pk, "kind": "call", "summary": "Tim"},
        content_type="application/json",
    )
    purchase = owner_client.post(
        f"/customers/{anonymised.pk}/purchases/", {"amount": "5"}, HTTP_HX_REQUEST="true"
    )
    profile = owner_client.get(f"/customers/{anonymised.pk}/").content.decode()

    # Refused for the customer's state, not the input: a conflict (docs/api.md).
    assert (changed.status_code, changed.json()["code"]) == (409, "anonymised")
    assert (moment.status_code, moment.json()["code"]) == (409, "anonymised")
    assert purchase.status_code == 422
    assert "er wordt niets nieuws over vastgelegd" in purchase.content.decode()
    assert database_text().count("Tim") == before.count("Tim") == 0
    assert 'data-testid="anonymised-note"' in profile
    for form in ["purchase-form", "contact-form", "promise-form", "complaint-form", "gesture-form"]:
        assert f'data-testid="{form}"' not in profile
    assert f"/customers/{anonymised.pk}/edit/" not in profile
    assert f"/customers/{anonymised.pk}/delete/" not in profile
    edit = owner_client.get(f"/customers/{anonymised.pk}/edit/")
    assert edit.status_code == 302
    assert edit.url == f"/customers/{anonymised.pk}/"
    delete = owner_client.get(f"/customers/{anonymised.pk}/delete/").content.decode()
    assert "zijn al geanonimiseerd" in delete
    assert "Anonimiseer de klant" not in delete
    assert timezone.now() - anonymised.erased_at < timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_an_edit_read_before_an_erasure_committed_writes_nothing_back(business, owner):
    """Two connections: an edit of the customer reads them while their erasure is being written.
    It used to pass the anonymised check on that read, wait for the erasure's lock to save, and
    then write its whole object over the anonymised row: the name, phone number and notes back,
    and the customer no longer anonymised. It reads the row under the lock now, after the
    erasure, and is refused."""
    anna = services.customer_create(
        business=business, name="Anna de Vries", phone="0612345678", notes="zoon Tim"
    )
    outcome = {}

    def edit():
        try:
            services.customer_update(customer=Customer.objects.get(pk=anna.pk), city="Zwolle")
            outcome["edit"] = "saved"
        except ValidationError as refused:
            outcome["edit"] = refused.code
        finally:
            connection.close()

    with transaction.atomic():
        customer_erase(customer=anna, actor=owner)
        editor = threading.Thread(target=edit)
        editor.start()
        wait_until_blocked_or_done(editor, what="the edit")
    editor.join(timeout=60)

    assert outcome == {"edit": "anonymised"}
    stored = Customer.objects.get(pk=anna.pk)
    assert stored.erased_at is not None
    assert (stored.name, stored.phone, stored.notes, stored.city) == (
        f"Geanonimiseerde klant {anna.pk}",
        "",
        "",
        "",
    )


@pytest.mark.django_db(transaction=True)
def test_a_promise_made_while_the_erasure_is_written_waits_for_it_and_is_refused(business, owner):
    """Two connections: a promise for the customer is made while their erasure is being
    written. It read the customer before; it waits for the erasure's lock on the customer's
    row and is then refused, rather than stored after the erasure with its description."""
    anna = services.customer_create(business=business, name="Anna de Vries")
    outcome = {}

    def promise():
        try:
            promise_create(
                customer=Customer.objects.get(pk=anna.pk),
                description="taart voor Tim",
                due_date=business.today(),
            )
            outcome["promise"] = "made"
        except ValidationError as refused:
            outcome["promise"] = refused.code
        finally:
            connection.close()

    with transaction.atomic():
        customer_erase(customer=anna, actor=owner)
        maker = threading.Thread(target=promise)
        maker.start()
        wait_until_blocked_or_done(maker, what="the promise")
    maker.join(timeout=60)

    assert outcome == {"promise": "anonymised"}
    assert "Tim" not in database_text()
