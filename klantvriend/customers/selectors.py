"""Reads of customer data. Every function takes the business (directly or through a customer
that was itself read through the business), so no query can reach another business's rows."""

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.core.audit import AuditAction, audit_removals
from klantvriend.core.care_settings import care_settings
from klantvriend.core.db import AsciiLower, MonthDay
from klantvriend.core.errors import NotFound
from klantvriend.core.members import staff_name, staff_name_in_database
from klantvriend.core.models import AuditEvent, Business
from klantvriend.core.rows import ByFigure, ByOffset, Listed
from klantvriend.core.selectors import changed_since, owned_get, refuse_impossible_ids
from klantvriend.core.timeline import OpenItem, TimelineEntry, open_items_for, timeline_for
from klantvriend.core.versions import record_version

from .identity import customer_number_key, identifier_key, identity_digest
from .important_dates import celebrated_on, coming_month_days, falls_on
from .models import (
    DERIVED_FIELDS,
    AcquisitionChannel,
    ConsentKind,
    ConsentRecord,
    ContactKind,
    ContactMoment,
    Customer,
    CustomerCount,
    CustomerLastPurchase,
    DistinctPair,
    ErasedIdentity,
    ImportantDate,
    LegalBasis,
    MatchCount,
    MatchKind,
    Purchase,
    Tag,
)
from .search import (
    SIMILAR_ENOUGH,
    found_in,
    name_starts,
    name_word_first,
    resemblance,
    search_filter,
    search_is_indexed,
    sharing_trigrams,
    typo_terms,
)
from .text import search_text_for


def came_through_referral() -> Q:
    """The one definition of a customer brought in by a referral, for every figure: the
    channel says so, or a referrer is recorded (the channel is a separate field on the form
    and often left at its default when the referrer is picked)."""
    return Q(acquisition_channel=AcquisitionChannel.REFERRAL) | Q(referred_by__isnull=False)


def customer_before(day: date, prefix: str = "") -> Q:
    """Whether a customer was one before `day`: their "customer since" lies before it, or is not
    known (Customer.customer_since_known): a file brought them in as customers of its day, by
    which they may have been ones for years. `prefix`: the way from the rows queried to the
    customer ("customer__")."""
    return Q(**{f"{prefix}customer_since__lt": day}) | Q(**{f"{prefix}customer_since_known": False})


def came_through(channel: str) -> Q:
    """The customers the acquisition report counts under `channel`: a customer with a
    referrer under referral whatever channel was ticked (came_through_referral), the others
    under their own channel."""
    if channel == AcquisitionChannel.REFERRAL:
        return came_through_referral()
    # As a negation SQLite cannot read "no referrer" through the referrer index, which its
    # statistics take for a few rows where it is nearly every customer (67 ms for a month's
    # walk-ins at 100,000 customers); it reads the month through customer_business_since.
    return Q(acquisition_channel=channel) & ~came_through_referral()


def numbered(customers: QuerySet[Customer], numbers: Iterable[str]) -> QuerySet[Customer]:
    """Those of `customers` whose customer number is one of `numbers` but for case (K-1001 is
    k-1001: identity.customer_number_key), through the index the unique constraint on the
    number keeps."""
    keys = {customer_number_key(number) for number in numbers if number.strip()}
    return (
        customers.alias(number_key=AsciiLower("external_ref"))
        .filter(number_key__in=keys)
        .exclude(external_ref="")  # the condition of the index on the key: an index lookup
    )


def customers_numbered(*, business: Business, numbers: Iterable[str]) -> QuerySet[Customer]:
    """The customers whose number is one of `numbers` but for case (the importers' match)."""
    return numbered(Customer.objects.filter(business=business), numbers).order_by()


def regular_customer_count(*, business: Business, user) -> int:
    """How many customers of `business` have `user` as their regular staff member: what removing
    them from the business takes from those customers, said before it is done."""
    return Customer.objects.filter(business=business, regular_member=user).count()


# The customer list's choice of the customers without a regular staff member (no user id).
REGULAR_MEMBER_NOBODY = 0


def _search_or_number(business: Business, query: str) -> Q:
    """The search's condition, or the customer whose number it is, whole and in any capitals:
    the card shows "klantnummer 1032", and the search for 1032 found nobody. Looked up first
    (one index lookup, and only for a word with a digit: a name search is as it was), so that
    the search's own plan stays a read by id of what its index found."""
    condition = search_filter(query)
    typed = query.replace("\x00", "").strip()
    if not condition or " " in typed or not any(ch.isdigit() for ch in typed):
        return condition
    ids = list(
        numbered(Customer.objects.filter(business=business), [typed]).values_list("pk", flat=True)
    )
    return condition | Q(pk__in=ids) if ids else condition


def customer_list(
    *,
    business: Business,
    query: str = "",
    tag: str = "",
    number: str = "",
    order: str = "name",
    channel: str = "",
    since_from: date | None = None,
    since_until: date | None = None,
    regular_member_id: int | None = None,
) -> QuerySet[Customer]:
    """Customers matching a search (their customer number too), a tag or a customer number (each
    in any capitals), the channel they came through (as the acquisition report counts it), the
    days they became a customer (from and until, both included) and their regular staff member
    (a user id, or REGULAR_MEMBER_NOBODY for those without one)."""
    customers = Customer.objects.filter(business=business)
    if query.strip():
        customers = customers.filter(_search_or_number(business, query))
    if number.strip():
        customers = numbered(customers, [number])
    if tag.strip():
        # In any capitals, as a tag is given (tag_spellings)
        tag = tag_spellings(business_id=business.pk, names=[tag])[tag.strip()]
        customers = customers.filter(tags__business=business, tags__name=tag)
    if channel:
        customers = customers.filter(came_through(channel))
    if since_from is not None:
        # Not those whose day is not known: they may have been customers long before it
        # (customer_before), and the list of a month's new customers would hold a whole import.
        customers = customers.filter(~customer_before(since_from))
    if since_until is not None:
        customers = customers.filter(customer_since__lte=since_until)
    if regular_member_id is not None:
        customers = customers.filter(
            regular_member_id=None
            if regular_member_id == REGULAR_MEMBER_NOBODY
            else regular_member_id
        )
    if order == "-last_purchase":
        customers = with_last_purchase(customers)
    orderings = {
        "name": ["sort_name", "id"],
        # Those who never bought last on both databases (PostgreSQL puts NULL first when
        # descending, SQLite last): the list is of who bought most recently.
        "-last_purchase": [F("last_purchase_at").desc(nulls_last=True), "sort_name", "id"],
        "-customer_since": ["-customer_since", "sort_name", "id"],
    }
    if search_is_indexed(query):
        # Both databases read the matches through the trigram index and sort them, instead of
        # walking the name index in the hope of meeting matches early (a first name's matches
        # all sit under one letter). The sort name is lower case already: lower() leaves the
        # order as it is, and makes it one that no index serves, which keeps them from that walk.
        # Words too short for the index ("an") match so many customers that walking the name
        # index meets fifty of them at once, where sorting them all took 38 ms in SQLite.
        orderings["name"] = [Lower("sort_name"), "id"]
    return customers.order_by(*orderings.get(order, orderings["name"]))


