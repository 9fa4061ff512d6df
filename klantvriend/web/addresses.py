"""The address a request really comes from, for counting failed log-ins per address."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The visitor's own address, or None when it cannot be known.

    Behind the web server that terminates HTTPS (docs/deploy.md) every request comes from that
    server's address, which is no visitor's: counting failures against it would let one visitor
    lock out everybody. From a trusted proxy (settings.TRUSTED_PROXIES) the address is the
    right-most one in X-Forwarded-For that is not a proxy itself; what lies left of it is
    whatever the visitor chose to send. Without that header there is no visitor's address."""
    trusted = set(settings.TRUSTED_PROXIES)
    remote = request.META.get("REMOTE_ADDR", "")
    if remote not in trusted:
        return _valid(remote)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for address in map(str.strip, reversed(forwarded)):
        if address not in trusted:
            return _valid(address)
    return None


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
