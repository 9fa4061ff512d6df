"""The audit log filtered by kind of event and period, and its print view for the supervisor
(Autoriteit Persoonsgegevens): owners only, in the address, counted, days where the shop is."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.core.audit import (
    NOT_A_LOOK,
    AuditAction,
    AuditKind,
    audit_trail,
)
from klantvriend.core.db import refresh_planner_statistics
from klantvriend.core.models import AuditEvent
from klantvriend.customers import services
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.privacy import customer_access_given, customer_erase
from klantvriend.web import privacy_views

pytestmark = pytest.mark.django_db

# 23:30 on 30 November and 00:30 on 1 December 2026 in Amsterdam (UTC+1).
LATE_IN_NOVEMBER = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)
EARLY_IN_DECEMBER = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def _event(business, customer, action, at, **changes):
    return AuditEvent.objects.create(
        business=business,
        action=action,
        object_type="customer",
        object_id=customer.pk,
        customer=customer,
        at=at,
        changes=changes,
    )


def _copies_given(business, owner, count):
    for _ in range(count):
        customer = CustomerFactory(business=business)
        customer_access_given(customer=customer, actor=owner, requested_on=business.today())


@pytest.fixture
def trail(business, owner):
    """One event of every kind, a day apart, newest first in this order."""
    anna = CustomerFactory(business=business, name="Anna de Vries", marketing_consent=True)
    bram = CustomerFactory(business=business, name="Bram Jansen")
    day = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return {
        "viewed": _event(business, anna, AuditAction.VIEWED, day, via="profile"),
        "exported": _event(
            business, anna, AuditAction.EXPORTED, day - timedelta(days=1), format="json"
        ),
        "copy_given": _event(
            business,
            bram,
            AuditAction.EXPORTED,
            day - timedelta(days=2),
            format="handed_over",
            requested_on="2026-11-10",
        ),
        "changed": _event(
            business, bram, AuditAction.CHANGED, day - timedelta(days=3), phone=["", "06"]
        ),
        "consent": _event(
            business,
            anna,
            AuditAction.CHANGED,
            day - timedelta(days=4),
            marketing_consent=[True, False],
        ),
        "erased": _event(
            business,
            bram,
            AuditAction.ERASED,
            day - timedelta(days=5),
            reason="request",
            requested_on="2026-11-01",
        ),
        "anna": anna,
        "bram": bram,
    }


def test_each_kind_shows_exactly_its_events(business, trail):
    shown = {
        kind: [event.pk for event in audit_trail(business=business, kind=kind)]
        for kind in AuditKind.values
    }

    assert shown == {
        "viewed": [trail["viewed"].pk],
        "exported": [trail["exported"].pk],
        "copy_given": [trail["copy_given"].pk],
        "changed": [trail["changed"].pk, trail["consent"].pk],
        "consent": [trail["consent"].pk],
        "erased": [trail["erased"].pk],
        "requests": [trail["copy_given"].pk, trail["erased"].pk],
    }


def test_a_period_is_counted_in_days_where_the_business_is(business, trail):
    anna = trail["anna"]
    late = _event(business, anna, AuditAction.VIEWED, LATE_IN_NOVEMBER)
    early = _event(business, anna, AuditAction.VIEWED, EARLY_IN_DECEMBER)

    november = audit_trail(business=business, since=date(2026, 11, 30), until=date(2026, 11, 30))
    december = audit_trail(business=business, since=date(2026, 12, 1))

    assert [event.pk for event in november] == [late.pk]
    assert [event.pk for event in december] == [early.pk]


def test_a_period_from_the_first_to_the_last_day_of_the_calendar_is_every_event(
    owner_client, trail
):
    # The first day began, in Amsterdam, before the first moment Python holds in UTC, and the
    # day after the last one is none: both pages answered with a server error.
    address = "?since=0001-01-01&until=9999-12-31"

    shown = owner_client.get(reverse("web:audit_log") + address)
    printed = owner_client.get(reverse("web:audit_log_print") + address)

    assert (shown.status_code, printed.status_code) == (200, 200)
    assert [event.pk for event in shown.context["page"].object_list] == [
        event.pk for event in audit_trail(business=trail["anna"].business)
    ]


def test_the_filters_combine_in_the_address_and_say_what_is_shown(owner_client, trail):
    anna = trail["anna"]
    url = reverse("web:audit_log") + (
        f"?customer={anna.pk}&kind=changed&since=2026-11-01&until=2026-11-30"
    )

    response = owner_client.get(url)
    page = response.content.decode()

    assert response.status_code == 200
    assert [event.pk for event in response.context["page"].object_list] == [trail["consent"].pk]
    assert "<strong>1 gebeurtenis</strong>" in page
    assert "Aangemaakt of gewijzigd" in page
    assert "van 1\xa0nov\xa02026 tot en met 30\xa0nov\xa02026" in page
    assert f'<input type="hidden" name="customer" value="{anna.pk}">' in page
    assert (
        f'href="/privacy/audit/print/?customer={anna.pk}&amp;kind=changed'
        '&amp;since=2026-11-01&amp;until=2026-11-30"'
    ) in page


def test_the_filters_are_kept_across_pages(owner_client, business, trail):
    anna = trail["anna"]
    for minute in range(privacy_views.AUDIT_PAGE_SIZE + 1):
        _event(
            business, anna, AuditAction.VIEWED, datetime(2026, 11, 21, 9, minute % 60, tzinfo=UTC)
        )

    response = owner_client.get(reverse("web:audit_log") + "?kind=viewed&since=2026-11-21")
    second = owner_client.get(reverse("web:audit_log") + "?kind=viewed&since=2026-11-21&page=2")

    page = response.content.decode()
    assert "<strong>51 gebeurtenissen</strong> · 1–50 getoond" in page
    assert 'href="?kind=viewed&amp;since=2026-11-21&amp;page=2"' in page
    assert len(second.context["page"].object_list) == 1


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        ("since=gisteren", "since", "Voer een geldige datum in."),
        ("since=2026-11-30&until=2026-11-01", "until", "“Tot en met” kan niet vóór “van” liggen."),
        ("kind=bekeken", "kind", "Selecteer een geldige keuze. bekeken is geen beschikbare keuze."),
    ],
)
def test_a_refused_filter_narrows_nothing_and_says_which_field(
    owner_client, trail, query, field, error
):
    everything = owner_client.get(reverse("web:audit_log"))

    refused = owner_client.get(reverse("web:audit_log") + "?kind=viewed&" + query)

    assert refused.status_code == 422
    assert refused.context["shown"].form.errors[field] == [error]
    assert list(refused.context["page"].object_list) == list(everything.context["page"].object_list)
    assert len(everything.context["page"].object_list) == 6
    assert 'data-testid="audit-print-link"' not in refused.content.decode()


def test_a_refused_filter_is_said_in_english_too(owner_client, owner, trail):
    account_language_set(user=owner, language="en")

    refused = owner_client.get(reverse("web:audit_log") + "?since=2026-11-30&until=2026-11-01")

    assert refused.context["shown"].form.errors["until"] == ["“Until” cannot lie before “from”."]
    assert "The filter was not applied" in refused.content.decode()


def test_the_print_view_names_the_business_the_filters_and_the_moment(owner_client, trail):
    response = owner_client.get(
        reverse("web:audit_log_print") + "?kind=requests&since=2026-11-01&until=2026-11-30"
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert [event.pk for event in response.context["events"]] == [
        trail["copy_given"].pk,
        trail["erased"].pk,
    ]
    assert "Logboek van persoonsgegevens — Slagerij Test" in page
    assert "<dt>Soort gebeurtenis</dt><dd>Privacyverzoeken</dd>" in page
    assert "van 1\xa0nov\xa02026 tot en met 30\xa0nov\xa02026" in page
    assert "Afgedrukt op " in page
    assert "2 gebeurtenissen." in page
    assert "kopie aan de klant gegeven, verzoek ontvangen op 10\xa0nov\xa02026" in page
    assert 'href="/static/klantvriend/print.css"' in page
    assert "<style" not in page
    assert "style=" not in page
    assert "<script" not in page


def test_the_print_view_says_when_it_leaves_events_out(owner_client, business, trail, monkeypatch):
    monkeypatch.setattr(privacy_views, "AUDIT_PRINTED", 4)

    page = owner_client.get(reverse("web:audit_log_print")).content.decode()

    assert "6 gebeurtenissen." in page
    assert "Alleen de nieuwste 4 staan erop: kies een kortere periode voor de rest." in page


def test_the_print_view_of_a_refused_filter_prints_no_events(owner_client, trail):
    response = owner_client.get(reverse("web:audit_log_print") + "?until=31-11-2026")

    assert response.status_code == 422
    assert response.context["events"] == []
    assert "Tot en met: Voer een geldige datum in." in response.content.decode()


def test_staff_cannot_see_or_print_the_filtered_trail(staff_client, trail):
    assert staff_client.get(reverse("web:audit_log") + "?kind=erased").status_code == 403
    assert staff_client.get(reverse("web:audit_log_print") + "?kind=erased").status_code == 403


def test_another_business_events_are_never_shown(owner_client, other_business, trail):
    stranger = CustomerFactory(business=other_business)
    _event(other_business, stranger, AuditAction.ERASED, datetime(2026, 11, 19, tzinfo=UTC))

    shown = owner_client.get(reverse("web:audit_log") + "?kind=erased").context["page"]
    printed = owner_client.get(reverse("web:audit_log_print") + "?kind=erased").context["events"]

    assert [event.pk for event in shown.object_list] == [trail["erased"].pk]
    assert [event.pk for event in printed] == [trail["erased"].pk]
    assert (
        owner_client.get(reverse("web:audit_log") + f"?customer={stranger.pk}").status_code == 404
    )


def test_the_filtered_trail_and_its_print_cost_the_same_queries_for_more_events(
    owner_client, business, owner, django_assert_max_num_queries
):
    _copies_given(business, owner, 2)
    with django_assert_max_num_queries(20) as few:
        owner_client.get(reverse("web:audit_log") + "?kind=requests")
        owner_client.get(reverse("web:audit_log_print") + "?kind=requests")
    _copies_given(business, owner, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(reverse("web:audit_log") + "?kind=requests")
        printed = owner_client.get(reverse("web:audit_log_print") + "?kind=requests")

    assert response.context["page"].paginator.count == 22
    assert len(printed.context["events"]) == 22


def test_the_index_of_what_is_not_a_look_is_the_kinds_condition():
    index = next(i for i in AuditEvent._meta.indexes if i.name == "audit_trail_not_viewed")
    assert index.condition == NOT_A_LOOK


def test_an_erasure_among_many_looks_is_found_without_reading_the_looks(business, owner):
    customer = services.customer_create(business=business, name="Anna", actor=owner)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            business=business,
            action=AuditAction.VIEWED,
            object_type="customer",
            object_id=customer.pk,
            customer=customer,
        )
        for _look in range(300)
    )
    customer_erase(customer=customer, actor=owner, requested_on=business.today())
    refresh_planner_statistics()

    events = audit_trail(business=business, kind=AuditKind.ERASED)
    page = events[: privacy_views.AUDIT_PAGE_SIZE]

    assert [event.action for event in events] == ["erased"]
    if connection.vendor == "sqlite":
        # SQLite's plan follows from its statistics alone: the partial index without the looks.
        assert "audit_trail_not_viewed" in page.explain(), page.explain()
    else:
        # PostgreSQL chooses between several indexes that leave the looks out, by statistics
        # that autovacuum gathers when it likes (three runs, three plans); what matters is
        # that the looks are not read: the rows it took from the trail, counted as it ran.
        assert _trail_rows_read(page) <= 2


def _trail_rows_read(queryset) -> int:
    """The trail's rows a PostgreSQL plan read while running: those it returned and those it
    read and dropped by a filter or an index recheck, over all its loops."""
    with connection.cursor() as cursor:
        # Statistics of the test's rows, as autovacuum would gather them: without, the planner
        # judges the trail by whatever it last saw (in a whole run, others' handfuls of events)
        # and reads the business's every event as cheapest.
        cursor.execute("ANALYZE core_auditevent")
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = json.loads(queryset.explain(format="json", analyze=True))[0]["Plan"]
    read, nodes = 0, [plan]
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        if node.get("Relation Name") == AuditEvent._meta.db_table:
            # PostgreSQL gives each count as the average of a loop.
            per_loop = (
                node["Actual Rows"]
                + node.get("Rows Removed by Filter", 0)
                + node.get("Rows Removed by Index Recheck", 0)
            )
            read += node["Actual Loops"] * per_loop
    return read


def test_the_requests_page_shows_each_request_with_its_days_and_the_month(
    owner_client, business, owner, trail
):
    late = CustomerFactory(business=business, name="Cor Smit")
    on_time = CustomerFactory(business=business, name="Dina Bos")
    today = business.today()
    customer_access_given(customer=late, actor=owner, requested_on=today - timedelta(days=40))
    customer_erase(customer=on_time, actor=owner, requested_on=today - timedelta(days=3))

    response = owner_client.get(reverse("web:privacy_requests"))
    page = response.content.decode()

    assert response.status_code == 200
    rows = [
        (event.pk, handled.received, handled.handled, handled.days, handled.late)
        for event, handled, _kind in response.context["rows"]
    ]
    erased, given = AuditEvent.objects.filter(
        customer__in=[late, on_time], changes__has_key="requested_on"
    ).order_by("-at", "-id")
    assert rows == [
        (erased.pk, today - timedelta(days=3), today, 3, False),
        (given.pk, today - timedelta(days=40), today, 40, True),
        (trail["copy_given"].pk, date(2026, 11, 10), date(2026, 11, 18), 8, False),
        (trail["erased"].pk, date(2026, 11, 1), date(2026, 11, 15), 14, False),
    ]
    assert "<strong>4 verzoeken</strong>" in page
    assert "Cor Smit" in page
    assert "nee, later dan de maand" in page
    assert "wissen (artikel 17)" in page
    assert "kopie van de eigen gegevens (artikel 15)" in page


def test_the_requests_page_costs_the_same_queries_for_more_requests(
    owner_client, business, owner, django_assert_max_num_queries
):
    _copies_given(business, owner, 2)
    with django_assert_max_num_queries(20) as few:
        owner_client.get(reverse("web:privacy_requests"))
    _copies_given(business, owner, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = owner_client.get(reverse("web:privacy_requests"))

    assert len(response.context["rows"]) == 22


def test_staff_cannot_see_the_requests(staff_client, trail):
    assert staff_client.get(reverse("web:privacy_requests")).status_code == 403


def test_the_whole_datas_exports_and_imports_are_in_the_log_with_what_they_held(
    owner_client, business, owner, tmp_path
):
    """The zip of all data, the customer list downloaded and an import were recorded on the
    business and shown nowhere: the log said "every export" and left out the ones that took every
    customer out."""
    from klantvriend.importers.service import data_import

    anna = CustomerFactory(business=business, name="Anna de Vries", city="Utrecht")
    CustomerFactory(business=business, name="Bram Jansen", city="Utrecht")
    CustomerFactory(business=business, name="Cor Visser", city="Zeist")
    owner_client.get(reverse("web:customer_list_download"), {"q": "Utrecht"}).getvalue()
    owner_client.post(reverse("web:data_export")).getvalue()
    file = tmp_path / "klanten.csv"
    file.write_text("naam;e-mail\nDirk Smit;dirk@example.nl\nAnna de Vries;\n", encoding="utf-8")
    data_import(business=business, kind="customers", path=file, actor=owner)

    page = owner_client.get(reverse("web:audit_log")).content.decode()
    exported = owner_client.get(reverse("web:audit_log"), {"kind": "exported"}).content.decode()
    changed = owner_client.get(reverse("web:audit_log"), {"kind": "changed"}).content.decode()
    of_anna = audit_trail(business=business, customer=anna)

    export = AuditEvent.objects.get(business=business, changes__has_key="rows", action="exported")
    assert _log_rows(page)[:3] == [
        "Klantgegevens als geheel: geïmporteerd | meerdere klanten | klantenbestand: 2 regels, "
        "2 aangemaakt, 0 bijgewerkt, 0 overgeslagen",
        "Klantgegevens als geheel: geëxporteerd | meerdere klanten | volledige export (zip): "
        f"3 klanten, {sum(export.changes['rows'].values())} regels in totaal",
        "Klantgegevens als geheel: geëxporteerd | meerdere klanten | klantenlijst (CSV) zoals "
        "gefilterd: 2 klanten (q: Utrecht)",
    ]
    assert len(_log_rows(exported)) == 2
    assert "klantenbestand" in changed
    assert "volledige export" not in changed
    assert not of_anna.filter(object_type="business").exists()


def test_a_consent_withdrawn_and_a_request_say_what_changed_not_only_which_field(
    owner_client, business, owner
):
    """A withdrawal read "Klant: gewijzigd | mag nieuws en aanbiedingen ontvangen": nowhere yes
    or no. A choice or a yes or no is shown with its values; other values (a phone, a note: the
    person's data) are still named, not repeated."""
    from klantvriend.customers.privacy_requests import privacy_request_record

    anna = CustomerFactory(business=business, name="Anna de Vries", marketing_consent=True)
    services.customer_update(
        customer=anna, actor=owner, marketing_consent=False, phone="0612345678"
    )
    privacy_request_record(
        customer=anna, actor=owner, kind="access", received_on=business.today(), channel="email"
    )

    rows = _log_rows(owner_client.get(reverse("web:audit_log")).content.decode())

    # Each event's fields in the order the database keeps them (PostgreSQL's jsonb its own).
    assert [(row.split(" | ")[:2], sorted(row.split(" | ")[2].split(", "))) for row in rows] == [
        (
            ["Privacyverzoek: aangemaakt", "Anna de Vries filteren"],
            [
                "binnengekomen: per e-mail",
                "ontvangen op",
                "verzoek: kopie van de eigen gegevens (artikel 15)",
            ],
        ),
        (
            ["Klant: gewijzigd", "Anna de Vries filteren"],
            ["mag nieuws en aanbiedingen ontvangen: ja → nee", "telefoon"],
        ),
    ]


def test_a_choice_emptied_or_gone_with_its_row_reads_as_a_dash(business):
    from klantvriend.web.templatetags.care import audit_fields

    event = AuditEvent(
        business=business,
        action=AuditAction.UNDONE,
        object_type="gesture",
        object_id=1,
        changes={"occasion": ["referral_thanks", None]},
    )

    assert audit_fields(event) == "aanleiding: bedankje voor een doorverwijzing → —"


def _log_rows(page: str) -> list[str]:
    """Each row of the log as "what | customer | fields", without the moment and who."""
    import re

    body = page.split('data-testid="audit-log"', 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)[1:]:
        cells = [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)
        ]
        rows.append(" | ".join(cells[2:]))
    return rows