def customer_matches(*, business: Business, query: str) -> QuerySet[Customer]:
    """What a search at the counter finds, for the pickers, the header's live search and the
    duplicate check: the customer list's matches (customer_list, in its order) without
    anonymised customers, whom nobody at the counter looks for and who cannot be picked as a
    referrer or merged."""
    return customer_list(business=business, query=query).filter(erased_at__isnull=True)


def customer_search(
    *,
    business: Business,
    query: str,
    limit: int,
    exclude: int | None = None,
    fields: Iterable[str] = (),
) -> list[Customer]:
    """The first `limit` of a search at the counter (customer_matches, but customer `exclude`),
    closest first, for the header's live search and the pickers: "jan" offers Jan de Vries and
    Jansen, then Piet Jansen, before Marjan Bakker or those living in the Jan Steenstraat; each
    group by name (the first by the folded name the search text starts with, then the other
    details; the others as the list). Only `fields` read, if given. Two queries at most,
    however many match: first those whose name starts with it, in the order of the index on
    the search text (search.name_starts), so that a name typed at the counter ("ja", "thijs")
    is offered without ranking all its matches; only when they are fewer than `limit` the
    others, those with a word of the name starting with it first (search.name_word_first),
    which reads them all as the list's own sort by name does. A phone number or postcode, which
    no name starts with, in the list's order. The customer list keeps its name order: it is
    read page by page, where the closest few are what the box under the search is for."""
    found = customer_matches(business=business, query=query)
    everyone = customer_matches(business=business, query="")
    if exclude is not None:
        found, everyone = found.exclude(pk=exclude), everyone.exclude(pk=exclude)
    if fields:
        found, everyone = found.only(*fields), everyone.only(*fields)
    starts = name_starts(query)
    if starts is None:
        return list(found[:limit])
    # Matches all (name_starts): read without the search's own condition, which would make
    # SQLite read every match of its index first ("zutphen": 100,000) rather than this range.
    first = list(everyone.filter(starts).order_by("search_text", "id")[:limit])
    if len(first) == limit:
        return first
    rest = found.exclude(pk__in=[customer.pk for customer in first])
    rest = rest.alias(word_first=name_word_first(query))
    return first + list(rest.order_by("word_first", "sort_name", "id")[: limit - len(first)])


def customer_list_parts(
    customers: QuerySet[Customer],
    *,
    business: Business,
    order: str,
    among: Callable[..., QuerySet] | None,
    everyone: int | None = None,
) -> list[ByFigure | QuerySet[Customer]] | None:
    """The customer list in an order of its own fields, for core.rows.IdsFirst: the newest
    customers by the day they became one, and those who bought most recently by the moment the
    database keeps (CustomerLastPurchase, through customer_last_purchase), then those who never
    bought by name. A deep page is found from those days or moments alone (core.rows.ByFigure)
    rather than by stepping over every customer before it and sorting them by name; filtered,
    from the moments of the customers listed, which `among` (insights.selectors.insights_among)
    makes of a table of figures kept per customer, and `everyone`, the business's number of
    customers, tells how to read them (core.rows.Listed). Without `among` (a search's matches,
    which are few) the pages are read with their rows. None for the other orders."""
    if order == "-customer_since":
        days = (customers, "customer_since") if among else None
        return [ByFigure(customers, field="customer_since", descending=True, figures=days)]
    if order == "-last_purchase":
        moments = CustomerLastPurchase.objects.filter(business=business)
        # The kept moment's own business too, for its index (business first) to serve the order.
        bought = customers.filter(last_purchase__business=business)
        return [
            ByFigure(
                bought.order_by("-last_purchase__at", "sort_name", "id"),
                field="last_purchase__at",
                descending=True,
                figures=(among(moments), "at") if among else None,
                listed=Listed(among(moments, as_set=True, probed=True), everyone)
                if among and everyone is not None
                else None,
            ),
            ByOffset(
                customers.filter(last_purchase__isnull=True).order_by("sort_name", "id"),
                told=none_without(moments, business=business),
            ),
        ]
    return None


def none_without(per_customer: QuerySet, *, business: Business) -> Callable[[], int | None]:
    """For core.rows.ByOffset's `told`, of the part of a list whose customers have no row of
    `per_customer` (a table of at most one row per customer of the business: the insights, the
    kept last purchases): none (0) when every customer of the business has one, which the
    rows' count from their index and the kept count of the customers tell (4 ms at 100,000
    customers in SQLite), where counting those of a filtered list without one reads every
    customer listed; else None, to be counted."""

    def told() -> int | None:
        every = per_customer.order_by().count() == customer_count(business=business)
        return 0 if every else None

    return told


# The matches of a detail read at a time, and how many such pages at most, by customers_alike.
_ALIKE_PAGE = 50
_ALIKE_PAGES = 4


def customers_alike(
    *, business: Business, details: Iterable[str], limit: int = 10
) -> list[Customer]:
    """Customers who may be the person with these details (a name, a phone number, an e-mail
    address): those the search finds by each, in the order given, each once ("+31 6 1234 5678"
    is found as "06-12345678"), never an anonymised one. Asked before adding a walk-in and when
    merging: a query per detail given (rarely more), through the search's index. Found by the
    person's own details only: not "Jan Bakker" of the Jan Steenstraat for "Piet Jansen", nor
    everyone of Zutphen for a Mr Zutphen, as the search finds them by their address."""
    found: dict[int, Customer] = {}
    for detail in filter(None, (text.strip() for text in details)):
        matches = customer_matches(business=business, query=detail)
        for match in _found_by_person(matches, detail, limit):
            found.setdefault(match.pk, match)
    return list(found.values())[:limit]


def _found_by_person(matches: QuerySet[Customer], detail: str, limit: int) -> list[Customer]:
    """The first `limit` of a search's matches that its words find in the person's own details,
    not in their address: of the first few pages of matches, in the order of the list."""
    found: list[Customer] = []
    for start in range(0, _ALIKE_PAGE * _ALIKE_PAGES, _ALIKE_PAGE):
        page = list(matches[start : start + _ALIKE_PAGE])
        found += [match for match in page if found_in(detail, _person_text(match))]
        if len(found) >= limit or len(page) < _ALIKE_PAGE:
            break
    return found[:limit]


def _person_text(customer: Customer) -> str:
    return search_text_for(
        name=customer.name, company=customer.company, email=customer.email, phone=customer.phone
    )


def customer_suggestions(*, business: Business, query: str, limit: int = 5) -> list[Customer]:
    """Customers who come close to a search that found nobody, closest first: "Bakkr" or
    "Bakeer" finds Bakker, so that a typo at the counter does not end in a second record of the
    same person. One query, on the candidates the trigram index gives."""
    terms = typo_terms(query)
    if not terms:
        return []
    candidates = (
        Customer.objects.filter(business=business)
        .filter(sharing_trigrams(business.pk, terms))
        .only("pk", "name", "sort_name", "company", "phone", "email", "search_text")
    )
    scored = [(resemblance(terms, customer.search_text), customer) for customer in candidates]
    close = [pair for pair in scored if pair[0] >= SIMILAR_ENOUGH]
    close.sort(key=lambda pair: (-pair[0], pair[1].sort_name, pair[1].pk))
    return [customer for _score, customer in close[:limit]]


