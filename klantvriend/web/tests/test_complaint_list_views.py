"""The complaints list (/complaints/): every complaint of the business, the unresolved ones first
in Today's order (complaints.models.QUEUE_ORDER), then the resolved ones, the latest received
first; filtered by state, publicity and period; fifty a page without a cap; opened from Today."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from klantvriend.complaints.models import Complaint
from klantvriend.complaints.selectors import complaint_queue
from klantvriend.complaints.tests.factories import ComplaintFactory, with_deadlines
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.gestures.models import Gesture


def _listed(response) -> list[str]:
    return [view.complaint.description for view in response.context["views"]]


@pytest.fixture
def complaints(business, owner):
    """Six complaints of Anna and Bas, received at whole minutes:
    - "late answered": private, received 10 days ago, answered 2 hours later, not resolved: its
      resolution (3 days) is 7 days late;
    - "public late": public, received 2 days ago, not answered: its answer (1 hour) is 47 hours late;
    - "public fresh" and "private fresh": received an hour ago, answered at once, not resolved:
      the same resolution deadline, so the public one first;
    - "resolved lately": received 3 days ago, resolved 2 days ago with a gesture worth € 12.50,
      satisfaction 4;
    - "resolved long ago": received 200 days ago, answered and resolved the same day."""
    now = timezone.now().replace(second=0, microsecond=0)
    anna = CustomerFactory(business=business, name="Anna de Vries")
    bas = CustomerFactory(business=business, name="Bas Jansen")

    def complaint(customer, description, received, **fields):
        return ComplaintFactory(
            customer=customer,
            description=description,
            received_at=now - received,
            received_by=owner,
            **fields,
        )

    made = {
        "late answered": complaint(
            anna,
            "late answered",
            timedelta(days=10),
            first_response_at=now - timedelta(days=10) + timedelta(hours=2),
        ),
        "public late": complaint(bas, "public late", timedelta(days=2), public=True),
        "private fresh": complaint(
            anna, "private fresh", timedelta(hours=1), first_response_at=now - timedelta(hours=1)
        ),
        "public fresh": complaint(
            bas,
            "public fresh",
            timedelta(hours=1),
            public=True,
            first_response_at=now - timedelta(hours=1),
        ),
        "resolved lately": complaint(
            anna,
            "resolved lately",
            timedelta(days=3),
            first_response_at=now - timedelta(days=3),
            resolved_at=now - timedelta(days=2),
            resolution="Nieuwe taart",
            recovery_gesture="Bon voor koffie",
            satisfaction_after=4,
        ),
        "resolved long ago": complaint(
            bas,
            "resolved long ago",
            timedelta(days=200),
            first_response_at=now - timedelta(days=200) + timedelta(minutes=30),
            resolved_at=now - timedelta(days=200) + timedelta(hours=5),
        ),
    }
    # Its resolution is due at the closing of the third working day, which falls on a weekday
    # and an hour that depend on when the test runs ("8 days late" on a Sunday morning): the
    # deadline is stored as 3 calendar days, so the lateness shown is the same every day.
    Complaint.objects.filter(pk=made["late answered"].pk).update(
        resolve_by=now - timedelta(days=10) + timedelta(days=3)
    )
    Gesture.objects.create(
        business=business,
        customer=anna,
        what="Bon voor koffie",
        value_cents=1250,
        complaint=made["resolved lately"],
    )
    return made


ORDER = [
    "late answered",
    "public late",
    "public fresh",
    "private fresh",
    "resolved lately",
    "resolved long ago",
]


def test_every_complaint_is_listed_the_unresolved_first_as_today_orders_them(
    owner_client, business, complaints
):
    response = owner_client.get("/complaints/")

    assert response.status_code == 200
    assert _listed(response) == ORDER
    # Today's order is the list's: the same rule, not a copy of it.
    today = [view.complaint.description for view in complaint_queue(business=business).items]
    assert today == ORDER[:4]
    html = response.content.decode()
    tally = re.search(r'data-testid="complaint-tally">([^<]+)<', html).group(1)
    assert tally == ("6 klachten: 1 nog zonder reactie, 3 beantwoord en niet opgelost, 2 opgelost.")
    assert "6 klachten in deze lijst" in html


def test_each_row_says_who_what_when_and_how_it_was_handled(owner_client, complaints):
    html = owner_client.get("/complaints/").content.decode()
    rows = dict(
        zip(ORDER, re.findall(r'<tr id="complaint-\d+"(.*?)</tr>', html, re.S), strict=True)
    )

    resolved = complaints["resolved lately"]
    row = rows["resolved lately"]
    assert f'href="/customers/{resolved.customer_id}/"' in row
    assert "Anna de Vries" in row
    assert (
        "Nieuwe taart · attentie: Bon voor koffie (€\xa012,50) · tevredenheid na afloop: 4/5" in row
    )
    assert "beantwoord na" not in row  # answered on the spot
    assert "ter plekke beantwoord" in row
    assert "Beantwoorden" not in row
    assert "Oplossen" not in row
    late = rows["late answered"]
    assert "beantwoord na 2\xa0uur" in late
    assert "oplossing 7\xa0dagen te laat" in late
    assert 'data-testid="complaint-handle"' in late
    assert ">Oplossen<" in late
    assert 'class="breached"' in late
    public_late = rows["public late"]
    assert 'badge-public">openbaar<' in public_late
    assert ">Beantwoorden<" in public_late
    assert (
        f'href="/customers/{complaints["public late"].customer_id}/#complaints-heading"'
        in public_late
    )
    assert "badge-public" not in rows["private fresh"]


@pytest.mark.parametrize(
    ("query", "expected", "count"),
    [
        ("state=unresolved", ORDER[:4], 4),
        ("state=open", ["public late"], 1),
        ("state=responded", ["late answered", "public fresh", "private fresh"], 3),
        ("state=resolved", ["resolved lately", "resolved long ago"], 2),
        ("public=yes", ["public late", "public fresh"], 2),
        (
            "public=no",
            ["late answered", "private fresh", "resolved lately", "resolved long ago"],
            4,
        ),
        ("period=90d", ORDER[:5], 5),
        ("period=12m", ORDER, 6),
        ("period=90d-before", [], 0),
        ("state=resolved&public=no&period=90d", ["resolved lately"], 1),
    ],
)
def test_the_filters_narrow_the_list(owner_client, complaints, query, expected, count):
    response = owner_client.get(f"/complaints/?{query}")

    assert _listed(response) == expected
    assert response.context["page"].paginator.count == count


def test_the_period_before_the_last_90_days_holds_what_was_received_then(owner_client, complaints):
    Complaint.objects.filter(pk=complaints["resolved long ago"].pk).update(
        received_at=timezone.now() - timedelta(days=120),
        first_response_at=timezone.now() - timedelta(days=120),
        resolved_at=timezone.now() - timedelta(days=119),
    )

    response = owner_client.get("/complaints/?period=90d-before")

    assert _listed(response) == ["resolved long ago"]
    html = response.content.decode()
    assert "Klachten ontvangen van " in html
    assert "Geen klachten met deze filters." not in html


@pytest.mark.parametrize(
    "query", ["state=bogus", "public=maybe", "period=5y", "state=&public=&period=", "page=zzz"]
)
def test_a_filter_edited_by_hand_shows_the_whole_list(owner_client, complaints, query):
    """As the promise list: a value that is not one of the choices is left out."""
    response = owner_client.get(f"/complaints/?{query}")

    assert response.status_code == 200
    assert _listed(response) == ORDER
    assert response.context["state"] == response.context["public"] == ""
    assert response.context["period"] == ""


def test_an_empty_list_says_how_complaints_get_there_and_a_filtered_one_says_none_match(
    owner_client, business
):
    html = owner_client.get("/complaints/").content.decode()
    assert "Nog geen klachten." in html

    ComplaintFactory(customer=CustomerFactory(business=business), public=False)
    html = owner_client.get("/complaints/?public=yes").content.decode()
    assert "Geen klachten met deze filters." in html


def _many(business, *, unresolved: int, resolved: int) -> None:
    now = timezone.now().replace(second=0, microsecond=0)
    customer = CustomerFactory(business=business, name="Cees")
    Complaint.objects.bulk_create(
        with_deadlines(
            [
                Complaint(
                    business=business,
                    customer=customer,
                    description=f"open {number:03}",
                    received_at=now - timedelta(hours=number + 1),
                )
                for number in range(unresolved)
            ]
            + [
                Complaint(
                    business=business,
                    customer=customer,
                    description=f"resolved {number:03}",
                    received_at=now - timedelta(days=number + 1),
                    first_response_at=now - timedelta(days=number + 1),
                    resolved_at=now - timedelta(days=number + 1) + timedelta(hours=1),
                )
                for number in range(resolved)
            ]
        )
    )


def test_the_list_pages_by_fifty_without_a_cap(owner_client, business):
    """30 unresolved (the oldest, most late, first) and 100 resolved (the latest first): the
    first page ends with the 20th resolved one, the third holds the last 30."""
    _many(business, unresolved=30, resolved=100)

    first = owner_client.get("/complaints/")
    second = owner_client.get("/complaints/?page=2")
    last = owner_client.get("/complaints/?page=3")

    assert first.context["page"].paginator.num_pages == 3
    assert _listed(first) == [f"open {n:03}" for n in range(29, -1, -1)] + [
        f"resolved {n:03}" for n in range(20)
    ]
    assert _listed(second) == [f"resolved {n:03}" for n in range(20, 70)]
    assert _listed(last) == [f"resolved {n:03}" for n in range(70, 100)]
    assert "Pagina 3 van 3" in last.content.decode()
    unresolved = owner_client.get("/complaints/?state=unresolved&page=1")
    assert _listed(unresolved) == [f"open {n:03}" for n in range(29, -1, -1)]


def test_the_list_reads_the_database_a_fixed_number_of_times(owner_client, business):
    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert owner_client.get(path).status_code == 200
        return len(captured)

    paths = [
        "/complaints/",
        "/complaints/?page=2",
        "/complaints/?page=last",
        "/complaints/?state=unresolved",
        "/complaints/?state=resolved&page=2",
    ]
    # The first page holds unresolved and resolved ones, the second resolved ones only, both times.
    _many(business, unresolved=2, resolved=60)
    for path in paths:
        queries(path)  # what a page caches for later is not counted
    before = {path: queries(path) for path in paths}

    _many(business, unresolved=20, resolved=200)

    assert {path: queries(path) for path in paths} == before


def test_today_opens_the_list_of_every_unresolved_complaint(owner_client, business):
    _many(business, unresolved=60, resolved=2)

    html = owner_client.get("/").content.decode()
    whole = owner_client.get("/?show=complaints").content.decode()

    link = (
        '<a href="/complaints/?state=unresolved" data-testid="show-all-complaints">Toon alle 60</a>'
    )
    assert link in html
    # Today's whole list stops at 50; the link to every one of them stays.
    assert link in whole
    assert 'href="/complaints/" data-testid="all-complaints"' in html
    listed = owner_client.get("/complaints/?state=unresolved&page=2")
    assert listed.context["page"].paginator.count == 60
    assert len(_listed(listed)) == 10


def test_staff_see_the_list_and_the_menu_leads_there(staff_client, business):
    ComplaintFactory(customer=CustomerFactory(business=business, name="Anna de Vries"))

    response = staff_client.get("/complaints/")

    assert response.status_code == 200
    assert len(response.context["views"]) == 1
    assert '<a href="/complaints/">Klachten</a>' in response.content.decode()


def test_another_business_s_complaints_are_neither_listed_nor_counted(
    owner_client, business, other_business, complaints
):
    ComplaintFactory(customer=CustomerFactory(business=other_business, name="Geheim Elders"))

    response = owner_client.get("/complaints/")

    assert _listed(response) == ORDER
    assert response.context["tally"].total == 6
    assert "Geheim Elders" not in response.content.decode()


def test_the_list_speaks_english_too(owner_client, owner, complaints):
    from klantvriend.core.accounts import account_language_set

    account_language_set(user=owner, language="en")

    html = owner_client.get("/complaints/").content.decode()

    assert "<h1>Complaints</h1>" in html
    assert (
        "6 complaints: 1 awaiting a first response, 3 answered and not resolved, 2 resolved."
        in html
    )
    assert "answered after 2\xa0hours" in html
    assert "resolution 7\xa0days late" in html
    assert "Nieuwe taart · gesture: Bon voor koffie (€12.50) · satisfaction after: 4/5" in html
    assert ">Resolve<" in html
    assert ">Answer<" in html
