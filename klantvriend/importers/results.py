from bisect import insort
from dataclasses import dataclass, field

from django.utils.translation import ngettext

from .reading import TableFormat

# The errors kept of one file, all recorded in its import history (importers.history) and paged
# there; the count still covers every error. Bounded so that a file of a million bad lines does
# not hold a million errors in memory: about 30 MB at most.
MAX_KEPT_ERRORS = 100_000
# The errors listed at once where the outcome is told (the command's output, the import page
# under the form); the history pages through all that were kept.
MAX_LISTED_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    line: int | None  # None for a problem of the whole file or column
    column: str
    value: str
    message: str
    code: str


def _place_in_file(error: RowError) -> int:
    return -1 if error.line is None else error.line


def _kept_in_order(kept: list[RowError], item: RowError) -> None:
    """`item` among `kept` in the file's order, a problem of the whole file first: a column's
    problem (dates whose order the file leaves open) is found after reading its rows, yet names
    its first line, and came last, after the lines below it. Past MAX_KEPT_ERRORS, the latest
    lines give way, so that the list is always the file's first."""
    insort(kept, item, key=_place_in_file)
    if len(kept) > MAX_KEPT_ERRORS:
        kept.pop()


def notes_summary(count: int) -> str:
    """What the `count` notes of an accepted file come to, in a line (the import page, its
    record in the history, the command): they are of several kinds (a "customer since" kept, a
    withdrawal of consent kept, a customer made for an unknown number), each line says its
    own."""
    return ngettext(
        "%(count)s note on a line of the file",
        "%(count)s notes on lines of the file",
        count,
    ) % {"count": count}


@dataclass
class ImportResult:
    kind: str
    dry_run: bool
    table: TableFormat | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    customers_created: int = 0
    # Rows about a person whose data was erased: their purchases went to the anonymised customer
    # (counted in created or skipped as any other), nothing of their person was stored again.
    anonymised: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    # What an accepted file was stored with other than it said, line by line, in the shape of
    # an error (its line, column, value and what was stored instead): a "customer since" after
    # the customer's first purchase kept that purchase's day, a withdrawal of consent kept
    # against the file's "yes" (customer_import). Not errors: the file is imported; a refused
    # file keeps none (nothing of it was stored).
    notes: list[RowError] = field(default_factory=list)
    note_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        _kept_in_order(self.errors, error)

    def add_note(self, note: RowError) -> None:
        self.note_count += 1
        _kept_in_order(self.notes, note)

    def forget_written(self) -> None:
        """Nothing of the file was stored (refused, interrupted or failed): no counts of what
        was written, and no notes on how."""
        self.created = self.updated = self.skipped = 0
        self.customers_created = self.anonymised = 0
        self.notes, self.note_count = [], 0

    @property
    def notes_summary(self) -> str:
        return notes_summary(self.note_count)

    def as_dict(self, *, listed: int = MAX_LISTED_ERRORS) -> dict:
        """The counts and the first `listed` errors and notes (the import history holds them
        all)."""
        return {
            "kind": self.kind,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "customers_created": self.customers_created,
            "anonymised": self.anonymised,
            "error_count": self.error_count,
            "errors": [error.__dict__ for error in self.errors[:listed]],
            "note_count": self.note_count,
            "notes": [note.__dict__ for note in self.notes[:listed]],
        }

    @classmethod
    def from_dict(cls, stored: dict) -> "ImportResult":
        """The counts, listed errors and notes of `as_dict` back (not the file's format or
        mapping). A status written by the code before the notes has none."""
        errors = [RowError(**error) for error in stored["errors"]]
        notes = [RowError(**note) for note in stored.get("notes", [])]
        counts = {name: stored[name] for name in stored if name not in ("errors", "notes")}
        return cls(**counts, errors=errors, notes=notes)
