"""A sale recorded by hand on the card (or through the API without a receipt number) that the
till's file has too: the same customer, day, amount and currency. The file's line is that
purchase, which takes the line's receipt number (or key) instead of the sale being added a
second time; imported again, the file then finds it by that number. Before, a shop that typed
in a sale at the counter and imported its till at the end of the week counted the sale twice,
in the customer's spend, their visits and every figure built on them.

Each purchase recorded by hand is taken by one line at most, the earliest of the day first: a
customer who really bought the same twice that day has two lines in the till's file."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from klantvriend.core.models import Business
from klantvriend.core.money import amount_shown
from klantvriend.customers.models import Purchase

from .common import Columns
from .results import ImportResult, RowError

# The lines the result names one by one; the rest are counted in one more note.
NAMED_LINES = 10


class HandRecorded:
    """Finds, per batch of a purchase file's new purchases, those recorded by hand already, and
    gives each of them its line's receipt number."""

    def __init__(self, business: Business, columns: Columns, result: ImportResult) -> None:
        self.business, self.columns, self.result = business, columns, result
        self.adopted_lines: list[tuple[int, str]] = []  # (line, receipt) in the file's order
        # Purchases without a receipt number that lines of the file are already (the export's
        # keys, read back into the business it came from): none of them is taken again.
        self.taken: set[int] = set()
        # Whether the business has any purchase without a receipt number, asked once: a shop
        # that only imports its till has none, and its import then asks nothing per batch
        # (4% of a 200,000-row import's time when it did).
        self.any_recorded_by_hand: bool | None = None

    def adopt(self, purchases: list[tuple], lines: dict[str, tuple[int, date, str]]) -> set[str]:
        """The keys (receipt numbers) of `purchases` (purchase_import's row tuples, none of
        them stored yet) whose sale was recorded by hand, which now carries that key. `lines`:
        {key: (line, the file's day, the receipt as the file writes it)}."""
        if not purchases:
            return set()
        if self.any_recorded_by_hand is None:
            self.any_recorded_by_hand = Purchase.objects.filter(
                business=self.business, external_ref=""
            ).exists()
        if not self.any_recorded_by_hand:
            return set()
        days = [lines[purchase[6]][1] for purchase in purchases]
        zone = self.business.tzinfo
        hand: dict[tuple, list] = defaultdict(list)
        for pk, customer_id, at, cents, currency, description, member_id in (
            Purchase.objects.filter(
                business=self.business,
                customer_id__in={purchase[1] for purchase in purchases},
                external_ref="",
                # A day's margin either side: the local day is told below, in the shop's zone.
                at__gte=datetime.combine(min(days) - timedelta(days=1), time(), zone),
                at__lt=datetime.combine(max(days) + timedelta(days=2), time(), zone),
            )
            .order_by("at", "pk")
            .values_list(
                "pk", "customer_id", "at", "amount_cents", "currency", "description", "member_id"
            )
        ):
            if pk in self.taken:
                continue
            day = at.astimezone(zone).date()
            hand[(customer_id, day, cents, currency)].append((pk, description, member_id))
        adopted: dict[int, tuple] = {}
        for purchase in purchases:
            key = purchase[6]
            line, day, receipt = lines[key]
            waiting = hand.get((purchase[1], day, purchase[3], purchase[4]))
            if not waiting:
                continue
            pk, description, member_id = waiting.pop(0)
            # What the hand left out, the till fills in: what was sold and who served.
            adopted[pk] = (key, description or purchase[5], member_id or purchase[10])
            self._note(line, receipt, purchase[3], purchase[4], day)
        if adopted:
            rows = Purchase.objects.in_bulk(list(adopted))
            for pk, (key, description, member_id) in adopted.items():
                rows[pk].external_ref, rows[pk].description = key, description
                rows[pk].member_id = member_id
            Purchase.objects.bulk_update(rows.values(), ["external_ref", "description", "member"])
        return {key for key, _description, _member in adopted.values()}

    def _note(self, line: int, receipt: str, cents: int, currency: str, day: date) -> None:
        self.adopted_lines.append((line, receipt))
        if len(self.adopted_lines) > NAMED_LINES:
            return
        values = {
            "amount": amount_shown(cents, currency),
            "day": date_format(day, "j F Y"),
        }
        if self.result.dry_run:
            message = _(
                "This customer's purchase of %(amount)s on %(day)s was recorded by hand "
                "already: it would be this line's sale and take its receipt number, not be "
                "counted twice."
            )
        else:
            message = _(
                "This customer's purchase of %(amount)s on %(day)s was recorded by hand "
                "already: it is this line's sale and took its receipt number, not counted twice."
            )
        self.result.add_note(
            RowError(
                line,
                self.columns.header("receipt_number") if self.columns.has("receipt_number") else "",
                receipt,
                message % values,
                "recorded_by_hand",
            )
        )

    def note_more(self) -> None:
        """One note for the lines past the first NAMED_LINES, at the first of them."""
        more = self.adopted_lines[NAMED_LINES:]
        if not more:
            return
        message = ngettext(
            "And %(count)s more line, here and later, whose sale was recorded by hand already: "
            "it takes the line's receipt number, not counted twice.",
            "And %(count)s more lines, here and later, whose sales were recorded by hand "
            "already: each takes its line's receipt number, not counted twice.",
            len(more),
        )
        line, receipt = more[0]
        self.result.add_note(
            RowError(
                line,
                self.columns.header("receipt_number") if self.columns.has("receipt_number") else "",
                receipt,
                message % {"count": len(more)},
                "recorded_by_hand_more",
            )
        )
