"""An erasure reaches the import history: the errors of a refused file that quote the person's
name, e-mail address or phone number lose them at once, not after the history's 90 days, and
every other cell stays as it was; an access request lists those errors; a refused erasure
changes no error."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from klantvriend.core.models import AuditEvent, Role
from klantvriend.core.services import apitoken_create, membership_create, user_create
from klantvriend.customers import services
from klantvriend.importers import history
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.models import CustomerActivity, ImportErrorPage, ImportRecord
from klantvriend.importers.privacy import (
    AlreadyErased,
    apply_retention,
    customer_delete,
    customer_erase,
    customer_personal_data,
    personal_data,
)
from klantvriend.importers.privacy_settings import privacy_settings_update
from klantvriend.importers.results import ImportResult, RowError
from klantvriend.importers.tests.factories import ImportRecordFactory

CUSTOMERS_FILE = (
    "Naam;E-mail;Telefoon;Tags\r\n"
    "Jan de Vries;jan@devries.example;06-87654321;vaste klant\r\n"
    "Zoë Jansen;jan@devries.example;;\r\n"
    "Piet Smit;piet@@smit.example;;\r\n"
    "Ans de Vries;ans@devries.example;06 8765 4321 werk;\r\n"
    "Ans de Vries;ans@devries.example;;Moeder van Jan de Vries die altijd op dinsdag om tien uur belt\r\n"
    "Jan Bakker;jan.bakker@example.nl;;\r\n"
    "Jan Bakker;jan.bakker@example.nl;;\r\n"
)

# The errors of CUSTOMERS_FILE, [line, column, value, code], in the file's order.
REFUSED = [
    [3, "E-mail", "jan@devries.example", "duplicate"],
    [4, "E-mail", "piet@@smit.example", "invalid"],
    [5, "Telefoon", "06 8765 4321 werk", "invalid"],
    [6, "Tags", "Moeder van Jan de Vries die altijd op dinsdag om tien uur belt", "too_long"],
    [8, "E-mail", "jan.bakker@example.nl", "duplicate"],
]
AFTER_ERASURE = [
    [3, "E-mail", "[…]", "duplicate"],
    [4, "E-mail", "piet@@smit.example", "invalid"],
    [5, "Telefoon", "[…] werk", "invalid"],
    [6, "Tags", "Moeder van […] die altijd op dinsdag om tien uur belt", "too_long"],
    [8, "E-mail", "jan.bakker@example.nl", "duplicate"],
]


def jan(business):
    return services.customer_create(
        business=business, name="Jan de Vries", email="jan@devries.example", phone="0687654321"
    )


def refused_import(tmp_path, business) -> ImportRecord:
    path = tmp_path / "klanten.csv"
    path.write_text(CUSTOMERS_FILE, encoding="utf-8")
    with pytest.raises(CommandError):
        call_command(
            "import_data", "customers", str(path), business=business.slug, stdout=StringIO()
        )
    return ImportRecord.objects.get(business=business, file_name="klanten.csv")


def stored(record: ImportRecord) -> list[list]:
    return [
        [line, column, value, code]
        for page in record.error_pages.order_by("number")
        for line, column, value, _message, code in page.errors
    ]


def write_errors(record: ImportRecord, errors: list[list]) -> None:
    """The record's page holds `errors`, as an import writes them."""
    record.error_pages.update(errors=errors, search_text=history.error_page_search_text(errors))


def all_pages() -> list:
    return list(ImportErrorPage.objects.order_by("pk").values_list("pk", "errors", "search_text"))


def test_an_erasure_cuts_the_person_out_of_a_refused_imports_errors_and_leaves_the_rest(
    tmp_path, business, owner, other_business
):
    customer = jan(business)
    other = services.customer_create(
        business=business, name="Jan Bakker", email="jan.bakker@example.nl"
    )
    record = refused_import(tmp_path, business)
    elsewhere = refused_import(tmp_path, other_business)
    assert stored(record) == REFUSED
    messages = [error[3] for page in record.error_pages.all() for error in page.errors]

    customer_erase(customer=customer, actor=owner)

    assert stored(record) == AFTER_ERASURE
    # The tag's message quotes the tag, and loses the name as its value does; the rest stay as
    # written, and so does the other business's history.
    assert messages[3] == (
        "Een label mag hoogstens 50 tekens lang zijn: Moeder van Jan de Vries die altijd op "
        "dinsdag om tien uur belt"
    )
    messages[3] = messages[3].replace("Jan de Vries", "[…]")
    assert [error[3] for page in record.error_pages.all() for error in page.errors] == messages
    assert stored(elsewhere) == REFUSED
    erased = AuditEvent.objects.get(customer=customer, action="erased")
    assert erased.changes == {"reason": "request", "import_errors": 3}
    other.refresh_from_db()
    assert (other.name, other.email) == ("Jan Bakker", "jan.bakker@example.nl")


