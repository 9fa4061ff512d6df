"""Keep the secrets carried in URL paths out of the logs.

A survey link (`/s/<key>/`) and a calendar feed (`/calendar/<key>.ics`) are bearer secrets:
whoever reads them in a log can answer a customer's survey or read a member's agenda. Django
writes the path of a request that fails ("Unprocessable Content: /s/<key>/") to `django.request`,
with the traceback of a server error, the path of a refused CSRF token to `django.security.csrf`,
and every request to `django.server` (runserver). `SecretPathFilter`, attached to those loggers
and to the handlers in the settings, writes "…" in place of each secret in the message, the
traceback and the stack. The secret routes are found in the URL configuration by their
parameter name, so a new route with a `key` or `token` is covered the day it is added. The web
server's own access log must do the same (docs/deploy.md)."""

import logging
import re
from functools import cache

# URL parameters that are secrets rather than ids ("token": an upload waiting for its import).
SECRET_PARAMETERS = frozenset({"key", "token"})
HIDDEN = "…"
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


def secret_routes() -> list[str]:
    """The routes (as written in the URL configuration, with their prefixes) with a secret."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return sorted(
        route
        for route in set(walk(get_resolver().url_patterns, ""))
        if SECRET_PARAMETERS & set(_PARAMETER.findall(route))
    )


def _route_regex(route: str) -> str:
    r""" "s/<str:key>/" -> "/s/([^/?#\s]+?)/?(?=[^\w-]|$)": each secret becomes a group, the
    rest must match literally, and another parameter (an id) matches any one path segment. A
    final slash may be missing: Django logs "Not Found: /s/<key>" before it would redirect. The
    path ends at the first character that cannot be part of a key (letters, digits, "_" and
    "-", from secrets.token_urlsafe and token_hex), so a link at the end of a sentence, in
    brackets or in a list is found too ("… for /s/<key>/.")."""
    parts, position = ["/"], 0
    for match in _PARAMETER.finditer(route):
        parts.append(re.escape(route[position : match.start()]))
        parts.append(r"([^/?#\s]+?)" if match.group(1) in SECRET_PARAMETERS else r"[^/?#\s]+?")
        position = match.end()
    rest = route[position:]
    if rest in ("", "/"):
        parts.append(r"/?(?=[^\w-]|$)")
    else:
        parts.append(re.escape(rest))
    return "".join(parts)


@cache
def _secret_paths() -> re.Pattern[str]:
    return re.compile("|".join(_route_regex(route) for route in secret_routes()) or r"(?!)")


def hide_secrets(text: str) -> str:
    def hide(match: re.Match) -> str:
        found, offset, position, pieces = match.group(0), match.start(), 0, []
        for group in range(1, len(match.groups()) + 1):
            if match.group(group) is not None:
                pieces += [found[position : match.start(group) - offset], HIDDEN]
                position = match.end(group) - offset
        return "".join(pieces) + found[position:]

    return _secret_paths().sub(hide, text)


# Formats a record's exception as a handler's default formatter would: the traceback with its
# causes. logging.Formatter writes the exc_text it finds on a record instead of formatting again.
_EXCEPTION_FORMAT = logging.Formatter()


class SecretPathFilter(logging.Filter):
    """Rewrites the record with the secrets in its paths hidden; lets every record through.

    The message is the one formatted with its arguments. An exception (a 500's traceback may
    name the link in its message or its cause's) is formatted here once, cleaned and kept as
    the record's `exc_text`; its `exc_info` is dropped, so that no handler or formatter that
    formats `exc_info` itself (structured formatters do) writes the raw traceback. The stack of
    `stack_info=True` is cleaned too."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        hidden = hide_secrets(message)
        if hidden != message:
            record.msg, record.args = hidden, None
        if record.exc_info:
            record.exc_text = record.exc_text or _EXCEPTION_FORMAT.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = hide_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = hide_secrets(record.stack_info)
        return True
