"""The first rows of a list with the size of the whole list: Today shows a few of each list and
says how many there are, without loading them all."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Case, F, Q, QuerySet, Value, When

from klantvriend.core.db import SortedAsSet


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


# How many figures before a page ByFigure reads with the page's own, to tell how many of the
# rows sharing the page's first figure come before it without counting them.
LOOK_BACK = 50


@dataclass(frozen=True)
class Listed:
    """What ByFigure needs of a filtered list's figures to choose how to read them: `rows`, the
    same figures asked as a set of the rows listed (each database reads that set and sorts it,
    at the cost of the list's size wherever the page is), and `everyone`, how many the figures'
    index holds unfiltered (walking it to the n-th listed row steps over n rows and, at worst,
    every row not listed)."""

    rows: QuerySet
    everyone: int


class ByFigure:
    """A part of an IdsFirst sorted first by one figure (`field` of `rows`), then by what breaks
    its ties (a name, an id). Reached by an offset, a deep page made the database step over
    every row before it, joining each to what breaks the ties (a customer's name for an
    insight's figure) and sorting them: 300 ms for the 1,980th page of 100,000 customers by
    predicted value. Instead the figures at the page's places are read from the figures alone
    (`figures`, through their index: 5 ms), with the LOOK_BACK before them, which tell how many
    rows of the page's first figure come before the page; and only the page's rows between its
    first and last figure are read in the full order, stepping over no more than those ties.
    A page in the second half is found the same way from the end, in the reverse order, when
    the part's size is known or cheap to count (from `figures`).

    `figures`: where the same rows' figures can be read without the rows, through the figure's
    index, with the figure's name there; without them the part is read by an offset, as any
    other. `listed`: the figures are those of a filtered list, each row of the index asked
    whether it is listed, so that counting them costs what walking them all does: a page is
    then found walking from the start where that steps over fewer rows than the list has, and
    else from the listed rows' figures sorted (Listed). `rows` must be ordered by the figure
    first. `passed_from_end`: False where finding that this part holds none of a deep page,
    read from the end, costs more than stepping over the parts before it from the start (the
    list's IdsFirst then reads from the start)."""

    def __init__(
        self,
        rows: QuerySet,
        *,
        field: str,
        descending: bool = False,
        figures: tuple[QuerySet, str] | None = None,
        listed: Listed | None = None,
        passed_from_end: bool = True,
    ):
        self.rows, self.field, self.descending, self.figures = rows, field, descending, figures
        self.listed = listed
        self.passed_from_end = passed_from_end
        self.counted: int | None = None
        self.size: int | None = None  # the whole list's, as the last read was told

    def count(self) -> int:
        if self.counted is None:
            # A filtered list's figures counted as they would be walked, where fewer are not
            # listed than listed (the customers who came back: the one-off part of them counted
            # from its index alone, 41 ms -> 1 in SQLite at 100,000)
            source = self.rows if self.figures is None else self._source(0, self.size)
            self.counted = source.order_by().count()
        return self.counted

    def ids(self, start: int, stop: int, *, of: int | None = None, size: int | None = None) -> list:
        """`of`: how many rows the part has, when known; `size`: how many the whole list has."""
        self.size = size
        if self.figures is None:
            # Figures that cannot be read alone are read with the rows at the same cost:
            # finding one and counting those before it would cost twice.
            return ByOffset(self.rows).ids(start, stop, of=of)
        if of is None and self.listed is not None:
            return self._from(self._source(start, size), start, stop, reverse=False)
        if start == 0:
            return self._from(self._source(0, size), 0, stop, reverse=False)
        of = self.count() if of is None else of  # from the figures' index alone
        if start <= of - stop:
            return self._from(self._source(start, size), start, stop, reverse=False)
        if start >= of:
            return []
        # The same page, counted from the end in the reverse order
        return self.ids_from_end(of - min(stop, of), of - start, size=size)

    def ids_from_end(self, start: int, stop: int, *, size: int | None = None) -> list:
        """The ids at [start, stop) counted from the part's end, in the list's order: a deep
        page of a list whose size is known, read from the end without the part's own size."""
        self.size = size
        if self.figures is None:
            return ByOffset(self.rows).ids_from_end(start, stop)
        return self._from(self._source(start, size), start, stop, reverse=True)[::-1]

    def _source(self, steps: int, size: int | None) -> QuerySet:
        """Where to read the figures from to step over `steps` of them from either end. Walking
        the index of a filtered list's figures steps over, at worst, every row not listed as
        well (when the filter and the order go together: the hibernating customers come last
        by last purchase), where reading the listed rows' figures costs the list's size wherever
        the page is."""
        if self.listed is None:
            return self.figures[0]
        unlisted = self.listed.everyone - size if size is not None else None
        if unlisted is None or steps + unlisted > size:
            return self.listed.rows
        return self.figures[0]

    def _from(self, source: QuerySet, start: int, stop: int, *, reverse: bool) -> list:
        """The ids at [start:stop) in the order, or in the reverse order."""
        field = self.figures[1]
        first_high = self.descending != reverse  # the highest figure comes first
        back = min(start, LOOK_BACK)
        figure = F(field)
        if reverse and self.listed is not None and source is self.listed.rows:
            # From the end, where a filter that goes with the order leaves few (the regular
            # customers by probability alive); from the start PostgreSQL weighs the two ways
            # as before (walking the index, a first page of the walk-ins by value 48 ms, sorted
            # 109, loaded)
            figure = SortedAsSet(figure)
        figures = list(
            source.order_by(figure.desc() if first_high else figure.asc()).values_list(
                field, flat=True
            )[start - back : stop]
        )
        if len(figures) < stop - start + back and (figures or start == back):
            # The part ends within what was read: its size is known, for the parts beside it
            # (none when nothing was read from its first row)
            self.counted = start - back + len(figures)
        before, figures = figures[:back], figures[back:]
        if not figures:
            return []
        first, last = figures[0], figures[-1]
        # The rows of the page's first figure before the page: those read before it down to
        # another figure; when they all share it (a longer run of ties), all the rows of that
        # figure but the page's, or, when the page shares it too, all the rows before the page
        # but those of a figure beyond it
        skipped = next(
            (back - 1 - place for place in range(back - 1, -1, -1) if before[place] != first),
            back,
        )
        if skipped == LOOK_BACK and last != first:
            skipped = source.filter(**{field: first}).order_by().count() - figures.count(first)
        elif skipped == LOOK_BACK:
            beyond = source.filter(**{f"{field}__{'gt' if first_high else 'lt'}": first})
            skipped = start - beyond.order_by().count()
        high, low = (first, last) if first_high else (last, first)
        between = self.rows.values_list("pk", flat=True).filter(
            **{f"{self.field}__lte": high, f"{self.field}__gte": low}
        )
        if reverse:
            between = between.reverse()
        return list(between[skipped : skipped + stop - start])


class ByOffset:
    """A part that is a queryset of rows in its order, its ids cut by an offset. `told`: how
    many there are where that is cheaper to tell than to count them (None from it: counted),
    asked only when the part's size is needed: customers without an insight are none when every
    customer of the business has one, which a count of the insights tells where counting those
    of a filtered list without one reads every customer listed."""

    # Told or counted, its size is cheap to find from the end (ByFigure's passed_from_end)
    passed_from_end = True

    def __init__(self, rows: QuerySet, *, told: Callable[[], int | None] | None = None):
        self.ids_in_order = rows.values_list("pk", flat=True)
        self.told = told
        self.counted: int | None = None

    def count(self) -> int:
        if self.counted is None:
            told = self._told()
            self.counted = self.ids_in_order.order_by().count() if told is None else told
        return self.counted

    def _told(self) -> int | None:
        if self.counted is None and self.told is not None:
            told, self.told = self.told(), None  # asked once
            self.counted = told
        return self.counted

    def ids(self, start: int, stop: int, *, of: int | None = None, size: int | None = None) -> list:
        """`of`: how many there are, when known: a page in the second half is read from the
        end, in the reverse order, stepping over the rows after it rather than those before.
        `size`: the whole list's (unused)."""
        if of is None and self._told() == 0:
            return []
        if of is not None and start > of - stop:
            if start >= of:
                return []
            return self.ids_from_end(max(of - stop, 0), of - start)
        return list(self.ids_in_order[start:stop])

    def ids_from_end(self, start: int, stop: int, *, size: int | None = None) -> list:
        """The ids at [start, stop) counted from the end, in the list's order."""
        if self._told() == 0:
            return []
        return list(self.ids_in_order.reverse()[start:stop])[::-1]


def rows_by_ids(
    ordered: QuerySet, start: int, stop: int, *, built: QuerySet, of: int | None = None
) -> list:
    """The rows at [start, stop) of `ordered`: their ids first, through the order's index alone
    (ByOffset; from the nearer end when `of`, how many there are, is given), then those rows
    from `built` by their keys alone. Cut from the rows themselves, a deep page joins every row
    it steps over to what the page shows of it; read back through `ordered`'s own conditions
    instead of the keys, SQLite works those out again over many rows to find the page's."""
    ids = ByOffset(ordered).ids(start, stop, of=of)
    found = built.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


class Part(Protocol):
    """A part of an IdsFirst that finds its ids its own way (ByFigure, or an app's own)."""

    passed_from_end: bool

    def count(self) -> int: ...

    def ids(
        self, start: int, stop: int, *, of: int | None = None, size: int | None = None
    ) -> list: ...

    def ids_from_end(self, start: int, stop: int, *, size: int | None = None) -> list: ...


class IdsFirst:
    """A list to page through whose rows are costly to build (joins, a subquery per row) and
    that must be sorted before it is cut, like search matches: a page's ids are found first by
    the bare query, and only those rows are built. Without this the database builds every match
    and then keeps fifty (1,592 matches: 10 ms against 4.5 ms in PostgreSQL), and that cost
    grows with the shop. Django's Paginator takes it like a queryset.

    `parts`: the ids in order as several lists one after the other (querysets of `rows`, each
    ordered, or a Part such as ByFigure, together holding every row once), for an order that no one index
    serves but each part's does: customers with a figure in the order of the figure's index,
    then those without by name. A page reads the part it falls in (and the next, where it
    crosses into it), and counts a part only when it begins past its end."""

    def __init__(
        self,
        rows: QuerySet,
        *,
        parts: list[QuerySet | Part] | None = None,
        count: int | None = None,
        counted_by_parts: bool = False,
    ):
        """`count`: how many rows there are, where already known (kept by the database, or
        counted with other figures); otherwise counted once, when asked: as the sum of the
        parts' counts with `counted_by_parts`, where `rows` only builds the rows (all the
        business's customers) and the parts alone say which are listed, otherwise as `rows`."""
        self.rows = rows
        # Annotations that only the rows show are left out; those that order them stay.
        self.ids = rows.values_list("pk", flat=True)
        self.parts = [
            ByOffset(part) if isinstance(part, QuerySet) else part for part in (parts or [rows])
        ]
        self.counted = count
        self.counted_by_parts = counted_by_parts

    def count(self) -> int:
        if self.counted is None:
            self.counted = (
                sum(part.count() for part in self.parts)
                if self.counted_by_parts
                else self.ids.order_by().count()
            )
        return self.counted

    def __getitem__(self, page: slice) -> list:
        ids = self._ids_of_parts(page)
        built = {row.pk: row for row in self.rows.order_by().filter(pk__in=ids)}
        return [built[pk] for pk in ids if pk in built]

    def _ids_of_parts(self, page: slice) -> list:
        start = page.start or 0
        wanted = page.stop - start
        if len(self.parts) == 1:
            # One list whose size the pager has asked: a deep page is read from the nearer end
            # (the last page of 55,000 walk-in customers by name 210 → 10 ms in SQLite).
            return self.parts[0].ids(start, page.stop, of=self.counted, size=self.counted)
        if (
            self.counted is not None
            and start > self.counted - page.stop
            and all(part.passed_from_end for part in self.parts)
        ):
            return self._ids_from_end(start, min(page.stop, self.counted))
        ids: list = []
        for part in self.parts:
            if len(ids) == wanted:
                break
            found = part.ids(start, start + wanted - len(ids), size=self.counted)
            if found:
                ids += found
                start = 0  # the next part goes on where this one ended
            else:
                start -= part.count()  # the page begins past this part
        return ids

    def _ids_from_end(self, start: int, stop: int) -> list:
        """A page nearer the end of a list whose size is known, read from the end: the last
        part first, each from its own end, so that only the parts after the page are counted
        (most often told without counting, ByOffset), never those before it. Read from the
        start, a deep page of a filtered list in a figure's order had to find where the figures'
        part ends (as many of the listed figures counted, or all of them sorted)."""
        wanted = stop - start
        start, ids = self.counted - stop, []  # from the end
        for part in reversed(self.parts):
            if len(ids) == wanted:
                break
            found = part.ids_from_end(start, start + wanted - len(ids), size=self.counted)
            if found:
                ids = found + ids
                start = 0  # the part before goes on where this one began
            else:
                start -= part.count()  # the page ends before this part
        return ids
