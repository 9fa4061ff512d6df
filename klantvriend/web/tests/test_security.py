import re
from datetime import timedelta

import pytest
from django.templatetags.static import static
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from klantvriend.core.calendar import calendar_token_create
from klantvriend.core.models import AuditEvent, LoginFailure, Membership, Role
from klantvriend.core.services import (
    apitoken_create,
    business_create,
    membership_create,
    user_create,
)
from klantvriend.customers.tests.factories import CustomerFactory
from klantvriend.isolation import create_foreign_rows, model_for_parameter, snapshot
from klantvriend.surveys.services import survey_invitation_create


def _login(client: Client, password: str, username: str = "sanne"):
    return client.post(reverse("web:login"), {"username": username, "password": password})


def test_login_is_refused_for_a_while_after_five_wrong_passwords(owner, business):
    client = Client()
    for _ in range(5):
        assert _login(client, "wrong").status_code == 200

    refused = _login(client, "pw-sanne-123")

    assert refused.status_code == 200
    assert (
        "Te veel mislukte pogingen. Wacht 15 minuten en probeer het opnieuw."
        in refused.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_login_works_again_after_the_wait_and_clears_the_failures(owner, business):
    client = Client()
    for _ in range(5):
        _login(client, "wrong")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))

    response = _login(client, "pw-sanne-123")

    assert response.status_code == 302
    assert LoginFailure.objects.filter(username="sanne").count() == 0


def test_failures_for_one_user_do_not_lock_out_another(owner, business, staff_user):
    client = Client()
    for _ in range(5):
        _login(client, "wrong")

    assert _login(Client(), "pw-joris-123", username="joris").status_code == 302


PROXY = "127.0.0.1"  # the web server in front of gunicorn (docs/deploy.md)


def _login_through_proxy(client_address: str, username: str, password: str, proxy=PROXY):
    return Client(REMOTE_ADDR=proxy).post(
        reverse("web:login"),
        {"username": username, "password": password},
        headers={"X-Forwarded-For": client_address},
    )


def test_one_visitor_guessing_cannot_lock_everyone_out_behind_the_proxy(owner, business):
    """Behind the web server every request comes from its address: counting failures per
    address would let one anonymous visitor shut out every member of every business."""
    for attempt in range(25):
        _login_through_proxy("203.0.113.9", f"naam{attempt}", "wrong")

    response = _login_through_proxy("198.51.100.7", "sanne", "pw-sanne-123")

    assert response.status_code == 302


def test_the_guessing_address_itself_is_refused_behind_the_proxy(owner, business, staff_user):
    for attempt in range(20):
        _login_through_proxy("10.0.0.1, 203.0.113.9", f"naam{attempt}", "wrong")

    refused = _login_through_proxy("203.0.113.9", "joris", "pw-joris-123")

    assert refused.status_code == 200
    assert "Te veel mislukte pogingen" in refused.content.decode()
    assert LoginFailure.objects.filter(ip_address="203.0.113.9").count() == 20


def test_a_forwarded_address_from_a_client_that_is_no_proxy_is_not_believed(owner, business):
    for attempt in range(3):
        _login_through_proxy(f"192.0.2.{attempt}", "sanne", "wrong", proxy="198.51.100.20")

    assert (
        sorted(LoginFailure.objects.values_list("ip_address", flat=True)) == ["198.51.100.20"] * 3
    )


def test_forms_need_a_csrf_token(owner, business):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("web:customer_quick_add"), {"name": "Zonder token"})

    assert response.status_code == 403


def test_session_expires_after_a_working_day(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_weak_passwords_are_refused_by_the_validators():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        validate_password("12345678")


def _owner_only_routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _owner_only_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "owner_only", False):
            yield prefix + str(pattern.pattern), pattern.name


OWNER_ONLY = sorted(set(_owner_only_routes(get_resolver().url_patterns)))


def test_there_are_owner_only_routes_to_check():
    assert len(OWNER_ONLY) >= 2


