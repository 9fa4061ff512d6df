import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    path,
    register_converter,
    reverse,
)
from django.urls.base import set_script_prefix

from klantvriend.web.links import link, safe_next

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
SAMPLES = {"int": [0, 7, 90731648250, 123456789012345], "str": ["k3y", "a b?c&é#"], "slug": ["a-b"]}


def _named_routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_routes(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, PARAMETER.findall(str(pattern.pattern))


ROUTES = sorted(
    set((name, tuple(params)) for name, params in _named_routes(get_resolver().url_patterns))
)


def test_the_routes_are_found():
    names = [name for name, _ in ROUTES]
    assert "web:customer_detail" in names
    assert "web:today" in names
    assert any(params for _, params in ROUTES)


@pytest.mark.parametrize(("name", "params"), ROUTES)
def test_link_gives_what_reverse_gives_for_every_route(name, params):
    converters = [converter or "str" for converter, _ in params]
    missing = [converter for converter in converters if converter not in SAMPLES]
    assert not missing, f"{name}: add sample values for the converters {missing} to SAMPLES"
    for round_ in range(2):  # the first call splits the URL, the second uses the pieces
        for index in range(4):
            args = [SAMPLES[c][index % len(SAMPLES[c])] for c in converters]
            kwargs = {param: value for (_, param), value in zip(params, args, strict=True)}
            assert link(name, args) == reverse(name, args=args), (round_, args)
            assert link(name, kwargs=kwargs) == reverse(name, kwargs=kwargs), (round_, kwargs)


class WrittenTwice:
    regex = "[0-9]+-[0-9]+"

    def to_python(self, value):
        return int(value.split("-")[0])

    def to_url(self, value):
        return f"{value}-{value}"


register_converter(WrittenTwice, "links_test_twice")
urlpatterns = [  # for the test below
    path("x/<int:b>/y/<int:a>/", lambda request, a, b: None, name="made_up"),
    path("twice/<links_test_twice:a>/", lambda request, a: None, name="twice"),
]


@override_settings(ROOT_URLCONF=__name__)
def test_keyword_ids_in_another_order_than_their_names():
    for _ in range(2):
        assert link("made_up", kwargs={"a": 1, "b": 22}) == "/x/22/y/1/"
        assert link("made_up", [3, 4]) == reverse("made_up", args=[3, 4]) == "/x/3/y/4/"
        # An id that appears twice in its URL: no pieces are kept, reverse makes each link.
        assert link("twice", [5]) == "/twice/5-5/"
        assert link("twice", [6]) == "/twice/6-6/"


def test_what_is_no_id_goes_through_reverse():
    assert link("web:customer_detail", ["12"]) == reverse("web:customer_detail", args=["12"])
    with pytest.raises(NoReverseMatch):
        link("web:customer_detail", [-1])
    with pytest.raises(NoReverseMatch):
        link("web:customer_detail", [True])
    with pytest.raises(NoReverseMatch):
        link("web:no_such_page", [1])


def test_the_script_prefix_is_part_of_the_link():
    link("web:customer_detail", [1])
    try:
        set_script_prefix("/shop/")
        assert link("web:customer_detail", [5]) == "/shop/customers/5/"
    finally:
        set_script_prefix("/")
    assert link("web:customer_detail", [5]) == "/customers/5/"


def test_the_url_tag_of_every_template_is_this_one():
    request = RequestFactory().get("/")
    rendered = Template(
        "{% url 'web:customer_detail' pk %}|{% url 'web:nope' pk as missing %}[{{ missing }}]"
        "|{% url 'web:customer_list' as list %}{{ list }}"
    ).render(Context({"pk": 42, "request": request}))
    assert rendered == "/customers/42/|[]|/customers/"
    with pytest.raises(NoReverseMatch):
        Template("{% url 'web:nope' 1 %}").render(Context({}))
    from klantvriend.web.templatetags.links import LinkNode

    assert isinstance(Template("{% url 'web:today' %}").nodelist[0], LinkNode)


# Where a form returns after saving (?next=): only a path of this site.

PROFILE = "/customers/7/"


@pytest.mark.parametrize(
    "next_path",
    ["/privacy/settings/", "/customers/?tag=vast&page=2", "/today/#open"],
)
def test_a_path_of_this_site_is_where_the_form_returns(next_path):
    request = RequestFactory().get("/customers/7/edit/", {"next": next_path})

    assert safe_next(request, default=PROFILE) == next_path


@pytest.mark.parametrize(
    "next_path",
    [
        "",
        "https://evil.example/privacy/settings/",
        "//evil.example/privacy/settings/",
        "/\\evil.example/",
        "\\\\evil.example/",
        "http:/evil.example/",
        "javascript:alert(1)",
        "https://testserver/privacy/settings/",  # this host, but a whole address: not a path
        "privacy/settings/",  # relative to the form's own address
        " /privacy/settings/",
        "/privacy/\nsettings/",
    ],
)
def test_anything_but_a_path_of_this_site_returns_to_the_default(next_path):
    request = RequestFactory().get("/customers/7/edit/", {"next": next_path})

    assert safe_next(request, default=PROFILE) == PROFILE


def test_without_next_the_form_returns_to_the_default():
    assert safe_next(RequestFactory().get("/customers/7/edit/"), default=PROFILE) == PROFILE


def test_the_next_of_the_address_is_kept_when_the_form_is_posted_to_it():
    """The edit form posts to its own address, query string included."""
    request = RequestFactory().post("/customers/7/edit/?next=/privacy/settings/", {"name": "A"})

    assert safe_next(request, default=PROFILE) == "/privacy/settings/"


def test_the_back_to_tag_writes_the_safe_next_or_the_default():
    template = Template("{% back_to default %}")
    fine = RequestFactory().get("/customers/7/edit/", {"next": "/privacy/settings/"})
    evil = RequestFactory().get("/customers/7/edit/", {"next": "//evil.example/"})

    assert template.render(Context({"request": fine, "default": PROFILE})) == "/privacy/settings/"
    assert template.render(Context({"request": evil, "default": PROFILE})) == PROFILE
    assert template.render(Context({"default": PROFILE})) == PROFILE  # no request: the default
