"""Which words make a note read as health information (AVG art. 9)."""

import pytest

from klantvriend.customers.health_words import health_words


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Allergisch voor PPD, zwanger (14 weken)", ["allergisch", "zwanger"]),
        ("Zwangerschapsverlof tot maart; ALLERGIE voor noten", ["zwangerschapsverlof", "allergie"]),
        ("Heeft diabetes, neemt medicatie", ["diabetes", "medicatie"]),
        ("Pregnant, allergic to latex", ["pregnant", "allergic"]),
        ("Eczeem op de hoofdhuid", ["eczeem"]),
        # Not at a word's start, or no such word: nothing.
        ("Dochter begint na de zomer op school", []),
        ("Houdt van kanariegele jurken", []),
        ("", []),
    ],
)
def test_the_words_of_a_note_that_read_as_health_information(text, words):
    assert health_words(text) == words