def with_last_purchase(customers: QuerySet[Customer]) -> QuerySet[Customer]:
    """Each customer's last purchase moment (`last_purchase_at`), for the lists that show it:
    read per customer of a page from the purchases' index (customer, at), one step, where the
    moment kept in CustomerLastPurchase, joined, made SQLite read every customer before their
    filter (a fifth of them by spend, sorted: 129 → 417 ms) and, by a subquery, costs two steps
    (its key and its row). The list by last purchase is sorted by the kept moment
    (customer_list_parts)."""
    if "last_purchase_at" in customers.query.annotations:
        return customers
    last_purchase = (
        Purchase.objects.filter(customer=OuterRef("pk")).order_by("-at").values("at")[:1]
    )
    return customers.annotate(last_purchase_at=Subquery(last_purchase))


def customers_changed(
    *, business: Business, since: datetime, after_id: int | None = None
) -> QuerySet[Customer]:
    """The customers changed since a moment (core.selectors.changed_since), through the index
    customer_business_changed."""
    return changed_since(Customer.objects.all(), business=business, since=since, after_id=after_id)


@dataclass(frozen=True)
class RemovedCustomer:
    id: int
    removed_at: datetime
    merged_into: int | None


def customers_removed(*, business: Business, since: datetime | None) -> QuerySet[AuditEvent]:
    """The audit events of the customers removed at or after `since` (None: ever), oldest
    first: merged into another record (importers.merge, the event on the kept customer naming
    the other) or deleted as entered by mistake (importers.privacy.customer_delete). An
    anonymised customer stays, changed. Read as RemovedCustomer through `removed_customer`."""
    return audit_removals(
        business=business,
        object_type="customer",
        actions=[AuditAction.MERGED, AuditAction.DELETED],
        since=since,
    )


def removed_customer(event: AuditEvent) -> RemovedCustomer:
    if event.action == AuditAction.MERGED:
        return RemovedCustomer(
            id=event.changes["merged_with"][0], removed_at=event.at, merged_into=event.object_id
        )
    return RemovedCustomer(id=event.object_id, removed_at=event.at, merged_into=None)


def customer_count(*, business: Business) -> int:
    """All customers of the business, as the database keeps count (migration 0006): one row
    read, however many customers there are."""
    counted = CustomerCount.objects.filter(business=business).values_list("customers", flat=True)
    return counted.first() or 0


def customers_with_consent_without_basis(*, business: Business) -> QuerySet[Customer]:
    """Customers who may receive news and offers on no recorded legal basis: stored before the
    model refused that, and left so, since only the business can say which basis it can show.
    In name order, read from their own index (customer_consent_no_basis)."""
    return Customer.objects.filter(
        business=business, marketing_consent=True, marketing_consent_basis=LegalBasis.NONE
    ).order_by("sort_name", "id")


def customer_get(
    *, business: Business, customer_id: int, annotations: dict | None = None
) -> Customer:
    """`annotations`: figures read in the same query (the profile asks which kinds of records
    the customer has, core/timeline.py PROFILE_KINDS)."""
    customers = Customer.objects.select_related("business", "referred_by", "regular_member")
    return owned_get(customers.annotate(**(annotations or {})), business=business, pk=customer_id)


def customer_version(*, customer: Customer) -> str:
    """What is stored of the customer themselves, their tags included (core.versions): it
    changes with every change of it (a field, a tag, consent, anonymisation) and with nothing
    else (a purchase, a contact moment, an insight refresh). The API hands it out as the ETag of
    a customer and compares it under the row's lock for If-Match (services.customer_update).
    Reads the tags, unless they were prefetched."""
    # The search text and the match keys are derived from the other fields.
    return record_version(
        customer,
        leave_out=set(DERIVED_FIELDS),
        also={"tags": sorted(tag.name for tag in customer.tags.all())},
    )


def with_tag_names(customers: list[Customer]) -> list[Customer]:
    """Gives each customer of a page its sorted tag names (`tag_names`), all in one query of
    the tag links: a third of what prefetching the tags costs (0.6 against 2.3 ms for fifty)."""
    names: dict[int, list[str]] = {customer.pk: [] for customer in customers}
    links = Customer.tags.through.objects.filter(customer_id__in=names).values_list(
        "customer_id", "tag__name"
    )
    for customer_id, name in links:
        names[customer_id].append(name)
    for customer in customers:
        customer.tag_names = sorted(names[customer.pk], key=tag_name_order)
    return customers


def tag_spellings(*, business_id: int, names: Iterable[str]) -> dict[str, str]:
    """Each tag name (stripped) as the business's tags spell it: a name in other capitals is
    that tag ("bbq" is the stored "BBQ"), so that a tag typed in small letters on one customer
    does not split the shop's customers over two tags, and names new to the business that
    differ only in capitals are one (the first in sorted order). A name stored in two
    spellings (from before this rule) is the one written exactly so. Compared by Python's
    casefold, which knows every alphabet, as no database's LOWER does on both databases."""
    wanted = sorted({name.strip() for name in names if name.strip()})
    if not wanted:
        return {}
    stored = sorted(Tag.objects.filter(business_id=business_id).values_list("name", flat=True))
    exact = set(stored)
    by_case: dict[str, str] = {}
    for name in [*stored, *wanted]:
        by_case.setdefault(name.casefold(), name)
    return {name: name if name in exact else by_case[name.casefold()] for name in wanted}


def tag_name_order(name: str) -> tuple[str, str]:
    """The order of tag names wherever they are listed: alphabetical in any capitals ("bbq",
    "Buurt", "vaste klant"), as a shopkeeper looks one up, not capitals first as the
    databases' collations have it. By Python's casefold, which knows every alphabet."""
    return (name.casefold(), name)


def tags_sorted(*, business: Business) -> list[Tag]:
    """The business's tags with their numbers of customers, in tag_name_order."""
    return sorted(tag_list(business=business), key=lambda tag: tag_name_order(tag.name))


def tags_most_used(*, business: Business, limit: int = 5) -> list[str]:
    """The names of the business's `limit` tags carried by the most customers: the tags a new
    customer most likely gets, offered as the examples of how the shop tags (one query)."""
    return list(
        tag_list(business=business)
        .filter(customer_count__gt=0)
        .order_by("-customer_count", "name")
        .values_list("name", flat=True)[:limit]
    )


def tag_list(*, business: Business) -> QuerySet[Tag]:
    """With each tag's number of customers, as the database keeps count (migration 0007)."""
    return Tag.objects.filter(business=business).annotate(
        customer_count=Coalesce("counted__customers", 0)
    )


def tag_get(*, business: Business, tag_id) -> Tag:
    """The tag with its number of customers (`customer_count`, kept by the database)."""
    return owned_get(tag_list(business=business), business=business, pk=tag_id)


