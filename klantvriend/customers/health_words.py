"""Words that make a note read as health information: a special category of personal data
(AVG art. 9), which the shop keeps only with the customer's explicit consent and in its own
field (Customer.special_notes). Staff refused there learned to type a dye allergy or a
pregnancy into the personal notes instead; the customer form asks about such words first."""

import re

from .text import fold

# The start of each word, folded as the search folds (no accents, lower case), Dutch and
# English: conditions a shop hears at the counter, not every medical term there is.
HEALTH_STEMS = (
    "allergi",
    "allergy",
    "allergic",
    "astma",
    "asthma",
    "chemo",
    "coeliaki",
    "coeliac",
    "dement",
    "diabet",
    "eczeem",
    "eczema",
    "epilep",
    "hartpatient",
    "kanker",
    "cancer",
    "medicijn",
    "medicati",
    "medication",
    "migraine",
    "pregnan",
    "psoriasis",
    "rolstoel",
    "wheelchair",
    "suikerziek",
    "zwanger",
)
_HEALTH_WORD = re.compile(r"\b(?:" + "|".join(HEALTH_STEMS) + r")\w*")


def health_words(text: str) -> list[str]:
    """The words of `text` that read as health information, each once, in their order."""
    found = _HEALTH_WORD.findall(fold(text or ""))
    return list(dict.fromkeys(found))
