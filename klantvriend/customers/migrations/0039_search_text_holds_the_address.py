"""The customer search finds a customer by postcode ("7201 HV" or "7201hv"), place ("Zutphen") and
street with house number: the stored search text of every customer is written again with their
address after the person's details (customers/text.py, search_text_for). The search index
follows: SQLite's full-text table through its triggers (migration 0005), PostgreSQL's trigram
index as any index. An anonymised customer's address was emptied by the erasure, so their text
stays as it was.

The logic is frozen here, not imported from the app, whose code may change later. A batch of
customers at a time in the order of their id; only those whose text changes are written. Figures
at 100,000 customers in docs/benchmarks.md.

Not undone: the longer text is still found by every search that found the shorter one."""

import re
import unicodedata

from django.db import migrations

BATCH = 2_000
LENGTH = 700

_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")
_PLAIN_LETTERS = str.maketrans(
    {"ı": "i", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "æ": "ae", "Æ": "ae"}
    | {"œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th"}
)
_HOME_DIALLING_CODES = ("31", "32")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_PLAIN_LETTERS))
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", without_accents.casefold()).strip()


def _digits(text: str) -> str:
    return _NON_DIGITS.sub("", text)


def _phone_digits(text: str) -> str:
    number = _digits(text)
    international = text.strip().startswith("+")
    if not international and number.startswith("00"):
        number, international = number[2:], True
    if international:
        for code in _HOME_DIALLING_CODES:
            rest = number.removeprefix(code)
            if rest != number and rest:
                return rest if rest.startswith("0") else "0" + rest
    return number


def _search_text(name, company, email, phone, street, postal_code, city) -> str:
    parts = [_fold(name), _fold(company), _fold(email), _phone_digits(phone)]
    text = " ".join(part for part in parts if part)
    written = _digits(phone)
    postcode = _fold(postal_code).replace(" ", "")
    extras = [written if written != parts[-1] else "", postcode, _fold(city), _fold(street)]
    for extra in extras:
        if extra and len(text) + 1 + len(extra) <= LENGTH:
            text = f"{text} {extra}".lstrip()
    return text


def search_text_with_address(apps, schema_editor) -> None:
    Customer = apps.get_model("customers", "Customer")
    fields = ("name", "company", "email", "phone", "street", "postal_code", "city")
    after = 0
    while True:
        batch = list(
            Customer.objects.filter(pk__gt=after)
            .order_by("pk")
            .only("pk", "search_text", *fields)[:BATCH]
        )
        changed = []
        for customer in batch:
            text = _search_text(*(getattr(customer, field) for field in fields))
            if text != customer.search_text:
                customer.search_text = text
                changed.append(customer)
        # Only the search text: the customer's updated_at stays, as nothing they can read moved.
        Customer.objects.bulk_update(changed, ["search_text"], batch_size=500)
        if len(batch) < BATCH:
            break
        after = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("customers", "0038_customer_since_not_after_first_purchase")]

    operations = [migrations.RunPython(search_text_with_address, migrations.RunPython.noop)]