@dataclass(frozen=True)
class TagOverviewRow:
    """A tag of the Tags page. `spellings`: the shop's other tags of this name in other
    capitals (from before tags were compared in any capitals); `keep`: the one of them all
    that a merge keeps (the most customers, then the first in sorted order), None when the
    name is spelled one way."""

    tag: Tag
    spellings: list[Tag]
    keep: Tag | None


def tag_overview(*, business: Business) -> list[TagOverviewRow]:
    """Every tag of the business with its kept number of customers, sorted by name in any
    capitals (tag_name_order), each tag spelled
    in several capitals told what it is spelled as too and which spelling a merge keeps."""
    tags = tags_sorted(business=business)
    by_case: dict[str, list[Tag]] = {}
    for tag in tags:
        by_case.setdefault(tag.name.casefold(), []).append(tag)
    rows = []
    for tag in tags:
        group = by_case[tag.name.casefold()]
        keep = tag_to_keep(group) if len(group) > 1 else None
        rows.append(
            TagOverviewRow(tag=tag, spellings=[other for other in group if other != tag], keep=keep)
        )
    return rows


def tag_to_keep(spellings: list[Tag]) -> Tag:
    """Of one name's tags in several capitals (with `customer_count`), the one a merge keeps:
    the spelling most customers carry, of equals the first in sorted order."""
    return min(spellings, key=lambda tag: (-tag.customer_count, tag.name))


def tag_history(*, business: Business, limit: int = 10) -> list[AuditEvent]:
    """The newest renames, merges and removals of the business's tags, who made them."""
    return list(
        AuditEvent.objects.filter(business=business, object_type=Tag._meta.model_name)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    )


@dataclass(frozen=True)
class Briefing:
    customer_since: date
    customer_since_known: bool  # Customer.customer_since_known
    last_visit: datetime | None
    visit_count: int
    purchase_count: int
    total_spend_cents: int
    open_items: list[OpenItem]
    referral_count: int
    # What they had and what was noted the last time: the latest purchase and the latest
    # logged visit (with who logged it), each None without one. A salon's staff read what was
    # done last time before the customer sits down; it was three screens down the timeline.
    last_purchase: Purchase | None = None
    last_logged_visit: ContactMoment | None = None
    # Who served most of their last purchases (USUAL_SERVER_OF), "" without one: a customer
    # asks for "the same stylist as last time", and this is who that usually is. "" too when
    # that is their regular staff member, named already: the card says a name once.
    usually_served_by: str = ""
    # Their own regular staff member (Customer.regular_member) by name, "" without one.
    regular_member: str = ""

    @property
    def last_time_visit(self) -> ContactMoment | None:
        """The logged visit that belongs to the last time: none from before the day of the last
        purchase (a note of April is no "last time" for a customer who bought in December).
        Days in the active time zone, the business's on its pages."""
        visit, purchase = self.last_logged_visit, self.last_purchase
        if visit is None or purchase is None:
            return visit
        if timezone.localtime(visit.at).date() < timezone.localtime(purchase.at).date():
            return None
        return visit


def _logged_visits(customer: Customer) -> QuerySet[ContactMoment]:
    return customer.contact_moments.filter(kind=ContactKind.VISIT).order_by()


def _purchase_totals(customer: Customer) -> dict:
    """How many purchases the customer made (`count`), what they spent in all (`spend`, cents)
    and when they last bought (`last`): the profile's total spend, and its list adding it up."""
    totals = customer.purchases.order_by().aggregate(
        count=Count("pk"), spend=Sum("amount_cents"), last=Max("at")
    )
    return {**totals, "spend": totals["spend"] or 0}


def visit_days(*, customer: Customer) -> QuerySet:
    """The days (the business's own) the customer came to the shop, as `day`: each day with a
    purchase or a logged visit (a contact moment of kind visit) once, however many of either,
    since a purchase and a visit on the same day are one visit to the shop. What the profile
    counts as visits, and lists behind that figure."""
    tz = customer.business.tzinfo
    return (
        customer.purchases.order_by()
        .annotate(day=TruncDate("at", tzinfo=tz))
        .values("day")
        .union(_logged_visits(customer).annotate(day=TruncDate("at", tzinfo=tz)).values("day"))
    )


# What staff_name reads of who served a purchase, for a query that reads only some columns.
MEMBER_NAME_FIELDS = ("member", "member__first_name", "member__last_name", "member__username")

# Whom a customer is usually served by: who served the most of this many of their last
# purchases, and at least USUAL_SERVER_TIMES of them (once is no habit). Of the recent ones,
# and of those who still work here: the stylist who left is nobody's usual any more, however
# lately they left (the timeline keeps their name on what they did).
USUAL_SERVER_OF = 10
USUAL_SERVER_TIMES = 2


def _usually_served_by(customer: Customer) -> Subquery:
    """The name of who served the most of the customer's last USUAL_SERVER_OF purchases (on a
    tie, who did so the latest), among the business's members, None for no one or for the
    customer's regular staff member: read in the query of the last purchase."""
    recent = customer.purchases.order_by("-at", "-id").values("pk")[:USUAL_SERVER_OF]
    usual = (
        Purchase.objects.filter(
            pk__in=recent, member__memberships__business_id=customer.business_id
        )
        .values("member")
        .annotate(times=Count("pk"), latest=Max("at"))
        .filter(times__gte=USUAL_SERVER_TIMES)
        .order_by("-times", "-latest", "member")
        .values("member")[:1]
    )
    names = get_user_model().objects.filter(pk=Subquery(usual))
    if customer.regular_member_id is not None:
        names = names.exclude(pk=customer.regular_member_id)
    return Subquery(names.annotate(shown=staff_name_in_database()).values("shown")[:1])


def customer_briefing(*, customer: Customer) -> Briefing:
    """What a staff member should know before they speak to this customer. Counted by the
    database, so a customer of twenty years costs what a new one does: the same few queries
    however long the history (web/tests/test_query_counts.py holds the profile to that)."""
    totals = _purchase_totals(customer)
    logged = _logged_visits(customer).select_related("member").order_by("-at", "-id").first()
    last_purchase = (
        customer.purchases.order_by("-at", "-id")
        .select_related("member")
        .only("at", "description", "amount_cents", *MEMBER_NAME_FIELDS)
        .annotate(usually_served_by=_usually_served_by(customer))
        .first()
        if totals["count"]
        else None
    )
    moments = [moment for moment in (totals["last"], logged and logged.at) if moment is not None]
    return Briefing(
        customer_since=customer.customer_since,
        customer_since_known=customer.customer_since_known,
        last_visit=max(moments) if moments else None,
        visit_count=visit_days(customer=customer).count(),
        purchase_count=totals["count"],
        total_spend_cents=totals["spend"],
        open_items=open_items_for(customer=customer),
        referral_count=customer.referrals.count(),
        last_purchase=last_purchase,
        last_logged_visit=logged,
        usually_served_by=(last_purchase and last_purchase.usually_served_by) or "",
        # Read with the customer (customer_get); the member is one who works here now, as
        # leaving lets go of the customers they were the regular of (services).
        regular_member=staff_name(customer.regular_member) if customer.regular_member else "",
    )