def test_a_message_that_quotes_the_person_loses_them_too(business, owner):
    customer = jan(business)
    record = ImportRecordFactory(business=business)
    record.error_pages.all().delete()  # written below as an import writes them
    history.import_record_finish(
        record=record,
        result=ImportResult(
            kind="customers",
            dry_run=False,
            errors=[
                RowError(2, "Naam", "", "Jan de Vries staat al op regel 1.", "duplicate"),
                RowError(3, "Naam", "", "Jan Bakker staat al op regel 1.", "duplicate"),
            ],
            error_count=2,
        ),
        state=ImportRecord.State.REFUSED,
    )

    customer_erase(customer=customer, actor=owner)

    assert record.error_pages.get().errors == [
        [2, "Naam", "", "[…] staat al op regel 1.", "duplicate"],
        [3, "Naam", "", "Jan Bakker staat al op regel 1.", "duplicate"],
    ]


@pytest.mark.parametrize(
    ("name", "email", "phone", "quoted", "left"),
    [
        # Letters outside ASCII, in other capitals.
        ("Zoë Jansen", "", "", "Klant ZOË JANSEN bestaat al", "Klant […] bestaat al"),
        # Capitals that re.IGNORECASE relates to ASCII: the kelvin sign for a K, "ſ" for an s.
        ("Kees Kok", "", "", "\u212aEES \u212aOK", "[…]"),
        ("Sas Smit", "", "", "\u017fAS \u017fMIT", "[…]"),
        # A phone number with a non-breaking space and a tab between its digits.
        ("Ida Prins", "", "0612345678", "06\u00a01234\t5678", "[…]"),
        ("Ida Prins", "ida@prins.example", "", "IDA@Prins.Example;", "[…];"),
    ],
)
def test_the_pages_asked_of_the_database_include_every_one_the_scrubber_changes(
    business, owner, name, email, phone, quoted, left
):
    customer = services.customer_create(business=business, name=name, email=email, phone=phone)
    unrelated = ImportRecordFactory(business=business)
    record = ImportRecordFactory(business=business)
    write_errors(record, [[2, "Naam", quoted, "Not good.", "invalid"]])

    customer_erase(customer=customer, actor=owner)

    assert record.error_pages.get().errors == [[2, "Naam", left, "Not good.", "invalid"]]
    assert unrelated.error_pages.get().errors == [[2, "Bedrag", "vijf", "Not an amount.", "amount"]]


def test_only_the_pages_that_quote_the_person_are_read(business):
    for _number in range(3):
        ImportRecordFactory(business=business)
    quoting = ImportRecordFactory(business=business)
    write_errors(quoting, [[2, "E-mail", "JAN@devries.example", "Taken.", "taken"]])

    pages = history._pages_quoting(business, ["Jan de Vries", "jan@devries.example"])

    assert [page.record_id for page in pages] == [quoting.pk]
    assert history.import_errors_scrub(business=business, strings=["jan@devries.example"]) == 1
    assert quoting.error_pages.get().errors == [[2, "E-mail", "[…]", "Taken.", "taken"]]


def test_a_page_written_without_its_search_text_is_read_all_the_same(business, owner):
    customer = jan(business)
    record = ImportRecordFactory(business=business)
    # As the code before the search text wrote a page, during an upgrade: the database's default.
    record.error_pages.all().delete()
    ImportErrorPage.objects.create(
        record=record, number=1, errors=[[2, "E-mail", "jan@devries.example", "Taken.", "taken"]]
    )
    assert record.error_pages.get().search_text == ""

    customer_erase(customer=customer, actor=owner)

    assert record.error_pages.get().errors == [[2, "E-mail", "[…]", "Taken.", "taken"]]


def test_an_erasure_after_a_name_change_cuts_the_earlier_name_and_address_too(business, owner):
    customer = services.customer_create(
        business=business, name="Mila Groen", email="mila@groen.example", actor=owner
    )
    services.customer_update(
        customer=customer, name="Mila de Wit", email="mila@dewit.example", actor=owner
    )
    record = ImportRecordFactory(business=business)
    write_errors(
        record,
        [
            [2, "Naam", "Mila Groen", "Too long.", "max_length"],
            [3, "E-mail", "mila@groen.example", "Taken.", "taken"],
        ],
    )

    customer_erase(customer=customer, actor=owner)

    assert record.error_pages.get().errors == [
        [2, "Naam", "[…]", "Too long.", "max_length"],
        [3, "E-mail", "[…]", "Taken.", "taken"],
    ]


def test_a_merged_record_s_name_is_cut_when_the_kept_one_is_erased(business, owner):
    keep = services.customer_create(business=business, name="Noor Visser", actor=owner)
    other = services.customer_create(business=business, name="N. Visser-Bos", actor=owner)
    customer_merge(keep=keep, other=other, actor=owner)
    record = ImportRecordFactory(business=business)
    write_errors(record, [[2, "Naam", "N. Visser-Bos", "Too long.", "max_length"]])

    customer_erase(customer=keep, actor=owner)

    assert record.error_pages.get().errors == [[2, "Naam", "[…]", "Too long.", "max_length"]]


