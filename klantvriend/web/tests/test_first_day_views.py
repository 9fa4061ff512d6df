"""The rough edges a new shop met on its first day (a newcomer's walk-through): lists and
figures with nothing to count say so once instead of in a sentence of zeros, and the members
page and the survey results say what their parts are for, in Dutch and in English."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.accounts import account_language_set
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.promises.models import PromiseKind
from klantvriend.promises.tests.factories import PromiseFactory


@pytest.mark.parametrize(
    ("list_name", "language", "empty"),
    [
        ("promise", "nl", "Geen beloften in de laatste 12 maanden."),
        ("promise", "en", "No promises in the last 12 months."),
        ("complaint", "nl", "Nog geen klachten."),
        ("complaint", "en", "No complaints yet."),
    ],
)
def test_an_empty_list_has_no_sentence_of_zeros_above_its_empty_card(
    owner_client, owner, business, list_name, language, empty
):
    # Given a new shop without promises or complaints
    account_language_set(user=owner, language=language)

    # When the owner opens the list
    page = owner_client.get(reverse(f"web:{list_name}_list")).content.decode()

    # Then only the card says there are none: no tally of zeros, no count of none above it
    assert f'data-testid="{list_name}-tally"' not in page
    assert f'data-testid="{list_name}-count"' not in page
    assert f'<p class="empty card" data-testid="{list_name}s-empty">{empty} ' in page


@pytest.mark.parametrize(
    ("language", "empty"),
    [("nl", "Geen beloften met deze filters."), ("en", "No promises match these filters.")],
)
def test_a_promise_list_filtered_to_a_kind_of_none_says_so_once(
    owner_client, owner, business, language, empty
):
    PromiseFactory(customer=CustomerFactory(business=business), kind=PromiseKind.ORDER_READY)
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:promise_list"), {"kind": "callback"}).content.decode()

    assert 'data-testid="promise-tally"' not in page
    assert 'data-testid="promise-count"' not in page
    assert f'<p class="empty card" data-testid="promises-empty">{empty}</p>' in page


@pytest.mark.parametrize(
    ("language", "tally", "empty"),
    [
        (
            "nl",
            "1 belofte beoordeeld: 1 op tijd, 0 te laat, 0 gebroken.\nOp tijd nagekomen: 100%. "
            "De nagekomen belofte was op tijd.\n"
            "Niet beoordeeld: 0 op tijd geannuleerd, 1 nog open.",
            "Geen beloften met deze filters.",
        ),
        (
            "en",
            "1 promise judged: 1 on time, 0 late, 0 broken.\nKept on time: 100%. "
            "The promise kept was on time.\n"
            "Not judged: 0 cancelled in time, 1 still open.",
            "No promises match these filters.",
        ),
    ],
)
def test_a_promise_list_emptied_by_its_outcome_keeps_the_tally_of_what_the_period_holds(
    owner_client, owner, business, language, tally, empty
):
    # Given a promise kept on time and one still open
    customer = CustomerFactory(business=business)
    kept = PromiseFactory(customer=customer)
    kept.done_at = kept.due_at - timedelta(minutes=5)
    kept.done_on = business.local(kept.done_at).date()
    kept.save(update_fields=["done_at", "done_on"])
    PromiseFactory(customer=customer, due_at=timezone.now() + timedelta(days=1))
    account_language_set(user=owner, language=language)

    # When the list is filtered to the broken ones, of which there are none
    page = owner_client.get(reverse("web:promise_list"), {"outcome": "broken"}).content.decode()

    # Then the tally still says what the period holds, and the card why nothing is listed
    assert f'<p data-testid="promise-tally">{tally}</p>' in page
    assert 'data-testid="promise-count"' not in page
    assert f'<p class="empty card" data-testid="promises-empty">{empty}</p>' in page


@pytest.mark.parametrize(
    ("language", "tally"),
    [
        (
            "nl",
            "Geen beloften beoordeeld.\nNiet beoordeeld: 0 op tijd geannuleerd, 2 nog open.",
        ),
        ("en", "No promises judged.\nNot judged: 0 cancelled in time, 2 still open."),
    ],
)
def test_a_promise_list_of_open_promises_only_says_none_is_judged_not_a_row_of_zeros(
    owner_client, owner, business, language, tally
):
    # Given two promises still open and none judged
    customer = CustomerFactory(business=business)
    for days in (1, 2):
        PromiseFactory(customer=customer, due_at=timezone.now() + timedelta(days=days))
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:promise_list")).content.decode()

    # It read "0 promises judged: 0 on time, 0 late, 0 broken." before what it holds
    assert f'<p data-testid="promise-tally">{tally}</p>' in page


@pytest.mark.parametrize(
    ("language", "overdue", "tally"),
    [
        (
            "nl",
            1,
            "1 belofte beoordeeld: 1 op tijd, 0 te laat, 0 gebroken.\nOp tijd nagekomen: 100%. "
            "De nagekomen belofte was op tijd.\n"
            "Niet beoordeeld: 0 op tijd geannuleerd, 2 nog open.\n"
            "Daarvan is er 1 over tijd: die telt mee zodra ze is nagekomen, of als gebroken "
            "zodra ze 1\xa0dag over tijd is (dagen dat de zaak dicht is, tellen niet mee).",
        ),
        (
            "nl",
            2,
            "1 belofte beoordeeld: 1 op tijd, 0 te laat, 0 gebroken.\nOp tijd nagekomen: 100%. "
            "De nagekomen belofte was op tijd.\n"
            "Niet beoordeeld: 0 op tijd geannuleerd, 2 nog open.\n"
            "Daarvan zijn er 2 over tijd: ze tellen mee zodra ze zijn nagekomen, of als gebroken "
            "zodra ze 1\xa0dag over tijd zijn (dagen dat de zaak dicht is, tellen niet mee).",
        ),
        (
            "en",
            1,
            "1 promise judged: 1 on time, 0 late, 0 broken.\nKept on time: 100%. "
            "The promise kept was on time.\n"
            "Not judged: 0 cancelled in time, 2 still open.\n"
            "Of those, 1 is past its moment: it counts once it is kept, or as broken once it is "
            "1\xa0day overdue, the days the business is closed not counted.",
        ),
    ],
)
def test_a_promise_overdue_within_its_grace_is_said_beside_the_share_on_time(
    owner_client, owner, business, language, overdue, tally
):
    """An office read "Op tijd nagekomen: 100%" above a deadline of yesterday not met: within
    the grace (24 hours by default) it is not judged yet, and the tally says so and until when."""
    customer = CustomerFactory(business=business)
    made_at = timezone.now() - timedelta(days=5)
    kept = PromiseFactory(
        customer=customer, made_at=made_at, due_at=timezone.now() - timedelta(days=3)
    )
    kept.done_at = kept.due_at - timedelta(minutes=5)
    kept.done_on = business.local(kept.done_at).date()
    kept.save(update_fields=["done_at", "done_on"])
    PromiseFactory(customer=customer, made_at=made_at, due_at=timezone.now() - timedelta(hours=3))
    PromiseFactory(
        customer=customer,
        made_at=made_at,
        due_at=timezone.now() + (-timedelta(hours=5) if overdue == 2 else timedelta(days=1)),
    )
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:promise_list")).content.decode()

    assert f'<p data-testid="promise-tally">{tally}</p>' in page


@pytest.mark.parametrize(
    ("language", "tally", "empty"),
    [
        (
            "nl",
            "1 klacht: 0 nog zonder reactie, 0 beantwoord en niet opgelost, 1 opgelost.",
            "Geen klachten met deze filters.",
        ),
        (
            "en",
            "1 complaint: 0 awaiting a first response, 0 answered and not resolved, 1 resolved.",
            "No complaints match these filters.",
        ),
    ],
)
def test_a_complaint_list_emptied_by_its_state_keeps_the_tally(
    owner_client, owner, business, language, tally, empty
):
    # Given one complaint, resolved
    moment = timezone.now() - timedelta(days=2)
    ComplaintFactory(
        customer=CustomerFactory(business=business),
        received_at=moment,
        first_response_at=moment,
        resolved_at=moment + timedelta(hours=1),
        resolution="Nieuw stuk vlees",
    )
    account_language_set(user=owner, language=language)

    # When the list is filtered to those awaiting a first response
    page = owner_client.get(reverse("web:complaint_list"), {"state": "open"}).content.decode()

    # Then the tally says there is one, resolved; the card that none awaits an answer
    assert f'<p data-testid="complaint-tally">{tally}</p>' in page
    assert 'data-testid="complaint-count"' not in page
    assert f'<p class="empty card" data-testid="complaints-empty">{empty}</p>' in page


@pytest.mark.parametrize(
    ("language", "label", "counted"),
    [
        ("nl", "nazorg op tijd", "nazorg op tijd (0 van 1)"),
        ("en", "aftercare in time", "aftercare in time (0 of 1)"),
    ],
)
def test_todays_aftercare_figure_counts_only_when_there_is_something_to_count(
    owner_client, owner, business, language, label, counted
):
    account_language_set(user=owner, language=language)

    # A new shop: a dash, and no "(0 of 0)" beside it
    empty = owner_client.get(reverse("web:today")).content.decode()

    # A delivery kept 40 days ago and never followed up: judged, not covered
    done = timezone.now() - timedelta(days=40)
    PromiseFactory(
        customer=CustomerFactory(business=business),
        kind=PromiseKind.DELIVERY,
        made_at=done - timedelta(days=1),
        due_at=done,
        done_at=done,
    )
    cache.clear()  # Today keeps its figures a minute
    judged = owner_client.get(reverse("web:today")).content.decode()

    assert f'<span class="stat-value">—</span><span class="stat-label">{label}</span>' in empty
    assert f'<span class="stat-value">0%</span><span class="stat-label">{counted}</span>' in judged


@pytest.mark.parametrize(
    ("language", "heading", "line"),
    [
        (
            "nl",
            "Een medewerker toevoegen",
            "Een nieuwe medewerker krijgt een eigen login: kies een gebruikersnaam, en geef het "
            "e-mailadres, waar een link naartoe gaat om zelf een wachtwoord te kiezen, of een "
            "wachtwoord dat je zelf doorgeeft. Wie al in een ander bedrijf van je werkt, voeg je "
            "toe met alleen de gebruikersnaam.",
        ),
        (
            "en",
            "Add a member",
            "Someone new gets a login of their own: choose a user name, and give their email "
            "address, to which a link goes to choose their own password, or a password you pass "
            "on to them. Someone who already works in another of your businesses is added with "
            "their user name alone.",
        ),
    ],
)
def test_the_fields_to_add_a_member_say_what_they_are_for(
    owner_client, owner, business, language, heading, line
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:members")).content.decode()

    assert (
        f'<h3 id="member-add-heading">{heading}</h3>\n'
        f'  <p class="help" data-testid="member-add-what">{line}</p>\n'
        '  <form method="post" action="/members/#member-add-heading" class="form-grid" novalidate '
        'data-testid="member-add" aria-labelledby="member-add-heading">'
    ) in page


@pytest.mark.parametrize(
    ("language", "hint"),
    [
        (
            "nl",
            "Elke factor krijgt een score van 1 (helemaal mee oneens) tot 5 (helemaal mee eens). "
            "Promotors: de "
            "gemiddelde score van de klanten die je zouden aanbevelen (9 of 10 van de 10); "
            "criticasters: van de klanten die dat niet zouden doen (0 tot 6).",
        ),
        (
            "en",
            "Each driver is scored from 1 (strongly disagree) to 5 (strongly agree). Promoters: "
            "the average "
            "score of the customers who would recommend you (9 or 10 out of 10); detractors: of "
            "those who would not (0 to 6).",
        ),
    ],
)
def test_the_drivers_table_says_whose_scores_its_promoter_and_detractor_columns_average(
    owner_client, owner, business, language, hint
):
    account_language_set(user=owner, language=language)

    page = owner_client.get(reverse("web:survey_results")).content.decode()

    assert f'<p class="hint drivers-hint" data-testid="drivers-columns">{hint}</p>' in page