@dataclass(frozen=True)
class VisitDay:
    day: date
    purchases: list[Purchase]
    visits: list[ContactMoment]  # logged visits

    @property
    def spent_cents(self) -> int:
        return sum(purchase.amount_cents for purchase in self.purchases)


@dataclass(frozen=True)
class CustomerVisits:
    """A page of the days a customer came, and the figures of the profile that every page
    together adds up to: the visits (`day_count`) and the total spend."""

    page: Page  # of VisitDay
    purchase_count: int
    total_spend_cents: int

    @property
    def days(self) -> list[VisitDay]:
        return self.page.object_list

    @property
    def day_count(self) -> int:
        return self.page.paginator.count


def customer_visits(
    *, customer: Customer, page: int | str | None = 1, per_page: int = 50
) -> CustomerVisits:
    """The days the customer came (visit_days), newest first, a page of `per_page` taken as
    every list takes its page (Paginator.get_page: past the end the last page, no number the
    first), each day with its purchases and logged visits; with the number of days and the
    purchases and spend of all of them, counted as the profile counts its visits and total
    spend. Five queries however long the history."""
    business = customer.business
    # The days are counted first, so that the page asked for is known to exist before it is cut.
    shown = Paginator(visit_days(customer=customer).order_by("-day"), per_page).get_page(page)
    days = [row["day"] for row in shown.object_list]
    totals = _purchase_totals(customer)
    listed: dict[date, VisitDay] = {day: VisitDay(day, [], []) for day in days}
    if days:
        start = business.start_of(min(days))
        end = business.start_of(max(days) + timedelta(days=1))
        purchases = (
            customer.purchases.filter(at__gte=start, at__lt=end)
            .select_related("member")
            .order_by("at", "id")
        )
        visits = _logged_visits(customer).filter(at__gte=start, at__lt=end)
        for purchase in purchases:
            listed[business.local(purchase.at).date()].purchases.append(purchase)
        for visit in visits.select_related("member").order_by("at", "id"):
            listed[business.local(visit.at).date()].visits.append(visit)
    shown.object_list = list(listed.values())
    return CustomerVisits(
        page=shown,
        purchase_count=totals["count"],
        total_spend_cents=totals["spend"],
    )


def customer_timeline(*, customer: Customer, limit: int = 50) -> list[TimelineEntry]:
    return timeline_for(customer=customer, limit=limit)


def purchase_list(
    *, business: Business, customer_id: int | None = None, receipt: str = ""
) -> QuerySet[Purchase]:
    """Newest first; of one customer, or the one sale of a receipt number (`receipt`, as
    stored: the business's receipt numbers are unique as written, purchase_unique_external_ref)."""
    purchases = Purchase.objects.filter(business=business)
    if customer_id is not None:
        purchases = purchases.filter(customer_id=customer_id)
    if receipt:
        purchases = purchases.filter(external_ref=receipt.strip())
    return purchases.order_by("-at", "-id")


def purchases_changed(
    *, business: Business, since: datetime, after_id: int | None = None
) -> QuerySet[Purchase]:
    """The purchases changed since a moment (core.selectors.changed_since): recorded,
    corrected, moved to another customer by a merge, their description scrubbed by an erasure;
    through the index purchase_business_changed."""
    return changed_since(Purchase.objects.all(), business=business, since=since, after_id=after_id)


def purchases_removed(*, business: Business, since: datetime | None) -> QuerySet[AuditEvent]:
    """The audit events of the purchases deleted at or after `since` (None: ever), oldest first
    (services.purchase_delete, the only way a purchase goes: a customer with purchases is
    anonymised, not deleted, and a merge moves them)."""
    return audit_removals(
        business=business, object_type="purchase", actions=[AuditAction.DELETED], since=since
    )


# How recently the same purchase of a customer counts as possibly entered twice.
PURCHASE_REPEAT_WINDOW = timedelta(minutes=5)


def purchase_just_recorded(
    *,
    customer: Customer,
    amount_cents: int,
    description: str,
    at: datetime | None = None,
    now: datetime | None = None,
) -> Purchase | None:
    """The same purchase of this customer (its amount and what, made at the same moment)
    recorded in the last few minutes (PURCHASE_REPEAT_WINDOW), the latest: "Save" tapped twice,
    or a colleague at the other till who entered it already. The profile's form asks before
    recording it again. `at`: the moment typed in, to the minute as the form takes it; None
    for "now", when the earlier one must have been made in those minutes too. A salon writing
    down a regular's past cuts of € 40, on 20 January and on 21 April, was asked whether the
    second was the first again."""
    now = now or timezone.now()
    minute = at.replace(second=0, microsecond=0) if at is not None else None
    made = (
        {"at__gte": minute, "at__lt": minute + timedelta(minutes=1)}
        if minute is not None
        else {"at__gte": now - PURCHASE_REPEAT_WINDOW}
    )
    return (
        Purchase.objects.filter(
            business_id=customer.business_id,
            customer=customer,
            amount_cents=amount_cents,
            description=description.strip(),
            created_at__gte=now - PURCHASE_REPEAT_WINDOW,
            **made,
        )
        .order_by("-created_at", "-id")
        .first()
    )


# A purchase typed by hand this many times the usual one is asked about: "1865,0" for a table
# of four's € 186,50, or a million for a haircut, made every figure of the customer wrong.
PURCHASE_UNLIKELY_FACTOR = 10
# The latest purchases the usual one is the median of, once there are at least the fewest.
TYPICAL_PURCHASE_OF = 200
TYPICAL_PURCHASE_FEWEST = 10


def typical_purchase_cents(*, business: Business) -> int | None:
    """The median amount of the business's latest purchases (TYPICAL_PURCHASE_OF), read from
    the index of its purchases by moment (Purchase.Meta, which holds the amount); None while
    there are too few to say what is usual."""
    amounts = list(
        Purchase.objects.filter(business=business)
        .order_by("-at")
        .values_list("amount_cents", flat=True)[:TYPICAL_PURCHASE_OF]
    )
    if len(amounts) < TYPICAL_PURCHASE_FEWEST:
        return None
    return int(statistics.median(amounts))


def purchase_get(*, business: Business, purchase_id: int) -> Purchase:
    return owned_get(Purchase.objects.all(), business=business, pk=purchase_id)


def contact_moment_list(
    *, business: Business, customer_id: int | None = None
) -> QuerySet[ContactMoment]:
    moments = ContactMoment.objects.filter(business=business).select_related("member")
    if customer_id is not None:
        moments = moments.filter(customer_id=customer_id)
    return moments.order_by("-at", "-id")


def contact_moment_get(*, business: Business, contact_moment_id: int) -> ContactMoment:
    return owned_get(
        ContactMoment.objects.select_related("member"), business=business, pk=contact_moment_id
    )


def purchase_timeline(*, customer: Customer, limit: int) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=purchase.at,
            kind="purchase",
            label=_("purchase"),
            summary=purchase.description,
            amount_cents=purchase.amount_cents,
            currency=purchase.currency,
            actor=staff_name(purchase.member) if purchase.member else "",
            time_known=purchase.time_known,
            # The profile links it to its correction (web's purchase_edit).
            extra={"purchase_id": purchase.pk},
        )
        for purchase in customer.purchases.select_related("member").order_by("-at", "-id")[:limit]
    ]