@pytest.mark.parametrize(("route", "name"), OWNER_ONLY, ids=[name for _, name in OWNER_ONLY])
def test_staff_cannot_reach_owner_only_actions(staff_client, business, route, name):
    own = create_foreign_rows(business)  # rows of the staff member's own business

    def fill(match_name: str) -> str:
        # Parameters that are no business row (an upload token, a membership) get any value:
        # the owner check comes before the lookup.
        model = model_for_parameter(match_name)
        return str(own[model].pk) if model in own else "1"

    url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: fill(match.group(1)), route)
    before = snapshot()

    statuses = [staff_client.get(url).status_code, staff_client.post(url, {}).status_code]

    assert statuses == [403, 403], f"{url} answered {statuses}"
    assert snapshot() == before


INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.IGNORECASE)
ELEMENT_ID = re.compile(r'\sid="([^"]+)"')
EVENT_HANDLER = re.compile(r"\son(click|load|change|submit|input)=", re.IGNORECASE)


def _pages_without_parameters(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if not str(pattern.pattern).startswith("api/"):
                yield from _pages_without_parameters(
                    pattern.url_patterns, prefix + str(pattern.pattern)
                )
        elif isinstance(pattern, URLPattern) and "<" not in str(pattern.pattern):
            yield "/" + prefix + str(pattern.pattern)


def _html_pages(client, business):
    """Every page without parameters, and a customer profile: (url, body) of the HTML ones."""
    rows = create_foreign_rows(business)
    customer = rows[model_for_parameter("customer_id")]
    urls = sorted(set(_pages_without_parameters(get_resolver().url_patterns)))
    urls.append(reverse("web:customer_detail", args=[customer.pk]))
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and "text/html" in response.headers.get("Content-Type", ""):
            yield url, response.content.decode()


def test_no_page_needs_inline_script_or_style(owner_client, business):
    """The Content-Security-Policy forbids inline code; a page that used some would break."""
    checked = 0
    for url, body in _html_pages(owner_client, business):
        assert not INLINE_SCRIPT.search(body), f"{url} has an inline script"
        assert not INLINE_STYLE.search(body), f"{url} has an inline style"
        assert not EVENT_HANDLER.search(body), f"{url} has an inline event handler"
        checked += 1
    assert checked >= 5


def test_no_page_repeats_an_element_id(owner_client, business):
    """A repeated id sends a label, a link or a screen reader to the wrong element."""
    checked = 0
    for url, body in _html_pages(owner_client, business):
        ids = ELEMENT_ID.findall(body)
        assert sorted({i for i in ids if ids.count(i) > 1}) == [], url
        checked += 1
    assert checked >= 5


def _add_member(client: Client, username: str, role: str = "staff"):
    return client.post(
        reverse("web:members"), {"action": "add_member", "username": username, "role": role}
    )


def test_an_owner_cannot_pull_another_businesss_user_into_their_own(
    owner, business, other_owner, other_business
):
    """User names are shared by every business on a server: without this, the owner of
    "Garage Elders" could add Sanne of "Slagerij Test" to the garage, which sorts first, so that
    her next log-in opens the garage and what she types lands there."""
    attacker = Client()
    attacker.force_login(other_owner)
    before = snapshot()

    response = _add_member(attacker, "sanne", role="owner")

    assert response.status_code == 422
    assert TAKEN in response.content.decode()
    assert snapshot() == before
    victim = Client()
    assert _login(victim, "pw-sanne-123").status_code == 302
    assert victim.get(reverse("web:today")).context["business"] == business


def test_an_owner_of_two_businesses_adds_a_member_of_one_to_the_other(owner, business, staff_user):
    second = business_create(name="Slagerij Tweede", owner=owner)
    client = Client()
    client.force_login(owner)
    client.post(reverse("web:switch_business"), {"business": second.pk})

    response = _add_member(client, "joris")

    assert response.status_code == 302
    assert Membership.objects.get(business=second, user=staff_user).role == Role.STAFF


TAKEN = (
    "Deze gebruikersnaam is al in gebruik door iemand buiten jouw zaken. Kies een andere "
    "gebruikersnaam voor een nieuwe persoon."
)


def _remove_member(client: Client, business, user) -> None:
    membership = Membership.objects.get(business=business, user=user)
    response = client.post(reverse("web:member_remove", args=[membership.pk]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_an_owner_adds_back_a_member_they_removed_last_season(owner_client, business, staff_user):
    _remove_member(owner_client, business, staff_user)

    response = _add_member(owner_client, "joris")

    assert response.status_code == 302
    assert Membership.objects.get(business=business, user=staff_user).role == Role.STAFF
    assert list(Membership.objects.filter(user=staff_user).values_list("business", flat=True)) == [
        business.pk
    ]


def test_a_removal_recorded_before_the_trail_held_the_user_id_still_counts(
    owner_client, business, staff_user
):
    _remove_member(owner_client, business, staff_user)
    AuditEvent.objects.filter(object_type="membership", action="removed").update(
        changes={"user": "joris", "role": "staff"}
    )

    response = _add_member(owner_client, "joris")

    assert response.status_code == 302
    assert Membership.objects.filter(business=business, user=staff_user).exists()


def test_a_freed_user_name_taken_by_someone_new_is_not_their_predecessor(
    owner_client, business, staff_user, other_business
):
    """A removal recorded by name only must not let the owner pull in a later account that took
    the name after the person who left was deleted."""
    _remove_member(owner_client, business, staff_user)
    AuditEvent.objects.filter(object_type="membership", action="removed").update(
        changes={"user": "joris", "role": "staff"}
    )
    staff_user.delete()
    newcomer = user_create(username="joris", password="pw-joris-456")
    membership_create(business=other_business, user=newcomer, role=Role.STAFF)
    before = snapshot()

    response = _add_member(owner_client, "joris")

    assert response.status_code == 422
    assert response.context["member_form"].errors["username"] == [TAKEN]
    assert snapshot() == before


def test_only_the_business_the_user_left_may_take_them_back(
    owner, business, staff_user, other_owner, other_business
):
    """Joris left Slagerij Test; the owner of Garage Elders, where he never worked, is refused
    just as for anyone else's user, and the refusal says nothing about him."""
    owner_client = Client()
    owner_client.force_login(owner)
    _remove_member(owner_client, business, staff_user)
    attacker = Client()
    attacker.force_login(other_owner)
    before = snapshot()

    refusals = {name: _add_member(attacker, name) for name in ["joris", "sanne"]}

    assert {name: r.status_code for name, r in refusals.items()} == {"joris": 422, "sanne": 422}
    assert refusals["joris"].context["member_form"].errors.get_json_data() == {
        "username": [{"message": TAKEN, "code": "taken"}]
    }
    assert refusals["sanne"].context["member_form"].errors.get_json_data() == {
        "username": [{"message": TAKEN, "code": "taken"}]
    }
    for name in ["Joris", "Slagerij Test"]:
        assert name not in refusals["joris"].content.decode()
    assert snapshot() == before


NEVER_STORED = "max-age=0, no-cache, no-store, must-revalidate, private"


def test_pages_with_personal_data_are_never_stored_by_a_cache(owner_client, owner, business):
    """Not by a shared proxy, nor by the browser of the shop's tablet, where the next person
    would otherwise find a customer's page with Back after the last one logged out."""
    customer = CustomerFactory(business=business)
    token = apitoken_create(membership=business.memberships.get(user=owner), name="kassa")[1]
    invitation = survey_invitation_create(business=business, customer=customer, channel="link")

    responses = {
        "profile": owner_client.get(reverse("web:customer_detail", args=[customer.pk])),
        "profile part": owner_client.get(
            reverse("web:customer_detail", args=[customer.pk]), headers={"HX-Request": "true"}
        ),
        "access request": owner_client.get(
            reverse("web:customer_personal_data", args=[customer.pk]), {"format": "json"}
        ),
        "export": owner_client.post(reverse("web:data_export")),
        "api": Client().get(
            f"/api/v1/customers/{customer.pk}", headers={"Authorization": f"Bearer {token}"}
        ),
        "survey": Client().get(invitation.path),
        "refusal": owner_client.get(reverse("web:customer_detail", args=[customer.pk + 1000])),
    }

    assert {name: r.status_code for name, r in responses.items()} == {
        **dict.fromkeys(responses, 200),
        "refusal": 404,
    }
    assert {name: r.headers.get("Cache-Control") for name, r in responses.items()} == dict.fromkeys(
        responses, NEVER_STORED
    )


def test_static_files_and_the_calendar_feed_keep_their_own_caching(client, membership):
    _token, key = calendar_token_create(membership=membership)

    feed = client.get(reverse("web:calendar_feed", args=[key]))
    script = client.get(static("klantvriend/app.js"))

    assert feed.headers["Cache-Control"] == "private, max-age=300"
    assert script.status_code == 200
    assert "no-store" not in script.headers.get("Cache-Control", "")
