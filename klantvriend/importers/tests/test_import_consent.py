"""Consent for news and offers in an imported customer file: a withdrawal on record stays, whatever
a stale till file says, and every change the import makes is in the audit log as the customer
form's are."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from klantvriend.core.audit import AuditKind, audit_trail
from klantvriend.customers import services
from klantvriend.customers.models import ConsentRecord, Customer
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.importers.results import RowError
from klantvriend.importers.service import data_import

from .test_import import write

pytestmark = pytest.mark.django_db

WITHDRAWN_AT = datetime(2025, 12, 2, 10, 30, tzinfo=UTC)
FILE = "Klantnummer;Naam;Woonplaats;Nieuwsbrief\nT001;Anna de Vries;Delft;ja\nT003;Sophie Bakker;Gouda;ja\n"


def _withdrawn(business, owner, **fields):
    """A customer who had consent and unticked it on their card."""
    customer = CustomerFactory(business=business, marketing_consent=True, **fields)
    services.customer_update(
        customer=customer, marketing_consent=False, consent_source="web", actor=owner
    )
    ConsentRecord.objects.filter(customer=customer).update(at=WITHDRAWN_AT)
    return customer


def _consent_history(customer):
    return list(
        ConsentRecord.objects.filter(customer=customer)
        .order_by("at", "id")
        .values_list("given", "basis", "source")
    )


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_withdrawal_stays_against_the_files_yes_and_the_line_says_so(
    tmp_path, business, owner, dry_run
):
    sophie = _withdrawn(business, owner, name="Sophie Bakker", external_ref="T003", city="Delft")

    with translation.override("en"):
        result = data_import(
            business=business,
            kind="customers",
            path=write(tmp_path, "k.csv", FILE),
            dry_run=dry_run,
        )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.skipped) == (1, 1, 0)
    assert (result.note_count, result.notes) == (
        1,
        [
            RowError(
                3,
                "Nieuwsbrief",
                "ja",
                "Sophie Bakker withdrew consent for news and offers on 2 December 2025; the file's "
                "“ja” was not taken over. Consent can be given again only on the customer's card.",
                "consent_withdrawn",
            )
        ],
    )
    sophie.refresh_from_db()
    assert (sophie.marketing_consent, sophie.marketing_consent_basis) == (False, "")
    assert sophie.city == ("Delft" if dry_run else "Gouda")
    assert _consent_history(sophie) == [(False, "", "web")]


def test_the_note_is_in_dutch_for_a_dutch_owner(tmp_path, business, owner):
    _withdrawn(business, owner, name="Sophie Bakker", external_ref="T003")

    result = data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", FILE))

    assert [note.message for note in result.notes] == [
        "Sophie Bakker trok op 2 december 2025 de toestemming voor nieuws en aanbiedingen in; de "
        "“ja” uit het bestand is niet overgenomen. Toestemming kun je alleen op de kaart van "
        "de klant opnieuw geven."
    ]


def test_a_withdrawal_found_by_email_stays_with_its_legal_basis_left_as_it_was(
    tmp_path, business, owner
):
    sophie = _withdrawn(business, owner, name="Sophie Bakker", email="sophie@example.nl")
    path = write(
        tmp_path,
        "k.csv",
        "naam;e-mail;nieuwsbrief;grondslag\nSophie Bakker;sophie@example.nl;ja;soft opt-in\n",
    )

    result = data_import(business=business, kind="customers", path=path)

    assert (result.ok, result.updated, result.skipped, result.note_count) == (True, 0, 1, 1)
    sophie.refresh_from_db()
    assert (sophie.marketing_consent, sophie.marketing_consent_basis) == (False, "")
    assert _consent_history(sophie) == [(False, "", "web")]


def test_consent_given_again_on_the_card_is_no_change_for_the_files_yes(tmp_path, business, owner):
    sophie = _withdrawn(business, owner, name="Sophie Bakker", external_ref="T003")
    services.customer_update(
        customer=sophie, marketing_consent=True, consent_source="web", actor=owner
    )

    result = data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", FILE))

    assert (result.note_count, Customer.objects.get(pk=sophie.pk).marketing_consent) == (0, True)


def test_a_customer_who_never_withdrew_is_given_consent_by_the_file(tmp_path, business):
    anna = CustomerFactory(business=business, external_ref="T001", marketing_consent=False)

    result = data_import(business=business, kind="customers", path=write(tmp_path, "k.csv", FILE))

    assert (result.note_count, Customer.objects.get(pk=anna.pk).marketing_consent) == (0, True)
    assert _consent_history(anna) == [(True, "consent", "import")]


def test_consent_changed_by_an_import_is_in_the_audit_logs_consent_filter(
    tmp_path, business, owner
):
    """As the customer form's changes are (customers.services.customer_update)."""
    bert = CustomerFactory(
        business=business,
        external_ref="T002",
        marketing_consent=True,
        marketing_consent_basis="consent",
    )
    path = write(
        tmp_path,
        "k.csv",
        "Klantnummer;Naam;Nieuwsbrief\nT001;Anna de Vries;ja\nT002;Bert Jansen;nee\nT004;Cor;nee\n",
    )

    data_import(business=business, kind="customers", path=path, actor=owner)

    anna = Customer.objects.get(business=business, external_ref="T001")
    events = audit_trail(business=business, kind=AuditKind.CONSENT)
    assert [(e.action, e.customer_id, e.actor, e.changes) for e in events.order_by("id")] == [
        (
            "created",
            anna.pk,
            owner,
            {"marketing_consent": [None, True], "marketing_consent_basis": [None, "consent"]},
        ),
        (
            "changed",
            bert.pk,
            owner,
            {"marketing_consent": [True, False], "marketing_consent_basis": ["consent", ""]},
        ),
    ]


def test_a_dry_run_records_no_consent_change_in_the_audit_log(tmp_path, business, owner):
    data_import(
        business=business, kind="customers", path=write(tmp_path, "k.csv", FILE), dry_run=True
    )

    assert not audit_trail(business=business, kind=AuditKind.CONSENT).exists()
