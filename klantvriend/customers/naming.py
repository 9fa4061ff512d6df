"""How two customer records are named where a person must tell them apart, merging one into the
other: "Femke den Prins" twice says nothing about which record stays and which goes."""

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .identity import customer_number_key, email_key, name_key, phone_key
from .models import Customer
from .text import fold

# The details that tell two records of one name apart, the most telling first: the number the
# till knows the person by (a record from the till beside one typed at the counter without it),
# since when they are a customer, where they live, how they are reached. Each: the field, how
# it is compared (as the duplicates finder and the importers compare it), how a record is
# named by it, and how one without it is.
_TELLING_DETAILS = (
    (
        "external_ref",
        customer_number_key,
        gettext_lazy("customer number %(value)s"),
        gettext_lazy("no customer number"),
    ),
    ("customer_since", None, gettext_lazy("customer since %(value)s"), None),
    ("city", fold, "%(value)s", gettext_lazy("no city")),
    ("phone", phone_key, "%(value)s", gettext_lazy("no phone number")),
    ("email", email_key, "%(value)s", gettext_lazy("no email address")),
)


def customer_names_told_apart(first: Customer, second: Customer) -> tuple[str, str]:
    """The names of `first` and `second` for a text that speaks of both: their names when these
    differ as the list of possible duplicates compares names (identity.name_key: "Jose" is
    "JOSÉ"); else each name with the first detail of _TELLING_DETAILS in which the two differ
    ("Jan de Vries (customer since 3 Mar 2024)"), and as a last resort the record's id, which
    its profile's address shows."""
    if name_key(first.name) != name_key(second.name):
        return first.name, second.name
    for field, compared_as, named, without in _TELLING_DETAILS:
        values = getattr(first, field), getattr(second, field)
        keys = [compared_as(value) if compared_as else value for value in values]
        if keys[0] != keys[1]:
            first_named, second_named = (
                _named(customer, named % {"value": _shown(value)} if key else without)
                for customer, value, key in zip((first, second), values, keys, strict=True)
            )
            return first_named, second_named
    return (
        _named(first, _("record no. %(id)s") % {"id": first.pk}),
        _named(second, _("record no. %(id)s") % {"id": second.pk}),
    )


def _shown(value) -> str:
    return value if isinstance(value, str) else date_format(value, "SHORT_DATE_FORMAT")


def _named(customer: Customer, detail) -> str:
    return _("%(name)s (%(detail)s)") % {"name": customer.name, "detail": detail}
