"""Taking back a tap by mistake on Today and on the profile: "Gedaan", "Antwoord gegeven" and a
follow-up's outcome (core/undo.py)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from klantvriend.aftercare.models import FollowUp
from klantvriend.aftercare.tests.factories import FollowUpFactory
from klantvriend.complaints.models import Complaint
from klantvriend.complaints.tests.factories import ComplaintFactory
from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import membership_create, user_create
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import snapshot
from klantvriend.promises.models import Promise
from klantvriend.promises.tests.factories import PromiseFactory

HTMX = {"HX-Request": "true"}
UNDONE = '<span class="done-note" role="status">Ongedaan gemaakt: staat weer open.</span>'


@pytest.fixture
def colleague_client(business):
    user = user_create(username="ilse", password="pw-ilse-123", first_name="Ilse")
    membership_create(business=business, user=user, role=Role.STAFF)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def customer(business):
    return CustomerFactory(business=business, name="Anna de Vries")


@pytest.fixture
def promise(customer):
    now = timezone.now()
    return PromiseFactory(
        customer=customer,
        description="Taart bezorgen",
        made_at=now - timedelta(days=1),
        due_at=now - timedelta(hours=1),
    )


def _undo_form(url: str, row: str) -> str:
    return (
        f'<form method="post" action="{url}" hx-post="{url}" hx-target="#{row}" '
        'hx-swap="outerHTML">'
    )


UNDO_BUTTON = (
    '<button class="button button-quiet button-small" type="submit" data-testid="undo">'
    "Ongedaan maken</button>"
)


def test_done_on_today_offers_to_undo_it_and_undoing_opens_the_promise_again(staff_client, promise):
    kept = staff_client.post(
        reverse("web:promise_keep", args=[promise.pk]), {"from": "today"}, headers=HTMX
    )

    reopen = reverse("web:promise_reopen", args=[promise.pk])
    row = kept.content.decode()
    assert kept.status_code == 200
    assert _undo_form(reopen, f"promise-{promise.pk}") in row
    assert UNDO_BUTTON in row
    assert 'name="csrfmiddlewaretoken"' in row
    assert "0%" in row  # the figures: one promise, kept late

    undone = staff_client.post(reopen, {"from": "today"}, headers=HTMX)

    row = undone.content.decode()
    assert undone.status_code == 200
    promise.refresh_from_db()
    assert (promise.done_at, promise.done_on) == (None, None)
    assert f'hx-post="{reverse("web:promise_keep", args=[promise.pk])}"' in row
    assert 'data-testid="undo"' not in row
    assert UNDONE in row  # the row looks as before the tap: it says why
    assert '<span class="stat-value">—</span>' in row  # no promise judged any more
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "completed",
        "undone",
    ]


def test_answered_on_today_offers_to_undo_it(staff_client, customer):
    complaint = ComplaintFactory(customer=customer)

    answered = staff_client.post(
        reverse("web:complaint_respond", args=[complaint.pk]), {"from": "today"}, headers=HTMX
    )

    undo = reverse("web:complaint_respond_undo", args=[complaint.pk])
    assert '<span class="done-note" role="status">✓ beantwoord</span>' in answered.content.decode()
    assert _undo_form(undo, f"complaint-{complaint.pk}") in answered.content.decode()

    undone = staff_client.post(undo, {"from": "today"}, headers=HTMX)

    assert undone.status_code == 200
    assert Complaint.objects.get().first_response_at is None
    assert f'hx-post="{reverse("web:complaint_respond", args=[complaint.pk])}"' in (
        undone.content.decode()
    )
    assert UNDONE in undone.content.decode()
    assert UNDONE not in answered.content.decode()


def test_an_outcome_on_today_offers_to_undo_it(staff_client, customer):
    follow_up = FollowUpFactory(customer=customer)

    done = staff_client.post(
        reverse("web:follow_up_outcome", args=[follow_up.pk]),
        {"from": "today", "outcome": "not_content"},
        headers=HTMX,
    )

    undo = reverse("web:follow_up_outcome_undo", args=[follow_up.pk])
    row = done.content.decode()
    complaint = Complaint.objects.get()
    # The complaint opened is a tap away: Today's complaints card is not redrawn with the row.
    assert (
        '<span class="done-note" role="status">✓ niet tevreden · '
        f'<a href="/customers/{customer.pk}/#complaint-{complaint.pk}" '
        'data-testid="complaint-opened">klacht geopend</a></span>'
    ) in row
    assert _undo_form(undo, f"follow-up-{follow_up.pk}") in row

    undone = staff_client.post(undo, {"from": "today"}, headers=HTMX)

    assert undone.status_code == 200
    follow_up.refresh_from_db()
    assert (follow_up.done_at, follow_up.outcome, follow_up.raised_complaint) == (None, "", None)
    assert Complaint.objects.count() == 0
    assert 'name="outcome" value="content"' in undone.content.decode()
    assert UNDONE in undone.content.decode()


def test_a_colleague_cannot_undo_and_is_told_why(staff_client, colleague_client, promise):
    staff_client.post(reverse("web:promise_keep", args=[promise.pk]), {"from": "today"})
    before = snapshot()

    response = colleague_client.post(
        reverse("web:promise_reopen", args=[promise.pk]), {"from": "today"}, headers=HTMX
    )

    assert response.status_code == 422
    assert (
        '<p class="error" role="alert">Alleen wie dit vastlegde, of een eigenaar, kan het '
        "ongedaan maken.</p>" in response.content.decode()
    )
    assert "Ongedaan gemaakt" not in response.content.decode()
    assert snapshot() == before


def _profile(client, customer) -> str:
    return client.get(reverse("web:customer_detail", args=[customer.pk])).content.decode()


def test_the_profile_offers_undo_to_whoever_did_it_and_to_an_owner_for_a_day(
    staff_client, colleague_client, owner_client, customer, promise
):
    complaint = ComplaintFactory(customer=customer)
    follow_up = FollowUpFactory(customer=customer)
    staff_client.post(reverse("web:promise_keep", args=[promise.pk]))
    staff_client.post(reverse("web:complaint_respond", args=[complaint.pk]))
    staff_client.post(
        reverse("web:follow_up_outcome", args=[follow_up.pk]), {"outcome": "not_reached"}
    )
    undos = [
        _undo_form(reverse("web:promise_reopen", args=[promise.pk]), "profile-live"),
        _undo_form(reverse("web:complaint_respond_undo", args=[complaint.pk]), "profile-live"),
        _undo_form(reverse("web:follow_up_outcome_undo", args=[follow_up.pk]), "profile-live"),
    ]

    for client, offered in ((staff_client, True), (owner_client, True), (colleague_client, False)):
        page = _profile(client, customer)
        assert [form in page for form in undos] == [offered] * 3
    AuditEvent.objects.update(at=timezone.now() - timedelta(hours=24, minutes=1))
    for client in (staff_client, owner_client):
        assert 'data-testid="undo"' not in _profile(client, customer)


def test_undo_on_the_profile_is_refused_after_a_day_and_changes_nothing(
    owner_client, customer, promise
):
    owner_client.post(reverse("web:promise_keep", args=[promise.pk]))
    AuditEvent.objects.update(at=timezone.now() - timedelta(hours=25))
    before = snapshot()

    response = owner_client.post(reverse("web:promise_reopen", args=[promise.pk]), headers=HTMX)

    assert response.status_code == 422
    assert (
        '<p class="form-errors error" role="alert">Dit is meer dan 24 uur geleden vastgelegd en '
        "kan niet meer ongedaan gemaakt worden.</p>" in response.content.decode()
    )
    assert snapshot() == before


def test_undoing_on_the_profile_shows_the_profile_with_the_promise_open(
    staff_client, customer, promise
):
    staff_client.post(reverse("web:promise_keep", args=[promise.pk]))

    response = staff_client.post(reverse("web:promise_reopen", args=[promise.pk]), headers=HTMX)

    assert response.status_code == 200
    assert 'data-testid="promise-done"' in response.content.decode()
    assert Promise.objects.get().done_at is None
    # Without htmx the browser is sent back to the profile.
    staff_client.post(reverse("web:promise_keep", args=[promise.pk]))
    response = staff_client.post(reverse("web:promise_reopen", args=[promise.pk]))
    assert response.status_code == 302
    assert response.url == reverse("web:customer_detail", args=[customer.pk])


@pytest.mark.parametrize(
    "name", ["promise_reopen", "complaint_respond_undo", "follow_up_outcome_undo"]
)
def test_undo_of_another_business_is_not_found_and_needs_a_post(owner_client, other_business, name):
    stranger = CustomerFactory(business=other_business)
    row = {
        "promise_reopen": lambda: PromiseFactory(customer=stranger, done_at=timezone.now()),
        "complaint_respond_undo": lambda: ComplaintFactory(
            customer=stranger,
            received_at=timezone.now() - timedelta(hours=1),
            first_response_at=timezone.now(),
        ),
        "follow_up_outcome_undo": lambda: FollowUpFactory(
            customer=stranger, done_at=timezone.now(), outcome="content"
        ),
    }[name]()
    before = snapshot()

    assert owner_client.post(reverse(f"web:{name}", args=[row.pk])).status_code == 404
    assert owner_client.get(reverse(f"web:{name}", args=[row.pk])).status_code == 405
    assert snapshot() == before


def test_undo_needs_the_forms_csrf_token(staff_user, promise, staff_client):
    staff_client.post(reverse("web:promise_keep", args=[promise.pk]))
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)

    response = client.post(reverse("web:promise_reopen", args=[promise.pk]))

    assert response.status_code == 403
    assert Promise.objects.get().done_at is not None
    assert FollowUp.objects.count() == 0


def _kept_on_time_button(promise) -> str:
    moment = timezone.localtime(promise.due_at)
    days = ["ma", "di", "wo", "do", "vr", "za", "zo"]
    months = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    shown = (
        f"{days[moment.weekday()]}\xa0{moment.day}\xa0{months[moment.month - 1]}\xa0{moment:%H:%M}"
    )
    return (
        '<button class="button button-quiet button-small" type="submit" '
        f'data-testid="promise-was-on-time">Was op tijd ({shown})</button>'
    )


def test_done_tapped_after_a_promise_kept_on_time_is_set_right_to_its_moment(staff_client, promise):
    """A buffet delivered at 17:00, "Gedaan" tapped at 18:40 back at the bar: the restaurant's
    first catering order counted as late, and nothing could set it right."""
    kept = staff_client.post(
        reverse("web:promise_keep", args=[promise.pk]), {"from": "today"}, headers=HTMX
    )
    assert _kept_on_time_button(promise) in kept.content.decode()

    on_time = staff_client.post(
        reverse("web:promise_kept_on_time", args=[promise.pk]), {"from": "today"}, headers=HTMX
    )

    promise.refresh_from_db()
    assert on_time.status_code == 200
    assert promise.done_at == promise.due_at
    assert promise.done_on == timezone.localdate(promise.due_at)
    row = on_time.content.decode()
    assert 'data-testid="promise-was-on-time"' not in row
    assert 'data-testid="undo"' not in row
    assert "100%" in row  # the figures: the one promise kept on time
    correction = AuditEvent.objects.order_by("id").last()
    assert (correction.action, list(correction.changes)) == ("changed", ["done_at"])


def test_a_promise_kept_in_time_is_not_offered_to_be_set_right(staff_client, customer):
    now = timezone.now()
    later = PromiseFactory(customer=customer, made_at=now, due_at=now + timedelta(hours=3))

    kept = staff_client.post(
        reverse("web:promise_keep", args=[later.pk]), {"from": "today"}, headers=HTMX
    )
    refused = staff_client.post(
        reverse("web:promise_kept_on_time", args=[later.pk]), {"from": "today"}, headers=HTMX
    )

    assert 'data-testid="promise-was-on-time"' not in kept.content.decode()
    assert refused.status_code == 422
    assert "Deze belofte is niet na haar moment als nagekomen gemarkeerd." in (
        refused.content.decode()
    )


def test_a_promise_marked_kept_when_it_had_broken_already_stays_late(staff_client, customer):
    """An accountant's quote marked kept eight days after its moment, then "on time": the
    figure could be made what anyone wished. Past the grace (24 hours) it stays late."""
    now = timezone.now()
    quote = PromiseFactory(
        customer=customer,
        description="Offerte Bakker Bouw",
        made_at=now - timedelta(days=10),
        # Past its grace on any day of the week: the closed Sundays between do not count.
        due_at=now - timedelta(days=8),
    )

    kept = staff_client.post(
        reverse("web:promise_keep", args=[quote.pk]), {"from": "today"}, headers=HTMX
    )
    before = snapshot()
    refused = staff_client.post(
        reverse("web:promise_kept_on_time", args=[quote.pk]), {"from": "today"}, headers=HTMX
    )

    assert 'data-testid="undo"' in kept.content.decode()
    assert 'data-testid="promise-was-on-time"' not in kept.content.decode()
    assert refused.status_code == 422
    assert (
        "Deze belofte is meer dan 24 uur na haar moment als nagekomen gemarkeerd (dagen dat de "
        "zaak dicht was niet meegeteld), toen ze al als gebroken telde: ze blijft te laat "
        "nagekomen."
    ) in refused.content.decode()
    assert snapshot() == before


def test_a_colleague_cannot_set_right_what_someone_else_marked(
    staff_client, colleague_client, promise
):
    staff_client.post(reverse("web:promise_keep", args=[promise.pk]), {"from": "today"})
    promise.refresh_from_db()
    before = snapshot()

    refused = colleague_client.post(
        reverse("web:promise_kept_on_time", args=[promise.pk]), {"from": "today"}, headers=HTMX
    )

    assert refused.status_code == 422
    assert snapshot() == before
