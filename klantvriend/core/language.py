"""The shop's language: the one the system writes in when it stores a text of its own."""

from django.utils import translation


def shop_language(business) -> translation.override:
    """For texts the system writes for the shop rather than for the reader in front of it: a
    planned follow-up's question, a complaint opened from a survey answer, the name an
    anonymised customer keeps, the owner's morning e-mail. Everyone in the shop reads the stored
    ones later, so they are in the language the business chose (Business.language), not in that
    of whoever's click, API call (its Accept-Language) or survey answer (the customer's phone)
    happened to write them, nor in the server's. Labels shown on a page follow the reader."""
    return translation.override(business.language)
