"""The first rows of a list with the size of the whole list: Today shows a few of each list and
says how many there are, without loading them all."""

from dataclasses import dataclass

from django.db.models import Case, F, Q, QuerySet, Value, When


@dataclass(frozen=True)
class Rows[T]:
    items: list[T]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


def open_first(rows: QuerySet, *, is_open: Q, moment: str) -> QuerySet:
    """What is still to be done first, the soonest first (as the briefing card lists it), then the
    rest, the latest first: a profile shows its first rows of each kind, and an open promise
    older than the ten latest was not among them, so its Done button was not on the profile."""
    return rows.order_by(
        Case(When(is_open, then=Value(0)), default=Value(1)),
        Case(When(is_open, then=F(moment))).asc(),
        F(moment).desc(),
        "-id",
    )


def first_rows(queryset: QuerySet, limit: int) -> Rows:
    """One query, or two when the list is longer than `limit` (then it is counted)."""
    items = list(queryset[:limit])
    total = len(items) if len(items) < limit else queryset.count()
    return Rows(items, total)


class IdsFirst:
    """A list to page through whose rows are costly to build (joins, a subquery per row) and
    that must be sorted before it is cut, like search matches: a page's ids are found first by
    the bare query, and only those rows are built. Without this the database builds every match
    and then keeps fifty (1,592 matches: 10 ms against 4.5 ms in PostgreSQL), and that cost
    grows with the shop. Django's Paginator takes it like a queryset.

    `parts`: the ids in order as several lists one after the other (querysets of `rows`, each
    ordered, together holding every row once), for an order that no one index serves but each
    part's does: customers with a figure in the order of the figure's index, then those without
    by name. A page reads the part it falls in (and the next, where it crosses into it), and
    counts a part only when it begins past its end."""

    def __init__(self, rows: QuerySet, *, parts: list[QuerySet] | None = None):
        self.rows = rows
        # Annotations that only the rows show are left out; those that order them stay.
        self.ids = rows.values_list("pk", flat=True)
        self.parts = [part.values_list("pk", flat=True) for part in parts] if parts else None

    def count(self) -> int:
        return self.ids.order_by().count()

    def __getitem__(self, page: slice) -> list:
        ids = list(self.ids[page]) if self.parts is None else self._ids_of_parts(page)
        built = {row.pk: row for row in self.rows.order_by().filter(pk__in=ids)}
        return [built[pk] for pk in ids if pk in built]

    def _ids_of_parts(self, page: slice) -> list:
        start = page.start or 0
        wanted = page.stop - start
        ids: list = []
        for part in self.parts:
            if len(ids) == wanted:
                break
            found = list(part[start : start + wanted - len(ids)])
            if found:
                ids += found
                start = 0  # the next part goes on where this one ended
            else:
                start -= part.order_by().count()  # the page begins past this part
        return ids
