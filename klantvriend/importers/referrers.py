"""Who brought a customer in, as a customer file says it: a column "aangebracht door" naming
the referrer by customer number, email address or name. Linked once every row of the file is
written, so that a referrer on a later line, or new in the same file, is found; a referrer the
business does not know, or knows twice, leaves the line without one and says so in a note (the
rest of the file is imported). How a customer came to the business is read as the pages and
the export write it ("doorverwijzing", "referral").

No thank-you call is planned for a referral a file brings in (the REFERRAL_RECORDED hook is not
run): it happened when the file's shop recorded it, often years ago."""

from dataclasses import dataclass

from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from klantvriend.core.models import Business
from klantvriend.customers.identity import email_key, name_key
from klantvriend.customers.models import AcquisitionChannel, Customer
from klantvriend.customers.selectors import customers_numbered
from klantvriend.customers.text import fold

from .common import Columns, batched
from .matching import by_number_key, customers_keyed, match_number
from .results import ImportResult, RowError

# How long a cell naming a referrer may be: a name, a number or an address, with room to spare.
REFERRER_TEXT_LENGTH = 200


# The words a shop's own file writes for how a customer came, besides the channels' names and
# codes (folded, hyphens as spaces): where they saw the shop, or who told them.
CHANNEL_WORDS = {
    AcquisitionChannel.WALK_IN: (
        "binnen gelopen",
        "langsgekomen",
        "langs gekomen",
        "passant",
        "etalage",
        "walkin",
        "walk in customer",
    ),
    AcquisitionChannel.REFERRAL: (
        "via via",
        "mond tot mond",
        "mond op mond",
        "mond tot mondreclame",
        "aanbeveling",
        "aanbevolen",
        "doorverwezen",
        "tip",
        "word of mouth",
        "recommendation",
        "recommended",
    ),
    AcquisitionChannel.ONLINE: (
        "internet",
        "website",
        "webshop",
        "web",
        "google",
        "facebook",
        "instagram",
        "tiktok",
        "linkedin",
        "social media",
        "sociale media",
    ),
    AcquisitionChannel.ADVERTISEMENT: (
        "advertenties",
        "reclame",
        "folder",
        "flyer",
        "krant",
        "huis aan huisblad",
        "radio",
        "poster",
        "ad",
        "advert",
        "newspaper",
        "leaflet",
    ),
    AcquisitionChannel.UNKNOWN: ("weet niet", "?", "n.b.", "nb"),
}


def read_channel(text: str) -> str | None:
    """The acquisition channel a cell names: its code, as the export writes it, its name in
    Dutch or English, or a word a shop's file writes for it (CHANNEL_WORDS), in any capitals;
    None for a cell that names none of them (customer_import records it as "other", with a
    note: channel_note)."""
    wanted = fold(text).replace("_", " ").replace("-", " ")
    for channel in AcquisitionChannel:
        names = {channel.value.replace("_", " "), *CHANNEL_WORDS.get(channel, ())}
        for language in ("nl", "en"):
            with translation.override(language):
                names.add(fold(str(channel.label)).replace("-", " "))
        if wanted in names:
            return channel.value
    return None


def channel_note(line: int, columns: Columns, text: str) -> RowError:
    """The note on a line whose cell of how the customer came names no channel (read_channel):
    "Facebook" refused a whole file, where "other" with a note keeps the rest of the line."""
    choices = ", ".join(str(channel.label) for channel in AcquisitionChannel)
    return RowError(
        line,
        columns.header("acquisition_channel"),
        text,
        _(
            "“%(text)s” is none of the ways a customer comes to us (%(choices)s), so it is "
            "recorded as “%(other)s”."
        )
        % {"text": text, "choices": choices, "other": AcquisitionChannel.OTHER.label},
        "channel_other",
    )


@dataclass(frozen=True)
class Referral:
    """A line of the file that names who brought its customer in."""

    line: int
    customer_id: int
    text: str
    # How the line says the customer came, as the file writes it, when it is another way than
    # a referral (which naming a referrer makes it), and the channel it was read as (None for
    # a cell that names none: then recorded as "other", until a referrer is linked).
    channel_text: str = ""
    channel: str | None = None


class _Several:
    """More than one customer answers to a referrer's name (or email address)."""


SEVERAL = _Several()


