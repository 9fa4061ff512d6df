"""The first rows of a list with the size of the whole list: Today shows a few of each list and
says how many there are, without loading them all."""

from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class Rows[T]:
    items: list[T]
    total: int

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


def first_rows(queryset: QuerySet, limit: int) -> Rows:
    """One query, or two when the list is longer than `limit` (then it is counted)."""
    items = list(queryset[:limit])
    total = len(items) if len(items) < limit else queryset.count()
    return Rows(items, total)
