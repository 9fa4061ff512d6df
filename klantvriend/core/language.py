"""Which language Klantvriend speaks: the shop's, for the texts it stores for everyone, and the
reader's, for what one person reads (their screens, their morning e-mail)."""

from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from .models import Business, Profile

# On a query of memberships (or of anything with a `user`): the language the person chose for
# themselves, "" when they chose none (they have no Profile row). Read as a column of a query
# that is made anyway, so knowing it costs no query of its own.
OWN_LANGUAGE = Coalesce(F("user__profile__language"), Value(""))
# The same on a query of API tokens, whose person is their membership's.
TOKEN_OWN_LANGUAGE = Coalesce(F("membership__user__profile__language"), Value(""))


def language_in_own_words(code: str) -> str:
    """A language named in itself ("Nederlands", "English"), wherever one is chosen: whoever
    cannot read the screen's language finds their own, and the account page and the shop's
    settings name it alike."""
    return translation.get_language_info(code)["name_local"]


def language_choices() -> list[tuple[str, str]]:
    """The languages Klantvriend speaks (settings.LANGUAGES), each named in itself."""
    return [(code, language_in_own_words(code)) for code, _name in settings.LANGUAGES]


def shop_language(business) -> translation.override:
    """For texts the system writes for the shop rather than for the reader in front of it: a
    planned follow-up's question, a complaint opened from a survey answer, the name an
    anonymised customer keeps. Everyone in the shop reads the stored ones later, so they are in
    the language the business chose (Business.language), not in that of whoever's click, API
    call (its Accept-Language) or survey answer (the customer's phone) happened to write them,
    nor in the server's. Labels shown on a page follow the reader (reader_language)."""
    return translation.override(business.language)


def reader_language(*, own: str, business) -> str | None:
    """The language one person reads Klantvriend in, on every device: their own choice
    (Profile.language) if they made one, else the language of the business they are working
    in. None for a person with neither (someone in no business who never chose): the caller
    decides (the web interface speaks as to a visitor who is not signed in)."""
    if own:
        return own
    return business.language if business is not None else None


def own_language(*, user) -> str:
    """The language `user` chose for themselves, "" for none. One query: where memberships are
    read anyway, read OWN_LANGUAGE with them instead."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first() or ""


def accepted_language(header: str) -> str | None:
    """The first language of an Accept-Language header that Klantvriend speaks ("en-GB,en;q=0.9"
    is English), as Django's LocaleMiddleware reads it; None for an empty header, or for one
    naming only languages Klantvriend does not speak ("fr", "*"), so that the caller's own
    fallback applies rather than Django's LANGUAGE_CODE."""
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def installation_language() -> str | None:
    """The language of the installation's business when it holds exactly one: what a shop's
    own server speaks to a visitor nobody knows yet. None with no business or several, whose
    languages may differ. One query."""
    languages = list(Business.objects.order_by().values_list("language", flat=True)[:2])
    return languages[0] if len(languages) == 1 else None
