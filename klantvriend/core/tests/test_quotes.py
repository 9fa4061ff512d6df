"""One style of quotation marks in the texts people read: “…” in Dutch and in English. Dutch
writes plurals and times with an apostrophe (menu's, 's ochtends), which ‘…’ would draw with
the same ’ as its closing mark; „…” is the older style, now rare on screens. Checked on the
catalogue, which holds every text of the interface in both languages."""

import re

from .test_english_texts import dutch_texts, english_texts

# Quotes that are what must be typed, not marks around a word: the API's header syntax.
LITERAL = (
    "'Authorization: Bearer <token>'",
    'If-Match: "…"',
    '(")',
    '("")',
)
# A word or phrase between straight quotes, or one of the other styles' marks.
OTHER_QUOTES = re.compile(r"""(?:^|[\s(>])(['"])[^'"\s][^'"]*?\1(?=$|[\s.,:;!?)<])|[„‚‘]""")


def _other_quotes(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        bare = text
        for literal in LITERAL:
            bare = bare.replace(literal, "")
        bare = re.sub(r"<[^>]*>", " ", bare)  # attributes of links in a text are not quotes
        if OTHER_QUOTES.search(bare):
            found.append(text)
    return found


def test_the_dutch_texts_quote_with_double_curly_marks():
    assert _other_quotes(dutch_texts()) == []


def test_the_english_texts_quote_with_double_curly_marks():
    assert _other_quotes(english_texts()) == []


def test_the_check_finds_each_other_style_and_leaves_apostrophes_alone():
    assert _other_quotes(
        [
            "advies over 'reparatie': 0",
            'Geen klant gevonden voor "Jan".',
            "kies „doorverwijzing”",
            "kies ‘doorverwijzing’",
            "open 's ochtends eerst Vandaag",
            "foto's en menu's",
            "kies “doorverwijzing”",
            '<a href="/x">lijst</a>',
        ]
    ) == [
        "advies over 'reparatie': 0",
        'Geen klant gevonden voor "Jan".',
        "kies „doorverwijzing”",
        "kies ‘doorverwijzing’",
    ]
