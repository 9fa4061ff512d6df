"""The questions Klantvriend's rules ask in a follow-up are read in the reader's language: an
English-reading assistant in a Dutch shop read "Is alles naar wens na: Bruidstaart?" on Today.
The note keeps them in the shop's language (the API, the exports); a person's words stay as
written."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from klantvriend.aftercare.models import FollowUp, Question
from klantvriend.aftercare.services import follow_up_update
from klantvriend.core.accounts import account_language_set
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.versions import record_version
from klantvriend.customers.services import purchase_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.services import promise_mark_kept
from klantvriend.promises.tests.factories import PromiseFactory


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Carla Peters")


def asked(follow_up: FollowUp, language: str) -> str:
    with translation.override(language):
        return follow_up.asks


@pytest.fixture
def kept_delivery(customer, staff_user, django_capture_on_commit_callbacks):
    """The follow-up planned after a kept delivery of a Dutch shop."""
    promise = PromiseFactory(
        customer=customer,
        kind=PromiseKind.DELIVERY,
        made_by=staff_user,
        description="Bruidstaart bezorgd.",
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=promise, actor=staff_user)
    return FollowUp.objects.get(promise=promise)


def test_a_rules_question_is_noted_in_the_shops_language_and_read_in_the_readers(kept_delivery):
    # Planned while someone reading English kept the promise: the note is the Dutch shop's
    assert kept_delivery.note == "Is alles naar wens na: Bruidstaart bezorgd?"
    assert (kept_delivery.question, kept_delivery.question_about) == (
        Question.AFTER_KEPT,
        "Bruidstaart bezorgd",
    )
    assert asked(kept_delivery, "nl") == "Is alles naar wens na: Bruidstaart bezorgd?"
    assert asked(kept_delivery, "en") == "Is everything all right after: Bruidstaart bezorgd?"


def test_each_rule_asks_in_the_readers_language(
    business, owner, staff_user, django_capture_on_commit_callbacks
):
    # Given a quote sent, a large purchase without a description, and a referred customer's
    # first purchase
    care_settings_update(business=business, actor=owner, aftercare_purchase_min_cents=10000)
    anna = CustomerFactory(business=business, name="Anna Smit")
    bram = CustomerFactory(business=business, name="Bram de Boer", referred_by=anna)
    quote = PromiseFactory(
        customer=anna, kind=PromiseKind.QUOTE, made_by=staff_user, description="Offerte buffet"
    )
    with django_capture_on_commit_callbacks(execute=True):
        promise_mark_kept(promise=quote, actor=staff_user)
        purchase_create(customer=bram, amount_cents=15000)

    def questions(language):
        return sorted(
            (follow_up.customer.name, asked(follow_up, language))
            for follow_up in FollowUp.objects.select_related("customer")
        )

    assert questions("nl") == [
        (
            "Anna Smit",
            "Bedank voor het doorverwijzen van Bram de Boer, die net voor het eerst iets kocht.",
        ),
        ("Anna Smit", "Heeft de klant al besloten over de offerte: Offerte buffet?"),
        ("Bram de Boer", "Was alles naar wens: de aankoop?"),
    ]
    assert questions("en") == [
        ("Anna Smit", "Has the customer decided on the quote: Offerte buffet?"),
        ("Anna Smit", "Thank them for referring Bram de Boer, who just made a first purchase."),
        ("Bram de Boer", "Was everything to their liking: their purchase?"),
    ]
    # and each note is the Dutch reading, as the API and the exports give it
    assert sorted(FollowUp.objects.values_list("note", flat=True)) == [
        text for _name, text in questions("nl")
    ]


def test_the_owners_own_question_is_read_as_the_owner_wrote_it(
    business, owner, customer, django_capture_on_commit_callbacks
):
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_rules=[
            {"words": "kleur", "days": 10, "ask": "Vragen hoe de kleur houdt"}
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=customer, amount_cents=6500, description="Kleuren")

    follow_up = FollowUp.objects.get()
    assert (follow_up.question, follow_up.note) == ("", "Vragen hoe de kleur houdt")
    assert asked(follow_up, "en") == asked(follow_up, "nl") == "Vragen hoe de kleur houdt"


def test_a_question_reworded_is_the_persons_words_and_another_change_keeps_it(kept_delivery, owner):
    # When only the day is moved, the question stays Klantvriend's
    follow_up_update(
        follow_up=kept_delivery, actor=owner, due_on=kept_delivery.due_on + timedelta(days=1)
    )
    kept_delivery.refresh_from_db()
    assert kept_delivery.question == Question.AFTER_KEPT
    # and a note sent back as it was changes nothing either
    follow_up_update(follow_up=kept_delivery, actor=owner, note=f" {kept_delivery.note} ")
    kept_delivery.refresh_from_db()
    assert kept_delivery.question == Question.AFTER_KEPT

    # When it is reworded, it is read as written, in every language
    follow_up_update(follow_up=kept_delivery, actor=owner, note="Vragen of de taart heel aankwam")
    kept_delivery.refresh_from_db()
    assert (kept_delivery.question, kept_delivery.question_about) == ("", "")
    assert asked(kept_delivery, "en") == "Vragen of de taart heel aankwam"


def test_an_english_reading_assistant_reads_the_question_in_english_on_every_page(
    kept_delivery, staff_user, staff_client, owner_client
):
    account_language_set(user=staff_user, language="en")
    dutch, english = (
        "Is alles naar wens na: Bruidstaart bezorgd?",
        "Is everything all right after: Bruidstaart bezorgd?",
    )
    customer = reverse("web:customer_detail", args=[kept_delivery.customer_id])
    for page in (reverse("web:aftercare_list"), customer):
        read = staff_client.get(page).content.decode()
        assert english in read, page
        assert dutch not in read, page
        assert dutch in owner_client.get(page).content.decode(), page


def test_the_change_form_shows_the_readers_question_and_keeps_it_when_only_the_day_moves(
    kept_delivery, staff_user, staff_client
):
    account_language_set(user=staff_user, language="en")
    url = reverse("web:follow_up_edit", args=[kept_delivery.pk])
    form = staff_client.get(url).content.decode()
    assert 'value="Is everything all right after: Bruidstaart bezorgd?"' in form

    response = staff_client.post(
        url,
        {
            "note": "Is everything all right after: Bruidstaart bezorgd?",
            "due_on": (kept_delivery.due_on + timedelta(days=2)).isoformat(),
            "assigned_to": kept_delivery.assigned_to_id,
            "version": record_version(kept_delivery),
        },
    )

    assert response.status_code == 302
    kept_delivery.refresh_from_db()
    assert (kept_delivery.note, kept_delivery.question) == (
        "Is alles naar wens na: Bruidstaart bezorgd?",
        Question.AFTER_KEPT,
    )


BEFORE = [("aftercare", "0010_follow_up_to_win_back")]


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_recognises_the_questions_the_rules_wrote_before(business, owner, staff_user):
    anna = CustomerFactory(business=business, name="Anna Smit")
    bram = CustomerFactory(business=business, name="Bram de Boer")
    delivery = PromiseFactory(customer=anna, kind=PromiseKind.DELIVERY, description="Taart.")
    quote = PromiseFactory(customer=anna, kind=PromiseKind.QUOTE, description="Offerte buffet")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("aftercare", "FollowUp")
        rows = [
            # As the rules wrote them, in Dutch and in English
            dict(customer=anna, note="Is alles naar wens na: Taart?", promise_id=delivery.pk),
            dict(
                customer=anna,
                note="Has the customer decided on the quote: Offerte buffet?",
                promise_id=quote.pk,
            ),
            dict(
                customer=anna,
                note="Bedank voor het doorverwijzen van Bram de Boer.",
                referred_customer_id=bram.pk,
            ),
            # Reworded, and planned by hand
            dict(customer=bram, note="Vragen of de taart heel aankwam", promise_id=None),
            dict(customer=bram, note="Bellen over de barbecue"),
        ]
        ids = [
            old.objects.create(
                business_id=business.pk,
                customer_id=row.pop("customer").pk,
                due_on=business.today(),
                **row,
            ).pk
            for row in rows
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    kept = dict(FollowUp.objects.values_list("pk", "question"))
    assert [kept[pk] for pk in ids] == ["after_kept", "quote", "referral", "", ""]
    english = FollowUp.objects.get(pk=ids[0])
    assert asked(english, "en") == "Is everything all right after: Taart?"


def test_the_aftercare_list_names_a_purchase_once(
    business, owner, owner_client, django_capture_on_commit_callbacks
):
    """ "Was alles naar wens: Koud buffet? · na een aankoop: Koud buffet" said it twice."""
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_min_cents=10000,
        aftercare_purchase_rules=[
            {"words": "kleur", "days": 3, "ask": "Vragen hoe de kleur houdt"}
        ],
    )
    buffet, colour = (CustomerFactory(business=business, name=name) for name in ("Ans", "Bo"))
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=buffet, amount_cents=25000, description="Koud buffet")
        purchase_create(customer=colour, amount_cents=6500, description="Uitgroei kleuren")

    page = owner_client.get(reverse("web:aftercare_list")).content.decode()
    said = {
        name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", row)).strip()
        for name, row in re.findall(
            r'only-small row-lead"[^>]*>([^<]+)</a>(.*?)</span>', page, re.S
        )
    }
    assert said == {
        "Ans": "Was alles naar wens: Koud buffet? · na een aankoop",
        "Bo": "Vragen hoe de kleur houdt · na een aankoop: Uitgroei kleuren",
    }


def test_the_api_gives_the_stored_note_and_the_question_in_the_requests_language(
    kept_delivery, api
):
    url = f"/api/v1/follow-ups/{kept_delivery.pk}"

    english = api.get(url).json()
    dutch = api.get(url, headers={"Accept-Language": "nl"}).json()

    stored = "Is alles naar wens na: Bruidstaart bezorgd?"
    assert (english["note"], english["asks"]) == (
        stored,
        "Is everything all right after: Bruidstaart bezorgd?",
    )
    assert (dutch["note"], dutch["asks"]) == (stored, stored)
