"""Important dates recorded twice, from before the database refused it (constraint
important_date_unique): merged by the upgrade (migration customers 0029) and by the restore of
an export made before it, in one way."""

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field


@dataclass
class Doubles:
    dropped: list[int] = field(default_factory=list)  # ids of the later rows of a double
    made_yearly: list[int] = field(default_factory=list)  # ids of kept rows that become yearly


def important_date_doubles(rows: Iterable[tuple[int, Hashable, bool]]) -> Doubles:
    """For rows (id, key, yearly) in the order recorded, the key being the customer, "what" and
    date: the first of each key stays and the later ones go. It is remembered every year if
    any of them was, so that merging never silences a date someone asked to be reminded of."""
    doubles = Doubles()
    kept: dict[Hashable, tuple[int, bool]] = {}
    for pk, key, yearly in rows:
        if key not in kept:
            kept[key] = (pk, yearly)
            continue
        doubles.dropped.append(pk)
        first, first_yearly = kept[key]
        if yearly and not first_yearly:
            doubles.made_yearly.append(first)
            kept[key] = (first, True)
    return doubles