def contact_moment_timeline(*, customer: Customer, limit: int) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=moment.at,
            kind=moment.kind,
            label=moment.get_kind_display(),
            summary=moment.summary,
            actor=staff_name(moment.member) if moment.member else "",
            # The profile links it to its correction (web's contact_moment_edit).
            extra={"contact_moment_id": moment.pk},
        )
        for moment in customer.contact_moments.select_related("member").order_by("-at", "-id")[
            :limit
        ]
    ]


def important_date_get(*, business: Business, important_date_id: int) -> ImportantDate:
    return owned_get(
        ImportantDate.objects.select_related("customer"), business=business, pk=important_date_id
    )


@dataclass(frozen=True)
class ComingDate:
    """An important date and the day it falls on; for a yearly one, how many years that is
    since its own date (None for a one-off date, and in its first year)."""

    important_date: ImportantDate
    day: date
    # The day someone called the customer about it (ImportantDate.called_at) while it comes up
    # this time (calls_counted_from), in the business's zone; last year's call is of another time.
    called_on: date | None = None

    @property
    def customer(self) -> Customer:
        return self.important_date.customer

    @property
    def years(self) -> int | None:
        if not self.important_date.yearly:
            return None
        return (self.day.year - self.important_date.date.year) or None


def coming_up_days(business: Business) -> int:
    """How many days after today the important dates coming up reach (a care setting)."""
    return care_settings(business).coming_up_days


def important_dates_coming(
    *, business: Business, day: date, customer_id: int | None = None
) -> QuerySet[ImportantDate]:
    """The important dates falling from `day` to the business's coming_up_days later (of one
    customer, given `customer_id`), the soonest first, each with its customer joined (coming_dates adds the
    day each falls on): a yearly date by its month and day, from its own date on; a one-off date
    on its own day. Anonymised customers' dates are deleted with their data
    (importers.privacy); they are left out here too, so that none restored or written past
    that rule could ever come up.

    No marketing consent is asked, unlike the birthdays of Today's occasions
    (gestures.selectors.occasions_today): this is a reminder for staff to act on something
    recorded for the customer (a service due, a word at the counter), not a message sent to
    them. Sending them a card or an offer still needs their consent, which the rows show.

    Each kind is looked up in its own index (ImportantDate.Meta: month and day for the yearly
    ones, the date for the others) and the two joined, so the cost follows the dates that fall
    in the window, not the business's size."""
    days = coming_up_days(business)
    month_days = coming_month_days(day=day, days=days)
    until = day + timedelta(days=days)
    dates = ImportantDate.objects.filter(business=business)
    if customer_id is not None:
        dates = dates.filter(customer_id=customer_id)
    yearly = dates.alias(month_day=MonthDay("date")).filter(
        yearly=True, month_day__in=sorted(month_days), date__lte=until
    )
    once = dates.filter(yearly=False, date__gte=day, date__lte=until)
    return (
        ImportantDate.objects.filter(pk__in=yearly.values("pk").union(once.values("pk")))
        .exclude(customer__in=anonymised_customer_ids(business=business))
        .alias(month_day=MonthDay("date"))
        .select_related("customer")
        .order_by(
            _coming_order(day, month_days), "customer__sort_name", "customer_id", "label", "id"
        )
    )


@dataclass(frozen=True)
class ComingBirthday:
    """A customer's birthday coming up: the day it falls on and the age they turn then."""

    customer: Customer
    day: date

    @property
    def age(self) -> int:
        return self.day.year - self.customer.birthday.year


def birthdays_coming(
    *, business: Business, day: date, consenting: bool = True
) -> QuerySet[Customer]:
    """The customers whose birthday falls after `day` up to the business's coming_up_days
    later, the soonest first: of those who agreed to hear from the business (marketing
    consent), as Today's congratulations ask (gestures.selectors.occasions_today), for a
    birthday is a personal date and what it is for is a card, a call or a small gift; today's
    are on Today's "To celebrate" already. With `consenting` false, those who did not agree
    instead: how many the page leaves out, it says. Through the index customer_birthday_day,
    one look per day of the window, whatever the size of the business."""
    month_days = coming_month_days(day=day, days=coming_up_days(business))
    for month, day_of_month in celebrated_on(day):
        month_days.pop(month * 100 + day_of_month, None)
    return (
        Customer.objects.alias(month_day=MonthDay("birthday"))
        .filter(
            business=business,
            marketing_consent=consenting,
            erased_at__isnull=True,
            month_day__in=sorted(month_days),
        )
        .order_by(_coming_order(day, month_days), "sort_name", "id")
    )


def coming_birthdays(
    customers: Iterable[Customer], *, business: Business, day: date
) -> list[ComingBirthday]:
    """Rows of birthdays_coming (from the same `day`) with the day each falls on."""
    month_days = coming_month_days(day=day, days=coming_up_days(business))
    return [
        ComingBirthday(customer, month_days[customer.birthday.month * 100 + customer.birthday.day])
        for customer in customers
    ]


def _coming_order(day: date, month_days: dict[int, date]) -> Case:
    """The dates' order from `day` on, by their month and day (`month_day`): those before
    `day`'s fall next year, and 29 February falls on the 28th in a year without it. Two
    conditions, three with that 29 February, where one for each day of the window made
    building the query cost more than running it."""
    start = day.month * 100 + day.day

    def place(month_day: int) -> int:
        return month_day if month_day >= start else month_day + 10000

    moved = [
        When(month_day=month_day, then=Value(place(falls.month * 100 + falls.day)))
        for month_day, falls in month_days.items()
        if falls.month * 100 + falls.day != month_day
    ]
    return Case(
        *moved,
        When(month_day__lt=start, then=F("month_day") + 10000),
        default=F("month_day"),
    )


def calls_counted_from(*, business: Business, day: date) -> datetime:
    """The first moment from which a call about a date coming up from `day` is about this time
    it comes up: `coming_up_days` before `day`. A date comes up that many days before it falls,
    and "Called" is offered only while it does, so a call since is about this time, and one
    from before about an earlier one (last year's: the days are at most 60 of a year). One
    rule for the rows (coming_dates) and their count (coming_dates_called)."""
    return business.start_of(day - timedelta(days=coming_up_days(business)))


def coming_dates_called(dates: QuerySet[ImportantDate], *, business: Business, day: date) -> int:
    """How many of the dates coming up from `day` (important_dates_coming) someone called
    about this time."""
    return dates.filter(called_at__gte=calls_counted_from(business=business, day=day)).count()


def coming_dates(
    rows: Iterable[ImportantDate], *, business: Business, day: date
) -> list[ComingDate]:
    """Rows of important_dates_coming (from the same `day`) with the day each falls on and
    whether someone called about it this time (calls_counted_from)."""
    month_days = coming_month_days(day=day, days=coming_up_days(business))
    counted_from = calls_counted_from(business=business, day=day)
    return [
        _coming(
            row,
            month_days[row.date.month * 100 + row.date.day] if row.yearly else row.date,
            business=business,
            counted_from=counted_from,
        )
        for row in rows
    ]


