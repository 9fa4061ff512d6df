"""The owner's list of possible duplicate customers: records of the business that share an
e-mail address, a phone number or a name, each group with the merges it can take (the merge
pages of merge_views.py do the rest, and come back here)."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klantvriend.customers import selectors
from klantvriend.customers.models import Customer, MatchKind
from klantvriend.importers.merge import merge_refusal

from .views import CountedPaginator, owner_required

GROUPS_PER_PAGE = 20
# Pages that can be opened: the first 200 groups, what an owner works through in a sitting;
# merging them brings the next ones up. A page further on would make the database skip all
# groups before it (90 ms for the 963rd page of names on PostgreSQL at 100,000 customers).
PAGES = 10


@dataclass(frozen=True)
class Record:
    """A customer of a group, with what can be done with them: merged into `into` (an earlier
    record of the group), or not, for the reason `refusal`; the group's first record neither."""

    customer: Customer
    into: Customer | None = None
    refusal: str | None = None


def _records(customers: list[Customer]) -> list[Record]:
    """Each later record is offered to be merged into the first earlier one that can take it,
    the oldest first: most often the record with the history. Merging refused with all of them
    (each has its own customer number) says why, of the oldest."""
    records = [Record(customers[0])]
    for position, customer in enumerate(customers[1:], start=1):
        earlier = customers[:position]
        into = next((e for e in earlier if merge_refusal(keep=e, other=customer) is None), None)
        refusal = None if into else merge_refusal(keep=customers[0], other=customer)
        records.append(Record(customer, into, refusal))
    return records


@owner_required
def customer_duplicates_view(request: HttpRequest) -> HttpResponse:
    counts = selectors.duplicate_counts(business=request.business)
    kind = request.GET.get("kind", "")
    if kind not in MatchKind.values:
        # The first kind that has groups, the strongest sign first (MatchKind's order).
        kind = next((kind for kind in MatchKind.values if counts[kind]), MatchKind.EMAIL)
    keys = selectors.duplicate_keys(business=request.business, kind=kind)
    browsable = min(counts[kind], GROUPS_PER_PAGE * PAGES)
    page = CountedPaginator(keys, GROUPS_PER_PAGE, count=browsable).get_page(
        request.GET.get("page")
    )
    groups = selectors.duplicate_groups(
        business=request.business, kind=kind, keys=list(page.object_list)
    )
    context = {
        "kind": kind,
        "kind_label": MatchKind(kind).label,
        "kinds": [(value, label, counts[value]) for value, label in MatchKind.choices],
        "page": page,
        "total": counts[kind],
        "browsable": browsable,
        "groups": [(group, _records(group.customers)) for group in groups],
        "shown_per_group": selectors.DUPLICATES_SHOWN_PER_GROUP,
    }
    return render(request, "web/customer_duplicates.html", context)
