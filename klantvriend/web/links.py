"""Links to the pages of rows: Django's reverse, done once per URL name instead of once per row.

Django's `reverse` tries the arguments against each candidate pattern and quotes the result on
every call, about 45 µs here; Today links some 120 rows to their customers, promises and
complaints (3 ms of the page). Links to rows differ only in their ids, so the first reverse of a
name is made with placeholder ids, and later links of that name are the pieces around the
placeholders joined with the real ids. Anything but non-negative integers (a key, a slug, a
model) goes through `reverse` as before.
"""

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

# Digits only, so that any converter that accepts an id accepts them, and long enough that no
# route's own text contains one by chance.
_PLACEHOLDER = 9_073_164_825_000
_pieces: dict[tuple, tuple[tuple[str, ...], tuple[int, ...]] | None] = {}


def _is_id(value) -> bool:
    return type(value) is int and value >= 0


def link(viewname: str, args=(), kwargs=None, current_app: str | None = None) -> str:
    """`reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)`, faster for ids."""
    kwargs = kwargs or {}
    if not all(map(_is_id, args)) or not all(map(_is_id, kwargs.values())):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    names = tuple(sorted(kwargs))
    key = (
        viewname,
        len(args),
        names,
        current_app,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),
    )
    try:
        pieces = _pieces[key]
    except KeyError:
        pieces = _pieces[key] = _split(viewname, len(args), names, current_app)
    if pieces is None:
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    texts, order = pieces
    values = [*args, *(kwargs[name] for name in names)]
    parts = [texts[0]]
    for index, text in zip(order, texts[1:], strict=True):
        parts.append(str(values[index]))
        parts.append(text)
    return "".join(parts)


def _split(
    viewname, arg_count, names, current_app
) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The texts around the ids in the URL and the order of the ids (positional first, then
    keywords by name), or None if a placeholder id does not appear exactly once.

    Raises NoReverseMatch as `reverse` does for a name or arguments no route has."""
    placeholders = [str(_PLACEHOLDER + i) for i in range(arg_count + len(names))]
    url = reverse(
        viewname,
        args=placeholders[:arg_count],
        kwargs=dict(zip(names, placeholders[arg_count:], strict=True)),
        current_app=current_app,
    )
    if any(url.count(placeholder) != 1 for placeholder in placeholders):
        return None
    order = sorted(range(len(placeholders)), key=lambda index: url.index(placeholders[index]))
    texts = []
    start = 0
    for index in order:
        position = url.index(placeholders[index])
        texts.append(url[start:position])
        start = position + len(placeholders[index])
    texts.append(url[start:])
    return tuple(texts), tuple(order)


def safe_next(request: HttpRequest, *, default: str) -> str:
    """Where a form returns after saving or cancelling: the `next` of its address when that is
    a path of this site (the page that sent the user to the form, such as the privacy page's
    list of customers to fix, adds it to the link), else `default`.

    Only a path ("/privacy/settings/"): an address with a scheme or a host, even this site's
    own, is refused, so that a link made elsewhere cannot send someone who saved on to another
    site (an open redirect). A form posts to its own address, so the `next` it was opened with
    is read from the query string on the POST too."""
    target = request.GET.get("next", "")
    if (
        target.startswith("/")
        and target.isprintable()  # no line breaks or control characters in a Location header
        and url_has_allowed_host_and_scheme(target, allowed_hosts=None)
    ):
        return target
    return default
