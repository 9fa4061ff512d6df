"""The customer search: its query, through the trigram index of migration 0005, and the upkeep
that index needs when a person is erased or deleted."""

import re
import sys
from difflib import SequenceMatcher
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Case, F, FloatField, Func, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length, StrIndex
from django.db.models.lookups import GreaterThan, LessThan

from .models import Customer
from .text import digits, fold, phone_digits

# Words of three characters or more are looked up in the index: on SQLite an FTS5 table matched
# by phrase (a phrase of trigrams is a substring), on PostgreSQL a pg_trgm index that serves
# "contains" as it is. Shorter words are compared row by row.
_TRIGRAM = 3
_SQLITE_MATCHES = (
    "SELECT rowid FROM customers_customer_search WHERE customers_customer_search MATCH %s"
)


# A Dutch postcode as the search text holds it (text.postcode), typed "7201 HV" or "7201hv".
_DUTCH_POSTCODE = re.compile(r"[1-9][0-9]{3}[a-z]{2}")


def _is_number(word: str) -> bool:
    """Mostly a phone number ("06-123", "+31", "(0)6"): matched on its digits alone. Not a word
    with a letter in it ("7201hv", "sw1a", "jan1980"), which is matched as typed."""
    if any(ch.isalpha() for ch in word):
        return False
    word_digits = digits(word)
    return bool(word_digits) and len(word_digits) * 2 >= len(word.strip("+"))


def _terms(query: str) -> list[str]:
    terms = []
    # A NUL (%00 in a URL) reaches neither database: SQLite's index reads it as the end of the
    # phrase, PostgreSQL refuses it in any text. No name holds one, so it can only be dropped.
    words = query.replace("\x00", "").split()
    number: list[str] = []
    for word in [*words, ""]:
        if word and _is_number(word):
            number.append(word)  # "+31 6 1234": one number written in parts
            continue
        folded = fold(word)
        if len(number) == 1 and _DUTCH_POSTCODE.fullmatch(number[0] + folded):
            terms.append(number[0] + folded)  # "7201 HV": one postcode, stored as "7201hv"
            number, folded = [], ""
        if number:
            # A home country's number in its national form ("+31 6123" as "06123"), as stored.
            terms.append(phone_digits("".join(number)))
            number = []
        if folded:
            terms.append(folded)
    return terms


def _at_word_start(term: str) -> bool:
    """A number of one or two digits, a house number most likely ("7201 HV 12"), is looked for
    at the start of a word only: anywhere, "12" would be in a tenth of all phone numbers and
    postcodes, where at a word's start it is in the house numbers 12 and 120 to 129."""
    return len(term) < _TRIGRAM and term.isdigit()


def search_is_indexed(query: str) -> bool:
    """Whether the index narrows this search down: some word has three characters or more. A
    search of only shorter words ("an") matches a good share of all customers."""
    return any(len(term) >= _TRIGRAM for term in _terms(query))


def _spellings(term: str) -> list[str]:
    """The term as typed and with the Dutch "ij" written as "y" or the other way round: a name
    heard at the counter ("Meijer", "Bijl") is typed either way. Only for words the index
    serves, and only spellings it serves too: "ij" or "by" alone would match too much."""
    if len(term) < _TRIGRAM or term.isdigit():
        return [term]
    swapped = {term.replace("ij", "y"), term.replace("y", "ij")} - {term}
    return [term, *sorted(spelling for spelling in swapped if len(spelling) >= _TRIGRAM)]


def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search_filter(query: str) -> Q:
    condition = Q()
    phrases = []
    for term in _terms(query):
        spellings = _spellings(term)
        if connection.vendor == "sqlite" and len(term) >= _TRIGRAM:
            phrases.append("(" + " OR ".join(map(_phrase, spellings)) + ")")
        elif _at_word_start(term):
            condition &= Q(search_text__startswith=term) | Q(search_text__contains=" " + term)
        else:
            condition &= reduce(or_, (Q(search_text__contains=s) for s in spellings))
    if phrases:
        condition &= Q(pk__in=RawSQL(_SQLITE_MATCHES, [" AND ".join(phrases)]))
    return condition


def _typed(query: str) -> str:
    return fold(query.replace("\x00", ""))


