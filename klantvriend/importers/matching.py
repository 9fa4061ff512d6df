"""How both importers find the customer a row is about: by customer number, whatever its case
(customers.identity.customer_number_key), else by e-mail address, and a purchase line that gives
neither by phone number; and, for a row of nobody known, whether it is about a person whose data
was erased, so that no import brings them back."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy

from klantvriend.core.models import Business
from klantvriend.customers.identity import (
    CUSTOMER_NUMBER,
    EMAIL,
    PHONE,
    customer_number_key,
    identifier_key,
)
from klantvriend.customers.models import Customer
from klantvriend.customers.selectors import erased_identity_find, erased_identity_salts

from .common import Columns
from .export_keys import CUSTOMER, rows_keyed
from .results import RowError


def customers_keyed(*, business: Business, numbers: Iterable[str]) -> dict[str, int]:
    """{number: customer id} for the numbers that are the export's keys of customers of this
    business without a number of their own (export_keys): the export read back into the
    business it came from."""
    return rows_keyed(
        business=business, model=Customer, kind=CUSTOMER, own_field="external_ref", texts=numbers
    )


def by_number_key[T](pairs: Iterable[tuple[str, T]]) -> dict[str, dict[str, T]]:
    """(stored customer number, customer) pairs grouped by the number's key."""
    grouped: dict[str, dict[str, T]] = {}
    for number, customer in pairs:
        grouped.setdefault(customer_number_key(number), {})[number] = customer
    return grouped


def match_number[T](found: dict[str, dict[str, T]], number: str) -> T | None:
    """The customer with this number, in whatever capitals: the database holds one at most
    (the constraint customer_unique_number_key)."""
    return next(iter(found.get(customer_number_key(number), {}).values()), None)


# Why a row is refused when the identifier it gives belongs to several customers.
_SEVERAL_CUSTOMERS = {
    "email": gettext_lazy(
        "Several customers have this email address; add a customer number to say which one "
        "is meant."
    ),
    "phone": gettext_lazy(
        "Several customers have this phone number, and none of them has the name on this "
        "line; add a customer number or an email address to say which one is meant."
    ),
}


def ambiguous_match_error(line: int, columns: Columns, field: str, value: str) -> RowError:
    """The refusal of a row whose `field` ("email" or "phone") several customers have."""
    return RowError(
        line, columns.header(field), value, str(_SEVERAL_CUSTOMERS[field]), "ambiguous_match"
    )


def phone_speaks(number: str, email: str, phone: str) -> str:
    """The phone number a row is matched on: only that of a row without a customer number or an
    e-mail address ("" otherwise). A phone is shared by a household and passed on to someone
    else more often than an address, so it never overrules what a row says more precisely."""
    return "" if number or email else phone


class ErasedCustomers:
    """The erased customers that the rows of one import name: looked up a batch at a time by
    digest (customers.selectors.erased_identity_find) and kept for the rest of the file. A
    business that never erased anyone costs one query per import."""

    def __init__(self, business: Business) -> None:
        self.business = business
        self.salts = erased_identity_salts(business=business)
        self.found: dict[tuple[str, str], int | None] = {}
        self.asked: set[tuple[str, str]] = set()

    @staticmethod
    def _identifiers(number: str, email: str, phone: str) -> list[tuple[str, str]]:
        pairs = [
            (CUSTOMER_NUMBER, number),
            (EMAIL, email),
            (PHONE, phone_speaks(number, email, phone)),
        ]
        keys = [(kind, identifier_key(kind, value)) for kind, value in pairs if value]
        return [(kind, key) for kind, key in keys if key]

    def look_up(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """Asks about the (customer number, e-mail address, phone number) of rows not asked
        about before."""
        if not self.salts:
            return
        wanted = {
            identifier
            for number, email, phone in rows
            for identifier in self._identifiers(number, email, phone)
            if identifier not in self.asked
        }
        self.asked |= wanted
        self.found.update(
            erased_identity_find(business=self.business, salts=self.salts, identifiers=wanted)
        )

    def match(self, number: str, email: str, phone: str) -> tuple[bool, int | None]:
        """Whether the row belongs to an erased person, and their anonymised customer (None when
        it was deleted since). The row's other identifier then leads there too for the rest of
        the file: a new e-mail address next to an erased number is the same person."""
        identifiers = self._identifiers(number, email, phone)
        for identifier in identifiers:
            if identifier in self.found:
                customer_id = self.found[identifier]
                for other in identifiers:
                    self.found.setdefault(other, customer_id)
                return True, customer_id
        return False, None