def test_the_retention_rule_cuts_the_person_out_of_the_import_history(tmp_path, business, owner):
    customer = jan(business)
    record = refused_import(tmp_path, business)
    privacy_settings_update(business=business, actor=owner, retention_years=1)
    CustomerActivity.objects.filter(customer=customer).update(
        moment="2020-01-01T00:00:00Z", day="2020-01-01"
    )

    outcome = apply_retention(business=business, dry_run=False, actor=owner)

    assert [c.pk for c in outcome.customers] == [customer.pk]
    assert stored(record) == AFTER_ERASURE
    erased = AuditEvent.objects.get(customer=customer, action="erased")
    assert erased.changes == {"reason": "retention", "import_errors": 3}


def test_deleting_a_customer_cuts_them_out_of_the_import_history(tmp_path, business, owner):
    customer = jan(business)
    record = refused_import(tmp_path, business)

    customer_delete(customer=customer, actor=owner)

    assert stored(record) == AFTER_ERASURE
    assert AuditEvent.objects.get(action="deleted").changes == {"import_errors": 3}


def test_an_erasure_refused_as_already_done_changes_no_error(tmp_path, business, owner):
    customer = jan(business)
    customer_erase(customer=customer, actor=owner)
    record = refused_import(tmp_path, business)  # the file still quotes them, after the erasure
    before = all_pages()

    with pytest.raises(AlreadyErased):
        customer_erase(customer=customer, actor=owner)

    assert all_pages() == before
    assert stored(record) == REFUSED


def test_the_web_erasure_refused_to_staff_or_another_business_changes_no_error(
    tmp_path, business, staff_client, other_business, other_owner
):
    customer = jan(business)
    refused_import(tmp_path, business)
    before = all_pages()
    other_owner_client = Client()
    other_owner_client.force_login(other_owner)
    url = f"/customers/{customer.pk}/erase/"

    by_staff = staff_client.post(url)
    by_other = other_owner_client.post(url)

    assert (by_staff.status_code, by_other.status_code) == (403, 404)
    assert all_pages() == before
    customer.refresh_from_db()
    assert customer.erased_at is None


def staff_api(business) -> Client:
    user = user_create(username="kees", password="pw-kees-12345")
    key = apitoken_create(
        membership=membership_create(business=business, user=user, role=Role.STAFF)
    )[1]
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


def test_the_api_erasure_refused_to_staff_or_another_business_changes_no_error(
    tmp_path, business, other_api
):
    customer = jan(business)
    refused_import(tmp_path, business)
    before = all_pages()
    url = f"/api/v1/customers/{customer.pk}/erase"

    by_staff = staff_api(business).post(url)
    by_other = other_api.post(url)

    assert (by_staff.status_code, by_other.status_code) == (403, 404)
    assert all_pages() == before
    customer.refresh_from_db()
    assert customer.erased_at is None


def test_an_access_request_lists_the_import_errors_that_quote_the_person(tmp_path, business, owner):
    customer = jan(business)
    record = refused_import(tmp_path, business)

    document = customer_personal_data(customer=customer)

    assert [
        {key: row[key] for key in ("file_name", "line", "column", "value")}
        for row in document["import_errors"]
    ] == [
        {"file_name": "klanten.csv", "line": 3, "column": "E-mail", "value": "jan@devries.example"},
        {"file_name": "klanten.csv", "line": 5, "column": "Telefoon", "value": "06 8765 4321 werk"},
        {
            "file_name": "klanten.csv",
            "line": 6,
            "column": "Tags",
            "value": "Moeder van Jan de Vries die altijd op dinsdag om tien uur belt",
        },
    ]
    assert document["import_errors"][0]["message"] == (
        "Dit e-mailadres staat ook op regel 2; geef elke klant een klantnummer, of houd één "
        "regel per klant."
    )
    assert {row["import_started_at"] for row in document["import_errors"]} == {
        record.started_at.isoformat()
    }

    customer_erase(customer=customer, actor=owner)

    assert personal_data(customer=customer).import_errors == []


BEFORE = [("importers", "0003_import_history")]


@pytest.mark.django_db(transaction=True)
def test_the_upgrade_gives_the_pages_kept_already_their_search_text(business, owner):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        record = old.get_model("importers", "ImportRecord").objects.create(
            business_id=business.pk,
            source="command",
            kind="customers",
            file_name="klanten.csv",
            file_size=10,
            state="refused",
            started_at=timezone.now(),
            error_count=2,
        )
        old.get_model("importers", "ImportErrorPage").objects.create(
            record_id=record.pk,
            number=1,
            errors=[
                [2, "E-mail", "Jan@DeVries.example", "Taken.", "taken"],
                [3, "Telefoon", "06-8765 4321", "Not a number.", "phone"],
            ],
        )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    customer = jan(business)

    # Each word once, lowered, and the phone number without its separators.
    assert ImportErrorPage.objects.get().search_text == (
        "06-8765 0687654321 4321 a jan@devries.example not number. taken."
    )
    customer_erase(customer=customer, actor=owner)
    assert ImportErrorPage.objects.get().errors == [
        [2, "E-mail", "[…]", "Taken.", "taken"],
        [3, "Telefoon", "[…]", "Not a number.", "phone"],
    ]
