from bisect import insort
from dataclasses import dataclass, field

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

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, error: RowError) -> None:
        """Listed in the file's order, a problem of the whole file first: a column's problem
        (dates whose order the file leaves open) is found after reading its rows, yet names its
        first line, and came last, after the lines below it. Past the limit, the latest lines
        give way, so that the list is always the file's first problems."""
        self.error_count += 1
        insort(self.errors, error, key=_place_in_file)
        if len(self.errors) > MAX_KEPT_ERRORS:
            self.errors.pop()

    def as_dict(self, *, listed: int = MAX_LISTED_ERRORS) -> dict:
        """The counts and the first `listed` errors (the import history holds them all)."""
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
        }

    @classmethod
    def from_dict(cls, stored: dict) -> "ImportResult":
        """The counts and listed errors of `as_dict` back (not the file's format or mapping)."""
        errors = [RowError(**error) for error in stored["errors"]]
        counts = {name: stored[name] for name in stored if name != "errors"}
        return cls(**counts, errors=errors)
