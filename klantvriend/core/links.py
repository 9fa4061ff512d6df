"""Links that are opened away from the counter: a survey on a customer's phone, a calendar feed
in a staff member's calendar app. They carry the public address (`PUBLIC_BASE_URL`), not the
one a request came in on, which may be an address of the shop's own network."""

from urllib.parse import urlsplit

from django.conf import settings

# The names by which a computer means itself: a customer's phone that opens one reaches itself.
_THIS_DEVICE = {"localhost", "127.0.0.1", "::1"}


def public_url(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def public_address_is_this_device() -> bool:
    """Whether the public address names the server's own computer (a trial, `make run`): a
    link or QR code made with it opens nothing on a customer's phone."""
    host = (urlsplit(settings.PUBLIC_BASE_URL).hostname or "").lower()
    return host in _THIS_DEVICE or host.endswith(".localhost")
