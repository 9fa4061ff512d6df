"""The customer search: its query, through the trigram index of migration 0005, and the upkeep
that index needs when a person is erased or deleted."""

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from .text import digits, fold

# Words of three characters or more are looked up in the index: on SQLite an FTS5 table matched
# by phrase (a phrase of trigrams is a substring), on PostgreSQL a pg_trgm index that serves
# "contains" as it is. Shorter words are compared row by row.
_TRIGRAM = 3
_SQLITE_MATCHES = (
    "SELECT rowid FROM customers_customer_search WHERE customers_customer_search MATCH %s"
)


def _terms(query: str) -> list[str]:
    terms = []
    for word in query.split():
        word_digits = digits(word)
        # A word that is mostly a phone number ("06-123", "+31") matches on its digits alone.
        if word_digits and len(word_digits) * 2 >= len(word.strip("+")):
            terms.append(word_digits)
        elif fold(word):
            terms.append(fold(word))
    return terms


def search_is_indexed(query: str) -> bool:
    """Whether the index narrows this search down: some word has three characters or more. A
    search of only shorter words ("an") matches a good share of all customers."""
    return any(len(term) >= _TRIGRAM for term in _terms(query))


def search_filter(query: str) -> Q:
    condition = Q()
    phrases = []
    for term in _terms(query):
        if connection.vendor == "sqlite" and len(term) >= _TRIGRAM:
            phrases.append('"' + term.replace('"', '""') + '"')
        else:
            condition &= Q(search_text__contains=term)
    if phrases:
        condition &= Q(pk__in=RawSQL(_SQLITE_MATCHES, [" AND ".join(phrases)]))
    return condition


def search_index_forget() -> None:
    """After an erasure or a deletion (AVG art. 17). SQLite's full-text index keeps a removed
    entry, with its trigrams and their positions (enough to read a name back), until its
    segments are merged: merge them now (about 0.3 s at 100,000 customers); with secure_delete
    the freed pages are zeroed. Then the write-ahead log goes into the database, so that its
    old page images go as well; that needs the write lock free, so inside a transaction it is
    left to the next checkpoint. PostgreSQL's index drops dead entries at the next vacuum."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_customer_search(customers_customer_search) VALUES ('optimize')"
        )
        if not connection.in_atomic_block:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
