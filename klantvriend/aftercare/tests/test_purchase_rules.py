"""The owner's aftercare rules for a kind of purchase: "3 days after a colour, ask how it holds"."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone, translation

from klantvriend.aftercare import services
from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.tests.days import open_on
from klantvriend.core.tests.waiting import wait_until_blocked_or_done
from klantvriend.customers.services import purchase_create
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory
from klantvriend.customers.text import fold

COLOUR = {"words": "kleur, balayage", "days": 3, "ask": "Vragen hoe de kleur houdt"}
CREAM = {"words": "creme", "days": 7, "ask": "Vragen of de crème bevalt."}
BIKE = {"words": "nieuwe fiets", "days": 30, "ask": "Gratis controle aanbieden"}


@pytest.fixture
def customer(business, owner):
    care_settings_update(
        business=business, actor=owner, aftercare_purchase_rules=[COLOUR, CREAM, BIKE]
    )
    return CustomerFactory(business=business, name="Carla Peters")


def bought(customer, description, amount_cents=6500, capture=None):
    with capture(execute=True):
        return purchase_create(
            customer=customer, amount_cents=amount_cents, description=description
        )


@pytest.mark.parametrize(
    "description",
    [
        "Knippen + uitgroei KLEUREN",
        "Balayage",
        "Kleur (lang haar)",
        "Crème de jour",
        "Nieuwe  fiets",
    ],
)
def test_a_purchase_of_a_kind_plans_the_rules_follow_up(
    customer, django_capture_on_commit_callbacks, description
):
    purchase = bought(customer, description, capture=django_capture_on_commit_callbacks)

    follow_up = FollowUp.objects.get()
    rule = {"K": COLOUR, "B": COLOUR, "C": CREAM, "N": BIKE}[description[0]]
    day = customer.business.local(purchase.at).date() + timedelta(days=rule["days"])
    assert (follow_up.customer, follow_up.purchase, follow_up.reason) == (
        customer,
        purchase,
        Reason.PURCHASE,
    )
    assert (follow_up.due_on, follow_up.note) == (open_on(day), rule["ask"].rstrip("."))


@pytest.mark.parametrize(
    ("description", "matches"),
    [
        ("Stadsfiets Gazelle", True),
        ("2 bakfietsen", True),
        ("Onderhoud e-bike", True),
        ("Haarkleuren", True),
        ("Fietsbel", True),
        ("Verkleuring bijwerken", False),
        ("Huurfietsenstalling", False),
        ("Carbon", False),
    ],
)
def test_a_word_counts_at_the_start_of_a_word_or_as_the_last_part_of_a_compound(
    business, owner, description, matches
):
    # Given a bike shop's rule for a bicycle, and a salon's for a colour and a bond
    care_settings_update(
        business=business,
        actor=owner,
        aftercare_purchase_rules=[
            {"words": "fiets, bike", "days": 30, "ask": "Gratis controle aanbieden"},
            {"words": "kleur, bon", "days": 3, "ask": "Vragen hoe de kleur houdt"},
        ],
    )
    rules = services.care_settings(business).aftercare_purchase_rules

    # Then a compound names its kind last: "Stadsfiets" is a bicycle, and a rule of "fiets"
    # that missed it, the plural and "e-bike" planned no call after most of a bike shop's
    # sales; a word inside another ("verkleuring", "Huurfietsenstalling") is none, nor a word of
    # three letters at the end of a longer one ("bon" in "Carbon")
    assert (
        any(services._purchase_rule_matches(rule, fold(description)) for rule in rules) is matches
    )


@pytest.mark.parametrize("description", ["Verkleuring bijwerken", "Knippen", "Fietsbel", ""])
def test_a_word_inside_another_or_no_word_plans_nothing(
    customer, django_capture_on_commit_callbacks, description
):
    bought(customer, description, capture=django_capture_on_commit_callbacks)

    assert FollowUp.objects.count() == 0


def test_a_purchase_matching_several_rules_and_the_amount_plans_one_earliest_follow_up(
    customer, django_capture_on_commit_callbacks
):
    purchase = bought(
        customer,
        "Balayage, kleurbehandeling en crème",
        amount_cents=30000,  # over the amount rule's € 250 too (3 days)
        capture=django_capture_on_commit_callbacks,
    )

    follow_up = FollowUp.objects.get()
    day = customer.business.local(purchase.at).date() + timedelta(days=3)
    assert follow_up.due_on == open_on(day)
    # The rules' own questions, each once, rather than the amount rule's general one.
    assert follow_up.note == "Vragen hoe de kleur houdt; Vragen of de crème bevalt"


def test_the_amount_rule_alone_still_asks_its_general_question(
    customer, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        bought(
            customer, "Buffet 30 p.", amount_cents=30000, capture=django_capture_on_commit_callbacks
        )

    assert FollowUp.objects.get().note == "Was alles naar wens: Buffet 30 p.?"


def test_a_second_purchase_while_its_call_is_planned_plans_none_extra(
    customer, django_capture_on_commit_callbacks
):
    first = bought(customer, "Kleuren", capture=django_capture_on_commit_callbacks)
    bought(customer, "Balayage", capture=django_capture_on_commit_callbacks)

    assert list(FollowUp.objects.values_list("purchase", flat=True)) == [first.pk]


@pytest.mark.django_db(transaction=True)
def test_two_purchases_committed_at_once_plan_one_call(customer):
    """Two tills commit a colour and a balayage of one customer at the same moment, and each
    plans its follow-up after its own commit. The first is planning (the customer locked, its
    follow-up written, not yet committed) when the second starts: the second waits for it and
    then finds the customer's call near its day. Without the wait each would find none, and
    the customer was called twice. (On SQLite the second waits at BEGIN for the write lock.)"""
    first = PurchaseFactory(customer=customer, description="Kleuren")
    second = PurchaseFactory(customer=customer, description="Balayage")
    planned = {}

    def second_till():
        try:
            planned["second"] = services.follow_up_plan_for_purchase(purchase=second)
        finally:
            connection.close()

    with transaction.atomic():
        planned["first"] = services.follow_up_plan_for_purchase(purchase=first)
        till = threading.Thread(target=second_till)
        till.start()
        wait_until_blocked_or_done(till, what="the second till's planning")
    till.join(timeout=60)

    assert planned == {"first": FollowUp.objects.get(), "second": None}
    assert list(FollowUp.objects.values_list("purchase", "note")) == [
        (first.pk, "Vragen hoe de kleur houdt")
    ]


def test_a_purchase_after_the_earlier_call_was_done_plans_its_own(
    customer, staff_user, django_capture_on_commit_callbacks
):
    bought(customer, "Kleuren", capture=django_capture_on_commit_callbacks)
    services.follow_up_complete(
        follow_up=FollowUp.objects.get(), actor=staff_user, outcome="content"
    )

    again = bought(customer, "Kleuren", capture=django_capture_on_commit_callbacks)

    assert FollowUp.objects.filter(purchase=again, done_at=None).count() == 1


def test_another_customers_planned_call_does_not_hold_back_this_one(
    customer, django_capture_on_commit_callbacks
):
    other = CustomerFactory(business=customer.business, name="Ilse")
    bought(other, "Kleuren", capture=django_capture_on_commit_callbacks)

    bought(customer, "Kleuren", capture=django_capture_on_commit_callbacks)

    assert sorted(FollowUp.objects.values_list("customer__name", flat=True)) == [
        "Carla Peters",
        "Ilse",
    ]


def test_a_rule_running_twice_plans_once(customer, django_capture_on_commit_callbacks):
    purchase = bought(customer, "Kleuren", capture=django_capture_on_commit_callbacks)

    assert services.follow_up_plan_for_purchase(purchase=purchase) is None
    assert FollowUp.objects.count() == 1


def test_an_anonymised_customer_gets_no_follow_up(customer):
    purchase = purchase_create(customer=customer, amount_cents=6500, description="Kleuren")
    # As the erasure leaves them (importers.privacy.customer_erase, which this app may not use).
    customer.erased_at = timezone.now()
    customer.save(update_fields=["erased_at"])

    assert services.follow_up_plan_for_purchase(purchase=purchase) is None
    assert FollowUp.objects.count() == 0


def test_rules_switched_off_plan_nothing(customer, owner, django_capture_on_commit_callbacks):
    care_settings_update(
        business=customer.business,
        actor=owner,
        aftercare_purchase_rules=[],
        aftercare_purchase_min_cents=None,
    )

    bought(customer, "Kleuren", amount_cents=90000, capture=django_capture_on_commit_callbacks)

    assert FollowUp.objects.count() == 0


def test_a_purchase_described_at_length_is_asked_about_in_a_whole_question(
    business, owner, django_capture_on_commit_callbacks
):
    """The amount rule's question around a description of 300 characters: it was 322 long
    and refused by the follow-up's note, so no follow-up was planned at all."""
    care_settings_update(business=business, actor=owner, aftercare_purchase_min_cents=1000)
    description = ("Keukenrenovatie met maatwerk kasten " * 9)[:300]

    bought(
        CustomerFactory(business=business), description, 5000, django_capture_on_commit_callbacks
    )

    note = FollowUp.objects.get().note
    assert len(note) == 294  # cut after the last whole word that fits the 300 of a note
    assert note.startswith("Was alles naar wens: Keukenrenovatie met maatwerk kasten Keuken")
    assert note.endswith("kasten Keukenrenovatie met…?")