def coming_date(
    *, important_date: ImportantDate, business: Business, day: date
) -> ComingDate | None:
    """One important date as coming_dates gives it, or None when it does not come up from `day`."""
    days = coming_up_days(business)
    falls = falls_on(when=important_date.date, yearly=important_date.yearly, day=day, days=days)
    if falls is None:
        return None
    counted_from = calls_counted_from(business=business, day=day)
    return _coming(important_date, falls, business=business, counted_from=counted_from)


def _coming(
    row: ImportantDate, falls: date, *, business: Business, counted_from: datetime
) -> ComingDate:
    called = row.called_at is not None and row.called_at >= counted_from
    return ComingDate(row, falls, business.local(row.called_at).date() if called else None)


def erased_identity_salts(*, business: Business) -> list[str]:
    """The salts of the business's remembered identifiers: one, or none before its first
    erasure (then nothing needs to be looked up at all)."""
    return sorted(
        ErasedIdentity.objects.filter(business=business)
        .order_by()
        .values_list("salt", flat=True)
        .distinct()
    )


def erased_identity_find(
    *, business: Business, salts: list[str], identifiers: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int | None]:
    """Which of the (kind, value) identifiers belonged to an erased customer of this business:
    (kind, normalised value) -> the anonymised customer's id, or None when that customer has
    been deleted since. Identifiers that never belonged to an erased customer are absent."""
    wanted = {
        identity_digest(salt=salt, kind=kind, value=value): (kind, identifier_key(kind, value))
        for kind, value in identifiers
        if value
        for salt in salts
    }
    if not wanted:
        return {}
    return {
        wanted[digest]: customer_id
        for digest, customer_id in ErasedIdentity.objects.filter(
            business=business, digest__in=list(wanted)
        ).values_list("digest", "customer_id")
    }


def anonymised_customer_ids(*, business: Business) -> QuerySet:
    """The ids of the business's anonymised customers, as a subquery to leave them out with
    (`.exclude(customer__in=...)`): they are few and have an index of their own, where a
    condition on the customer's `erased_at` would make PostgreSQL read every customer to join
    them (37 ms for Today's customers slipping away at 100,000 customers)."""
    return Customer.objects.filter(business=business, erased_at__isnull=False).values("id")


# Customers shown of one group of possible duplicates: a name that twenty customers share is
# most likely twenty people, and the page stays readable (and quick to draw).
DUPLICATES_SHOWN_PER_GROUP = 4


@dataclass(frozen=True)
class DuplicateGroup:
    """Customers of one business who share a match key (Customer.match_<kind>): the first
    DUPLICATES_SHOWN_PER_GROUP of `size`, oldest record first, each with `purchase_count`.
    `also`: the other kinds of key that all of them share as well; `differs`: the e-mail
    address or phone number if two of them have different ones, a sign of two people (two
    spellings of a name are not)."""

    kind: str
    # What they share, as compared (Customer.match_<kind>).
    key: str
    size: int
    # The id of the latest customer who has the key (MatchCount.newest), shown or not.
    newest: int
    customers: list[Customer]
    also: list[str]
    differs: list[str]
    # (lower id, higher id) of the pairs of `customers` marked as different people.
    apart: frozenset[tuple[int, int]] = frozenset()

    @property
    def label(self) -> str:
        """What they share, in the reader's language ("the same e-mail address")."""
        return str(MatchKind(self.kind).label)

    @property
    def not_shown(self) -> int:
        return self.size - len(self.customers)


def duplicate_counts(*, business: Business) -> dict[str, int]:
    """How many keys of each kind (MatchKind) more than one customer of the business shares,
    leaving out those whose customers are all marked as different people: from the counts the
    database keeps (MatchCount) through an index that holds only shared keys."""
    rows = (
        MatchCount.objects.filter(MatchCount.OPEN, business=business)
        .order_by()
        .values_list("kind")
        .annotate(groups=Count("pk"))
    )
    return {kind: 0 for kind in MatchKind.values} | dict(rows)


@dataclass(frozen=True)
class DuplicatePlace:
    """A group's place in the list of possible duplicates (duplicate_keys), where a page begins
    or ends: the groups with fewer customers come first, and of one size the group with the
    latest customer first. `customers`: how many share the key; `newest`: its latest customer's
    id (MatchCount.newest; no two keys of a kind share it)."""

    customers: int
    newest: int

    @classmethod
    def of(cls, row: MatchCount) -> "DuplicatePlace":
        return cls(customers=row.customers, newest=row.newest)


@dataclass(frozen=True)
class DuplicateKeys:
    """A page of shared keys (duplicate_keys), with where the pages beside it begin: `newer`
    (the page's first group) to ask for as `after`, `older` (its last) as `before`; None where
    there is none."""

    keys: list[MatchCount]
    newer: DuplicatePlace | None
    older: DuplicatePlace | None


# The list's order: a key few customers share first. Two or three records of one name are
# likelier one person entered twice than twenty namesakes ("Jan de Vries" at 100,000 customers),
# whose groups came first when the list put the latest records first; so are two records of an
# e-mail address or a phone number rather than a household's five. Of one size, the group with
# the latest customer first (an import's new doubles on top of their size).
DUPLICATES_ORDER = ("customers", "-newest")


def _keys_beyond(
    shared: QuerySet, place: DuplicatePlace, limit: int, *, newer: bool = False
) -> list[MatchCount]:
    """Up to `limit` of the `shared` keys that come after `place` in the list's order (with
    `newer`: before it, the nearest first). Two ranges of the index (those of the same size,
    then those of other sizes) rather than one condition with OR, which the databases read from
    the index's start."""
    if newer:
        same = shared.filter(customers=place.customers, newest__gt=place.newest)
        rows = list(same.order_by("newest")[:limit])
        other = shared.filter(customers__lt=place.customers).order_by("-customers", "newest")
    else:
        same = shared.filter(customers=place.customers, newest__lt=place.newest)
        rows = list(same.order_by("-newest")[:limit])
        other = shared.filter(customers__gt=place.customers).order_by(*DUPLICATES_ORDER)
    if len(rows) < limit:
        rows += other[: limit - len(rows)]
    return rows


def duplicate_keys(
    *,
    business: Business,
    kind: str,
    size: int,
    before: DuplicatePlace | None = None,
    after: DuplicatePlace | None = None,
) -> DuplicateKeys:
    """A page of `size` keys of a kind that more than one customer of the business shares, some
    two of them not marked as different people, in the list's order (DUPLICATES_ORDER): those
    after the place `before` (if there are any), or the page just before the place `after`, or
    else the first page.

    Keyset paging: each key has its own place, so a page starts where the index says (one or
    two queries; a few more when `after` is within a page of the first): the last page costs
    what the first does, where skipping the groups before it grew with them."""
    shared = MatchCount.objects.filter(MatchCount.OPEN, business=business, kind=kind)
    if after is not None:
        rows = _keys_beyond(shared, after, size + 1, newer=True)
        if len(rows) > size:
            keys = rows[:size][::-1]
            return DuplicateKeys(
                keys, newer=DuplicatePlace.of(keys[0]), older=DuplicatePlace.of(keys[-1])
            )
        before = None  # fewer than a page before `after`: the first page
    if before is not None:
        rows = _keys_beyond(shared, before, size + 1)
        if not rows:
            # Nothing after `before` any more (its groups merged or told apart): the page
            # before it.
            return duplicate_keys(business=business, kind=kind, size=size, after=before)
    else:
        rows = list(shared.order_by(*DUPLICATES_ORDER)[: size + 1])
    keys = rows[:size]
    return DuplicateKeys(
        keys,
        newer=None if before is None else DuplicatePlace.of(keys[0]),
        older=DuplicatePlace.of(keys[-1]) if len(rows) > size else None,
    )


