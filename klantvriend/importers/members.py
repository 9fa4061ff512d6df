"""People of the business named in a file: who served a purchase (the purchase import), a
customer's regular staff member (the customer import). A name is matched to a member by user
name, else by first name or full name, whatever the capitals and spaces. A name no one or more
than one member answers to leaves the row without a member, with a note at the first line that
has it: the row itself is imported all the same, as a till's history names stylists who left."""

from collections.abc import Callable
from dataclasses import dataclass

from klantvriend.core.members import member_users
from klantvriend.core.models import Business
from klantvriend.core.numbers import count_shown

from .common import Columns
from .results import ImportResult, RowError

# The longest name a member answers to: their full name, a first and a last name of 150
# characters each (django.contrib.auth, as the account page takes them; a user name is 150 too).
# A full name longer than a first name was refused although a member had it.
MEMBER_NAME_LENGTH = 150 + len(" ") + 150
# The names of people no member answers to that the result names one by one (each at its first
# line); the rest are counted in one more note.
NAMED_UNKNOWN_MEMBERS = 10


@dataclass(frozen=True)
class MemberNotes:
    """What the notes say of a name, in the words of the importer's rows, each message with
    "%(name)s" (or "%(count)s" for `more`), read in the reader's language when said:
    `ambiguous(dry_run)`, `unknown(dry_run)` and `more(count)`."""

    ambiguous: Callable[[bool], str]
    unknown: Callable[[bool], str]
    more: Callable[[int], str]


class MemberNames:
    """The members named in the column `field` of a file, one name at a time (`id_of`), with
    the notes of the names no member, or more than one, answers to."""

    def __init__(
        self,
        business: Business,
        columns: Columns,
        result: ImportResult,
        *,
        field: str,
        notes: MemberNotes,
    ) -> None:
        self.columns, self.result, self.field, self.notes = columns, result, field, notes
        self.by_username: dict[str, int] = {}
        self.by_name: dict[str, set[int]] = {}
        self.unmatched: dict[str, int] = {}  # name -> how many members answer to it (0 or 2+)
        self.more: list[tuple[int, str]] = []  # (line, name) of names past NAMED_UNKNOWN_MEMBERS
        if not columns.has(field):
            return  # no query for a file that names no one
        for user in member_users(business=business):
            self.by_username[user.get_username().casefold()] = user.pk
            for name in {user.first_name, user.get_full_name()} - {""}:
                self.by_name.setdefault(" ".join(name.split()).casefold(), set()).add(user.pk)

    def id_of(self, line: int, name: str) -> int | None:
        """The user id of the member `name` (the file's cell, at `line`) is; None for an empty
        cell, and for a name no one or more than one answers to (noted at its first line)."""
        key = " ".join(name.split()).casefold()
        if not key:
            return None
        if key in self.by_username:
            return self.by_username[key]
        found = self.by_name.get(key, set())
        if len(found) == 1:
            return next(iter(found))
        if key not in self.unmatched:
            self.unmatched[key] = len(found)
            self._note(line, name, len(found))
        return None

    def _note(self, line: int, name: str, answering: int) -> None:
        if len(self.unmatched) > NAMED_UNKNOWN_MEMBERS:
            self.more.append((line, name))
            return
        dry_run = self.result.dry_run
        message = self.notes.ambiguous(dry_run) if answering else self.notes.unknown(dry_run)
        self.result.add_note(
            RowError(
                line,
                self.columns.header(self.field),
                name,
                message % {"name": name},
                "member_ambiguous" if answering else "member_unknown",
            )
        )

    def note_more_names(self) -> None:
        """One note for the names past the first NAMED_UNKNOWN_MEMBERS, at the first line of
        the first of them."""
        if not self.more:
            return
        count = len(self.more)
        line, name = self.more[0]
        self.result.add_note(
            RowError(
                line,
                self.columns.header(self.field),
                name,
                self.notes.more(count) % {"count": count_shown(count)},
                "members_unknown",
            )
        )
