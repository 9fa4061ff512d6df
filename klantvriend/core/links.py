"""Links that are opened away from the counter: a survey on a customer's phone, a calendar feed
in a staff member's calendar app. They carry the public address (`PUBLIC_BASE_URL`), not the
one a request came in on, which may be an address of the shop's own network."""

from django.conf import settings


def public_url(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path