def test_the_questions_of_many_rules_are_kept_whole_and_those_that_do_not_fit_are_dots(
    business, owner, django_capture_on_commit_callbacks
):
    asks = [f"Vraag {letter} " + "x" * 130 for letter in "ABC"]  # 139 characters each
    rules = [{"words": "kleur", "days": 3, "ask": ask} for ask in asks]
    care_settings_update(business=business, actor=owner, aftercare_purchase_rules=rules)

    bought(CustomerFactory(business=business), "Kleur", 6500, django_capture_on_commit_callbacks)

    assert FollowUp.objects.get().note == f"{asks[0]}; {asks[1]}; …"


def test_a_purchase_typed_in_afterwards_plans_no_call_whose_day_has_gone(
    customer, django_capture_on_commit_callbacks
):
    # Given last month's colour, typed in now (its call would have been 3 days after it), and
    # one of two days ago (its call is tomorrow)
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(
            customer=customer,
            amount_cents=6500,
            description="Kleur",
            at=timezone.now() - timedelta(days=30),
        )
    assert FollowUp.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        recent = purchase_create(
            customer=customer,
            amount_cents=6500,
            description="Kleur",
            at=timezone.now() - timedelta(days=2),
        )

    # Then only the call still to come is planned: last month's was listed as missed at once
    follow_up = FollowUp.objects.get()
    assert follow_up.purchase == recent
    assert follow_up.due_on >= customer.business.today()


