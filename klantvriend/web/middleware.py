from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY as SIGNED_IN_KEY
from django.db import OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from klantvriend.core.errors import NotFound
from klantvriend.core.language import (
    accepted_language,
    installation_language,
    own_language,
    reader_language,
)
from klantvriend.core.selectors import membership_list_for_user

SESSION_KEY = "business_id"
# Paths that speak the language of the device that asks (its Accept-Language), whoever is
# signed in: API clients, and the public survey page that a customer opens on their own phone.
DEVICE_LANGUAGE_PATHS = ("/api/", "/s/")
# The load balancers' check (web.views.health) says only "ok" and touches no database on
# purpose: no business is read to choose its language.
WORDLESS_PATHS = ("/health/",)
# The pages a visitor nobody knows yet reads (log in, a forgotten password): only there is the
# installation's business asked for its language (visitor_language). Every other page sends
# such a visitor to the log-in page, and its redirect, or a bot's request, asks no database.
VISITOR_PAGES = ("/login/", "/password/")


class CurrentBusinessMiddleware:
    """Puts the business the signed-in person works in on the request (request.business and
    request.membership). A person in several businesses picks one; the choice lives in the session.
    Activates the business's time zone and the language the person reads (core.language:
    their own choice, request.own_language, "" for none; else the business's), which replaces
    the visitor's language chosen by VisitorLocaleMiddleware before anyone was known. Also
    turns NotFound from a selector into the 404 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.business = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        request.own_language = ""  # type: ignore[attr-defined]
        if request.user.is_authenticated and not request.path.startswith("/api/"):
            memberships = list(membership_list_for_user(user=request.user))
            chosen = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.business_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
            request.memberships = memberships  # type: ignore[attr-defined]
            if current is not None:
                request.membership = current  # type: ignore[attr-defined]
                request.business = current.business  # type: ignore[attr-defined]
                # Times are shown and typed in the business's own time zone.
                timezone.activate(current.business.tzinfo)
            # Read with the memberships; only a person in no business costs a query for it.
            own = memberships[0].own_language if memberships else own_language(user=request.user)
            request.own_language = own  # type: ignore[attr-defined]
            language = reader_language(own=own, business=request.business)  # type: ignore[attr-defined]
            if language and not request.path.startswith(DEVICE_LANGUAGE_PATHS):
                # Not undone after the response: LocaleMiddleware, outside this one, names the
                # language in the response's Content-Language, and activates anew per request.
                translation.activate(language)
                request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, NotFound):
            raise Http404 from exception
        return None


class VisitorLocaleMiddleware(LocaleMiddleware):
    """The language for a visitor nobody knows yet (the log-in and password-reset pages), by
    visitor_language. Once someone is signed in, CurrentBusinessMiddleware replaces it with the
    language that person reads. API clients and the public survey page get Django's choice:
    their cookie or Accept-Language, else LANGUAGE_CODE (the API then also the token's member's,
    api.common.BearerToken)."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith((*DEVICE_LANGUAGE_PATHS, *WORDLESS_PATHS)):
            super().process_request(request)
            return
        translation.activate(
            visitor_language(request, ask_shop=request.path.startswith(VISITOR_PAGES))
        )
        request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]


def visitor_language(request: HttpRequest, *, ask_shop: bool = True) -> str:
    """The language of the screens before anyone is known, in this order:

    1. the one the visitor chose with the switch on the log-in page (Django's cookie on their
       device), so that the switch always has the last word;
    2. the language of the installation's business when it holds just one (a shop's own
       server: installation_language): an English shop's staff are not greeted in Dutch, and a
       Dutch shop's counter tablet with an English browser still shows Dutch;
    3. where there are several businesses (or none), the browser's Accept-Language when
       Klantvriend speaks one of its languages;
    4. Dutch (LANGUAGE_CODE).

    Step 2 is taken on the visitor pages only (`ask_shop`: VISITOR_PAGES) and not for someone
    signed in: their own language or their business's replaces this one anyway
    (CurrentBusinessMiddleware), and reading the businesses on each of their requests would
    cost a query for nothing."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    if ask_shop and SIGNED_IN_KEY not in request.session:
        shop = installation_language()
        if shop:
            return shop
    return accepted_language(request.META.get("HTTP_ACCEPT_LANGUAGE", "")) or (
        settings.LANGUAGE_CODE
    )


# Seconds after which trying again will most likely work (an import writes for tens of seconds).
BUSY_RETRY_AFTER = 60


class BusyDatabaseMiddleware:
    """SQLite lets one writer at a time; another one waits (the busy timeout, 20 s) and is then
    refused with "database is locked": in practice only while a large import is being written.
    That person gets a page saying so (503) rather than the page of a program error: nothing of
    theirs was stored, and saving again shortly will work. The API answers the same in JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not (isinstance(exception, OperationalError) and "database is locked" in str(exception)):
            return None
        if request.path.startswith("/api/"):
            detail = _(
                "The database is busy storing something large; nothing was stored. Try again in a minute."
            )
            response = JsonResponse({"detail": detail}, status=503)
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response


class FormAddressPageMiddleware:
    """An address that only saves a form, opened as a page: after a refused form the address
    bar shows it (the margin on the advice page), and a reload or a bookmark asked for it
    again, which Django answers 405 with nothing in it: a blank page with no way on. A page
    that says so and leads on instead, in the reader's language. The API keeps its bare 405,
    which its clients read by the status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if (
            response.status_code != 405
            or request.method not in ("GET", "HEAD")
            or request.path.startswith("/api/")
            or response.content
        ):
            return response
        page = render(request, "405.html", {"form_page": _form_page(request)}, status=405)
        page["Allow"] = response["Allow"]
        return page


def _form_page(request: HttpRequest) -> str:
    """The page the form was on, as the browser names it (a reload sends the Referer of the
    page that posted): a path of this site other than this address, else ""."""
    referer = urlsplit(request.headers.get("Referer", ""))
    same_site = referer.netloc == request.get_host() and referer.scheme in ("http", "https")
    if not same_site or not referer.path.startswith("/") or referer.path == request.path:
        return ""
    return referer.path


class NeverStoreMiddleware:
    """Every page and API answer is about a business and its customers (even a refusal names
    what was asked for), so none may be kept by a cache: not by a shared proxy, and not by the
    browser of a shop's tablet, where the next person would find a customer's page with Back
    after the last one logged out. A view that may be cached says so itself (the calendar feed);
    static files are answered before this middleware by WhiteNoise, with their own lifetime."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
