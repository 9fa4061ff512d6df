"""Fixtures shared by the Django apps' tests: two businesses, so that every test can check that
the other one's data stays out of reach."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import timezone, translation

from klantvriend.core.models import Role
from klantvriend.core.services import (
    apitoken_create,
    business_create,
    membership_create,
    user_create,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached figures must not outlive the test (and the rows) they were computed for."""
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (Dutch): a request leaves the language it was
    answered in active in the thread (the API answers in English unless asked otherwise), and
    a later test's messages would otherwise depend on which test ran before it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """Database access for a module-scoped fixture that builds data its tests only read (each
    test runs in a savepoint of its own inside this transaction), rolled back after the module's
    last test: a shop of many rows made once instead of before each of hundreds of tests. Not
    for modules with transactional tests, which would commit inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def owner(db):
    return user_create(username="sanne", password="pw-sanne-123", first_name="Sanne")


@pytest.fixture
def business(owner):
    return business_create(name="Slagerij Test", owner=owner)


@pytest.fixture
def membership(business, owner):
    return business.memberships.get(user=owner)


@pytest.fixture
def staff_user(business):
    user = user_create(username="joris", password="pw-joris-123", first_name="Joris")
    membership_create(business=business, user=user, role=Role.STAFF)
    return user


@pytest.fixture
def other_owner(db):
    return user_create(username="other", password="pw-other-123")


@pytest.fixture
def other_business(other_owner):
    return business_create(name="Garage Elders", owner=other_owner)


@pytest.fixture
def owner_client(owner, business) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def staff_client(staff_user) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def api_key(membership) -> str:
    return apitoken_create(membership=membership, name="tests")[1]


@pytest.fixture
def api(api_key) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_key}", "Accept-Language": "en"})


@pytest.fixture
def other_api(other_business, other_owner) -> Client:
    key = apitoken_create(membership=other_business.memberships.get(user=other_owner))[1]
    return Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": "en"})


# A customer and the promise made to him two hours ago (complaints about a promise).
@pytest.fixture
def mehmet(business):
    from klantvriend.customers.tests.factories import CustomerFactory

    return CustomerFactory(business=business, name="Mehmet Yilmaz")


@pytest.fixture
def car_ready(mehmet, owner):
    from klantvriend.promises.tests.factories import PromiseFactory

    return PromiseFactory(
        customer=mehmet,
        made_by=owner,
        description="Auto klaar",
        due_at=timezone.now() - timedelta(hours=2),
    )