def referrers_link(
    *, business: Business, referrals: list[Referral], columns: Columns, result: ImportResult
) -> set[int]:
    """Links each line's customer to the referrer its cell names, and makes their channel
    "referral" (customers.selectors.came_through_referral counts either, the form asks both).
    Returns the ids of the customers it changed. A referrer not found, found twice, the
    customer themselves, or one the customer brought in (directly or through others: a cycle)
    leaves the line's customer as they were, with a note."""
    # Every referral of the business, to refuse a cycle: each link made is added before the
    # next line is judged.
    referred_by = (
        dict(
            Customer.objects.filter(business=business, referred_by__isnull=False)
            .order_by()
            .values_list("pk", "referred_by_id")
        )
        if referrals
        else {}
    )
    changed: set[int] = set()
    for batch in batched(referrals):
        found = _referrers_found(business, {referral.text for referral in batch})
        customers = Customer.objects.select_for_update().in_bulk(
            {referral.customer_id for referral in batch}
        )
        linked: dict[int, Customer] = {}
        for referral in batch:
            customer = customers[referral.customer_id]
            referrer = found.get(referral.text)
            problem = _problem(referral, customer, referrer, referred_by)
            if problem:
                result.add_note(
                    RowError(
                        referral.line,
                        columns.header("referred_by"),
                        referral.text,
                        problem,
                        "referrer_left_out",
                    )
                )
                if referral.channel_text and referral.channel is None:
                    result.add_note(channel_note(referral.line, columns, referral.channel_text))
                continue
            if referral.channel_text:
                result.add_note(_channel_overruled_note(referral, columns))
            if (customer.referred_by_id, customer.acquisition_channel) == (
                referrer.pk,
                AcquisitionChannel.REFERRAL,
            ):
                continue
            customer.referred_by_id = referrer.pk
            customer.acquisition_channel = AcquisitionChannel.REFERRAL
            referred_by[customer.pk] = referrer.pk
            linked[customer.pk] = customer
        if linked:
            Customer.objects.bulk_update(linked.values(), ["referred_by", "acquisition_channel"])
            changed.update(linked)
    return changed


def _channel_overruled_note(referral: Referral, columns: Columns) -> RowError:
    """The note on a line that says the customer came another way than through a referral, and
    names who brought them in: stored as a referral, the way the figures count them."""
    return RowError(
        referral.line,
        columns.header("acquisition_channel"),
        referral.channel_text,
        _(
            "The line says this customer came by “%(text)s”, and names who brought them in: "
            "they are recorded as having come through a referral."
        )
        % {"text": referral.channel_text},
        "channel_referral",
    )


def _problem(referral: Referral, customer: Customer, referrer, referred_by: dict[int, int]) -> str:
    """Why the line's customer is left without the referrer it names, or ""."""
    named = {"name": referral.text}
    if referrer is None:
        return (
            _(
                "No customer is known by “%(name)s”, so who brought this customer in is not "
                "taken from this line. Write the referrer's customer number, email address or "
                "name as the customer list has it."
            )
            % named
        )
    if referrer is SEVERAL:
        return (
            _(
                "More than one customer answers to “%(name)s”, so who brought this customer in "
                "is not taken from this line. Write the referrer's customer number instead."
            )
            % named
        )
    if referrer.pk == customer.pk:
        return _(
            "A customer cannot have referred themselves, so who brought this customer in is not "
            "taken from this line."
        )
    ancestor, seen = referrer.pk, set()
    while ancestor is not None and ancestor not in seen:
        seen.add(ancestor)
        if ancestor == customer.pk:
            return _(
                "%(referrer)s came in through %(name)s (directly or through others), so cannot "
                "have brought %(name)s in: who brought this customer in is not taken from this "
                "line."
            ) % {"referrer": referrer.name, "name": customer.name}
        ancestor = referred_by.get(ancestor)
    return ""


def _referrers_found(business: Business, texts: set[str]) -> dict[str, object]:
    """{cell text: the customer it names, or SEVERAL} by customer number (or the export's key
    of a customer without one), else email address, else name, in any capitals and accents.
    Not an anonymised customer: nobody can be named by what was erased. `texts`: a batch's."""
    by_number = by_number_key(
        (customer.external_ref, customer)
        for customer in customers_numbered(business=business, numbers=texts)
    )
    keyed = customers_keyed(business=business, numbers=texts)
    keyed_customers = Customer.objects.in_bulk(keyed.values()) if keyed else {}
    found: dict[str, object] = {}
    for text in texts:
        customer = match_number(by_number, text) or keyed_customers.get(keyed.get(text))
        if customer is not None and customer.erased_at is None:
            found[text] = customer
    rest = texts - set(found)
    active = Customer.objects.filter(business=business, erased_at__isnull=True).order_by()
    by_key: dict[str, list[Customer]] = {}
    emails = {email_key(text) for text in rest if "@" in text}
    if emails:
        for customer in active.annotate(lower_email=Lower("email")).filter(lower_email__in=emails):
            by_key.setdefault(email_key(customer.email), []).append(customer)
    names = {name_key(text) for text in rest if "@" not in text}
    if names:
        for customer in active.filter(match_name__in=names):
            by_key.setdefault(customer.match_name, []).append(customer)
    for text in rest:
        matches = by_key.get(email_key(text) if "@" in text else name_key(text), [])
        if matches:
            found[text] = matches[0] if len(matches) == 1 else SEVERAL
    return found