def name_starts(query: str) -> Q | None:
    """The customers whose name starts with what was typed ("jan": Jan de Vries, Jansen),
    through the index on the search text (customer_business_search), which starts with the
    folded name (text.search_text_for): "jose" finds José as the search finds him at all. A
    range the index serves on both databases (PostgreSQL's in the C collation, SQLite's in
    binary order), and the prefix itself. Each of them is a match of the search: what was
    typed, found in itself, is found in any text that starts with it. None when no name starts
    with it (nothing with a letter: a phone number, a postcode) or when that does not hold
    (numbers compared by their digits: "jan 06-12")."""
    typed = _typed(query)
    if not any(ch.isalpha() for ch in typed) or not found_in(query, typed):
        return None
    if ord(typed[-1]) >= sys.maxunicode:
        return None
    following = typed[:-1] + chr(ord(typed[-1]) + 1)
    return Q(search_text__gte=typed, search_text__lt=following, search_text__startswith=typed)


def name_word_first(query: str) -> Case:
    """0 for a match with a word of the name after the first starting with what was typed
    ("jan": Piet Jansen), 1 for the rest (Marjan Bakker, the Jan Steenstraat, jan@...), for
    the matches whose name does not start with it (name_starts). The name is the first part of
    the search text, as long as the name but for rare letters that folding writes longer
    ("ß", "æ"). Asked of every match: about a quarter more than the list's own order for a
    place that 100,000 customers share (docs/benchmarks.md)."""
    word_start = StrIndex(F("search_text"), Value(" " + _typed(query)))
    return Case(
        When(GreaterThan(word_start, 0) & LessThan(word_start, Length("name")), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )


def found_in(query: str, text: str) -> bool:
    """Whether search_filter(query) holds for a customer of this search text: for a text that
    is not stored, as the duplicate check's without the address (selectors.customers_alike)."""
    words = f" {text}"
    return all(
        any((f" {s}" if _at_word_start(s) else s) in words for s in _spellings(term))
        for term in _terms(query)
    )


# A typo is looked for only in words of four characters or more: shorter ones resemble too much.
_TYPO_MIN = 4
# How close a word must come to what was typed (difflib's ratio: 2 x matching / both lengths):
# "bakkr" or "bakeer" for "bakker" is 0.91 or 0.83, "jansen" for "bakker" 0.33.
SIMILAR_ENOUGH = 0.75
# Candidates read from the index, the ones sharing the most of the typed trigrams first.
_CANDIDATES = 200
_SQLITE_SHARING = (
    "SELECT s.rowid FROM customers_customer_search AS s"
    " JOIN customers_customer AS c ON c.id = s.rowid"
    " WHERE customers_customer_search MATCH %s AND c.business_id = %s"
    " ORDER BY s.rank LIMIT %s"
)


def typo_terms(query: str) -> list[str]:
    """The words of a search that a typo could hide in: long enough, and not a phone number."""
    terms = _terms(query)
    if not any(len(term) >= _TYPO_MIN and not term.isdigit() for term in terms):
        return []
    return terms


def sharing_trigrams(business_id: int, terms: list[str]) -> Q:
    """Customers whose search text shares a trigram with one of the terms (the candidates of a
    search with a typo), at most _CANDIDATES of them, through the trigram index of 0005."""
    trigrams = sorted({term[i : i + 3] for term in terms for i in range(len(term) - 2)})
    if not trigrams:
        return Q(pk__in=[])
    if connection.vendor == "sqlite":
        match = " OR ".join(map(_phrase, trigrams))
        return Q(pk__in=RawSQL(_SQLITE_SHARING, [match, business_id, _CANDIDATES]))
    # pg_trgm's GIN index serves "contains"; its word_similarity ranks the candidates.
    similarity = Func(
        Value(" ".join(terms)),
        F("search_text"),
        function="word_similarity",
        output_field=FloatField(),
    )
    nearest = (
        Customer.objects.filter(reduce(or_, (Q(search_text__contains=t) for t in trigrams)))
        .filter(business_id=business_id)
        .order_by(similarity.desc())
        .values("pk")[:_CANDIDATES]
    )
    return Q(pk__in=nearest)


def resemblance(terms: list[str], search_text: str) -> float:
    """How well the customer's words match what was typed: every typed term must come close to
    one of them, so the least close term decides ("thijs de jnog" is not Thijs de Kok)."""
    words = search_text.split()
    if not words:
        return 0.0
    return min(max(SequenceMatcher(None, term, word).ratio() for word in words) for term in terms)


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