def duplicate_groups(
    *, business: Business, kind: str, keys: list[MatchCount]
) -> list[DuplicateGroup]:
    """The customers who share each of `keys` (of one kind, a page of duplicate_keys), in the
    same order. Three queries, however many groups: the customers, through the index of their
    key, their numbers of purchases, and the pairs of them marked as different people.

    Of a group larger than DUPLICATES_SHOWN_PER_GROUP, those shown begin with its first pair
    still to judge, so that there is always something to act on while the group is listed (the
    oldest records may all have been told apart from each other, and a later one not)."""
    column = f"match_{kind}"
    order = [F("id").asc()]
    # A group with no pair told apart begins with its first pair anyway (the oldest two), and a
    # group within the bound is shown whole: only a page with a larger group some of whose
    # pairs are told apart looks for it (which costs Django a few ms to write).
    if any(row.customers > DUPLICATES_SHOWN_PER_GROUP and row.apart for row in keys):
        order.insert(0, _first_open_pair(column).asc(nulls_last=True))
    customers = (
        Customer.objects.filter(business=business, **{f"{column}__in": [row.key for row in keys]})
        .annotate(position=Window(RowNumber(), partition_by=F(column), order_by=order))
        .filter(position__lte=DUPLICATES_SHOWN_PER_GROUP)
        .order_by(column, "id")
    )
    by_key: dict[str, list[Customer]] = {row.key: [] for row in keys}
    for customer in customers:
        by_key[getattr(customer, column)].append(customer)
    purchases = dict(
        Purchase.objects.filter(customer__in=[c.pk for group in by_key.values() for c in group])
        .order_by()
        .values_list("customer")
        .annotate(count=Count("pk"))
    )
    apart = distinct_pairs_among(
        business=business, customer_ids=[c.pk for group in by_key.values() for c in group]
    )
    groups = []
    for row in keys:
        members = by_key[row.key]
        if len(members) < 2:  # a key that changed between the two reads: no group any more
            continue
        for customer in members:
            customer.purchase_count = purchases.get(customer.pk, 0)
        size = max(row.customers, len(members))
        # Said only of a group shown whole: of the others, only some are seen.
        also = [
            other
            for other in MatchKind.values
            if other != kind
            and size == len(members)
            and getattr(members[0], f"match_{other}")
            and len({getattr(customer, f"match_{other}") for customer in members}) == 1
        ]
        differs = [
            other
            for other in (MatchKind.EMAIL, MatchKind.PHONE)
            if len({getattr(customer, f"match_{other}") for customer in members} - {""}) > 1
        ]
        ids = {customer.pk for customer in members}
        pairs = frozenset(pair for pair in apart if pair[0] in ids and pair[1] in ids)
        groups.append(
            DuplicateGroup(
                kind=kind,
                key=row.key,
                size=size,
                newest=row.newest,
                customers=members,
                also=also,
                differs=differs,
                apart=pairs,
            )
        )
    return groups


def _first_open_pair(column: str) -> Subquery:
    """For a customer of a group (the customers who share `column`): the lower id of them and
    the first customer of the group (in id order) they are not marked apart from; None when
    they are marked apart from everyone. Ordered by it, then by id, a group begins with its
    first pair still to judge: the lowest customer with such a pair has their own id, and so
    has the first one not marked apart from them, the lowest of those who share it; any other
    has a higher one. One subquery per customer of the page's groups, reading the group in id
    order through the index of their key until someone is not marked apart: most often at
    once."""
    marked_apart = DistinctPair.objects.filter(
        Q(first=OuterRef("pk"), second=OuterRef(OuterRef("pk")))
        | Q(first=OuterRef(OuterRef("pk")), second=OuterRef("pk"))
    )
    partners = (
        Customer.objects.filter(business=OuterRef("business"), **{column: OuterRef(column)})
        .exclude(pk=OuterRef("pk"))
        .filter(~Exists(marked_apart))
        .order_by("pk")
    )
    lower = Case(When(pk__lt=OuterRef("pk"), then=F("pk")), default=OuterRef("pk"))
    return Subquery(partners.annotate(lower=lower).values("lower")[:1])


def distinct_pairs_among(*, business: Business, customer_ids: list[int]) -> set[tuple[int, int]]:
    """(lower id, higher id) of the pairs of these customers marked as different people."""
    if not customer_ids:
        return set()
    return set(
        DistinctPair.objects.filter(
            business=business, first__in=customer_ids, second__in=customer_ids
        ).values_list("first", "second")
    )


def distinct_pair_get(*, business: Business, customer_id: int, other_id: int) -> DistinctPair:
    """The decision that these two customers of the business are different people."""
    refuse_impossible_ids(customer_id, other_id)
    first_id, second_id = sorted((customer_id, other_id))
    pair = DistinctPair.objects.filter(
        business=business, first_id=first_id, second_id=second_id
    ).first()
    if pair is None:
        raise NotFound
    return pair


def distinct_pair_count(*, business: Business) -> int:
    return DistinctPair.objects.filter(business=business).count()


def distinct_pair_list(*, business: Business) -> QuerySet[DistinctPair]:
    """The pairs of customers marked as different people, the latest decision first, with both
    customers and who decided."""
    return (
        DistinctPair.objects.filter(business=business)
        .select_related("first", "second", "decided_by")
        .order_by("-decided_at", "-pk")
    )


def first_purchase_days(*, business: Business, customer_ids: Iterable[int]) -> dict[int, date]:
    """The day of each of these customers' first purchase, in the business's time zone; none
    for a customer who never bought. From the kept first moments (CustomerLastPurchase)."""
    return {
        customer_id: business.local(first_at).date()
        for customer_id, first_at in CustomerLastPurchase.objects.filter(
            business=business, customer_id__in=list(customer_ids)
        ).values_list("customer_id", "first_at")
    }


def marketing_consent_withdrawals(
    *, business: Business, customer_ids: Iterable[int]
) -> dict[int, datetime]:
    """The moment each of these customers last withdrew consent for news and offers, for those
    whose consent history holds a withdrawal (by any route)."""
    return dict(
        ConsentRecord.objects.filter(
            business=business,
            customer_id__in=list(customer_ids),
            kind=ConsentKind.MARKETING,
            given=False,
        )
        .order_by()
        .values("customer_id")
        .annotate(last=Max("at"))
        .values_list("customer_id", "last")
    )