def test_a_purchase_typed_in_a_week_late_plans_its_call_for_today(
    customer, django_capture_on_commit_callbacks
):
    """A garage typing in last week's repairs on its first day found no call planned for any of
    them: a call whose day went by within a week is made on the next open day."""
    business = customer.business
    with django_capture_on_commit_callbacks(execute=True):
        # Its call was due 3 days after it: 4 days ago.
        purchase_create(
            customer=customer,
            amount_cents=6500,
            description="Kleur",
            at=timezone.now() - timedelta(days=7),
        )
        # Its call was 8 days ago: too long gone.
        purchase_create(
            customer=CustomerFactory(business=business),
            amount_cents=6500,
            description="Kleur",
            at=timezone.now() - timedelta(days=11),
        )

    assert list(FollowUp.objects.values_list("customer", "due_on")) == [
        (customer.pk, open_on(business.today()))
    ]


def test_the_call_after_a_purchase_is_for_who_served_it_else_the_regular_member(
    customer, owner, staff_user, django_capture_on_commit_callbacks
):
    """Assigned to nobody, a garage's calls after each repair were in no mechanic's "Only mine",
    not even of the one who did the job."""
    business = customer.business
    regular = CustomerFactory(business=business, regular_member=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        served = purchase_create(
            customer=customer, amount_cents=6500, description="Kleur", member=staff_user
        )
        by_regular = purchase_create(customer=regular, amount_cents=6500, description="Kleur")
        unassigned = purchase_create(
            customer=CustomerFactory(business=business), amount_cents=6500, description="Kleur"
        )

    assigned = dict(FollowUp.objects.values_list("purchase", "assigned_to"))
    assert assigned == {served.pk: staff_user.pk, by_regular.pk: staff_user.pk, unassigned.pk: None}


def _kept_repair(customer, owner, description="Fiets: nieuwe ketting"):
    from klantvriend.promises.services import promise_create, promise_mark_kept

    promise = promise_create(
        customer=customer,
        description=description,
        kind="repair",
        due_at=timezone.now() + timedelta(hours=2),
        made_by=owner,
    )
    return promise_mark_kept(promise=promise, actor=owner)


def _calls(customer) -> list[tuple[str, int | None, int | None]]:
    return sorted(
        FollowUp.objects.filter(customer=customer).values_list("reason", "purchase", "promise")
    )


def test_a_repair_kept_and_paid_for_is_one_job_with_one_call(
    customer, owner, django_capture_on_commit_callbacks
):
    """A garage's repair, kept and paid for, planned "Was alles naar wens: Distributieriem +
    waterpomp?" for Wednesday and "Is alles naar wens na: Auto klaar…?" for the Monday after:
    the kept repair's call asks for the job, whichever came first."""
    with django_capture_on_commit_callbacks(execute=True):
        paid_first = purchase_create(customer=customer, amount_cents=6500, description="Kleur")
    assert _calls(customer) == [(Reason.PURCHASE, paid_first.pk, None)]

    # Kept after it was paid for: the purchase's call, untouched, gives way.
    with django_capture_on_commit_callbacks(execute=True):
        repair = _kept_repair(customer, owner)
    assert _calls(customer) == [(Reason.REPAIR, None, repair.pk)]

    # Paid for after it was kept: no call of its own.
    with django_capture_on_commit_callbacks(execute=True):
        purchase_create(customer=customer, amount_cents=6500, description="Kleur")
    assert _calls(customer) == [(Reason.REPAIR, None, repair.pk)]


def test_a_repairs_done_undone_plans_the_calls_of_its_purchases_again(
    customer, owner, django_capture_on_commit_callbacks
):
    from klantvriend.promises.services import promise_reopen

    with django_capture_on_commit_callbacks(execute=True):
        paid = purchase_create(customer=customer, amount_cents=6500, description="Kleur")
        repair = _kept_repair(customer, owner)

    with django_capture_on_commit_callbacks(execute=True):
        promise_reopen(promise=repair, actor=owner)

    assert _calls(customer) == [(Reason.PURCHASE, paid.pk, None)]


def test_a_purchase_days_from_a_repair_is_another_job_with_its_own_call(
    customer, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        earlier = purchase_create(
            customer=customer,
            amount_cents=6500,
            description="Kleur",
            at=timezone.now() - timedelta(days=3),
        )
        repair = _kept_repair(customer, owner)

    assert _calls(customer) == [
        (Reason.PURCHASE, earlier.pk, None),
        (Reason.REPAIR, None, repair.pk),
    ]
