from datetime import date, datetime, time
from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command

from klantvriend.core.models import AuditEvent, Business
from klantvriend.customers.models import (
    ConsentKind,
    ConsentRecord,
    ContactMoment,
    Customer,
    LegalBasis,
    Purchase,
)
from klantvriend.customers.selectors import customer_briefing
from klantvriend.demo.shop import DEMO_WEEK, demo_create


def _fingerprint(business: Business) -> list:
    customers = Customer.objects.filter(business=business).order_by("id")
    return [
        (
            c.name,
            c.phone,
            c.customer_since,
            list(c.purchases.order_by("at").values_list("at", "amount_cents")),
        )
        for c in customers
    ]


def test_demo_is_a_realistic_shop_and_the_same_for_the_same_seed(db):
    out = StringIO()
    call_command("demo", "--customers", "120", "--seed", "7", "--today", "2026-06-30", stdout=out)
    first = Business.objects.get()
    call_command(
        "demo",
        "--customers",
        "120",
        "--seed",
        "7",
        "--today",
        "2026-06-30",
        "--business-name",
        "Tweede",
        stdout=StringIO(),
    )
    second = Business.objects.get(name="Tweede")

    assert out.getvalue().splitlines() == [
        "Slagerij & Traiteur Van der Meer (slagerij-traiteur-van-der-meer) aangemaakt: 120 "
        f"klanten, {Purchase.objects.filter(business=first).count()} aankopen, "
        f"{ContactMoment.objects.filter(business=first).count()} contactmomenten.",
        "Log in als demo / demo (eigenaar) of demo-medewerker / demo (medewerker).",
    ]
    assert _fingerprint(first) == [
        (name, phone, since, purchases) for name, phone, since, purchases in _fingerprint(second)
    ]
    customers = Customer.objects.filter(business=first)
    assert customers.count() == 120
    repeaters = sum(1 for c in customers if c.purchases.count() > 1)
    one_off = sum(1 for c in customers if c.purchases.count() == 1)
    assert repeaters > 20
    assert one_off > 20
    assert Purchase.objects.filter(business=first, at__date__gt=date(2026, 6, 30)).count() == 0
    # Bought while the butcher is open: Tuesday to Saturday, until 20:00 on Friday and 16:00
    # on Saturday (shop.DEMO_WEEK, also its settings).
    bought = [
        first.local(at)
        for at in Purchase.objects.filter(business=first).values_list("at", flat=True)
    ]
    closed_then = [
        at
        for at in bought
        if DEMO_WEEK[at.weekday()] is None
        or not DEMO_WEEK[at.weekday()].opens <= at.time() < DEMO_WEEK[at.weekday()].closes
    ]
    assert closed_then == []
    assert max(at.time() for at in bought if at.weekday() == 4) > time(18)
    assert max(at.time() for at in bought if at.weekday() == 5) < time(16)
    # The owner gave those hours when the shop began, two years before: the settings' history.
    (hours_given,) = AuditEvent.objects.filter(business=first, action="settings")
    assert (hours_given.actor.username, first.local(hours_given.at)) == (
        "demo",
        datetime(2024, 6, 30, 8, 30, tzinfo=first.tzinfo),
    )
    assert ContactMoment.objects.filter(business=first).exists()
    assert customers.exclude(preferences="").exists()
    assert not customers.filter(special_category_consent=False).exclude(special_notes="").exists()
    # Each consent given has its row in the consent history, on the day it was given.
    history = {
        (r.customer_id, r.kind): (r.given, r.basis, r.at, r.source)
        for r in ConsentRecord.objects.filter(business=first)
    }
    given = {
        (c.pk, ConsentKind.MARKETING): (True, LegalBasis.CONSENT, c.marketing_consent_at, "web")
        for c in customers.filter(marketing_consent=True)
    } | {
        (c.pk, ConsentKind.SPECIAL_CATEGORY): (
            True,
            LegalBasis.CONSENT,
            c.special_category_consent_at,
            "web",
        )
        for c in customers.filter(special_category_consent=True)
    }
    assert len(given) > 10
    assert history == given
    assert ConsentRecord.objects.filter(business=first).count() == len(given)
    assert authenticate(username="demo", password="demo") is not None
    # An address is written as people write their name in one: without accents, no letter lost.
    assert customers.get(name="Henk Öztürk").email == "henk.ozturk33@example.nl"
    assert customers.get(name="René Schouten").email == "rene.schouten31@example.nl"


def test_demo_if_empty_leaves_an_existing_database_alone(business):
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)

    assert Business.objects.count() == 1
    # `make run` shows the last line as what to log in with: a database that holds only a real
    # business made with createbusiness has no demo login to offer
    assert out.getvalue().splitlines() == [
        "De database bevat al een bedrijf; er zijn geen demogegevens gemaakt.",
        "Log in als de eigenaar die je met `manage.py createbusiness` hebt gemaakt.",
    ]


def test_demo_if_empty_on_the_demo_says_its_login_again(db):
    demo_create(seed=1, customers=5, today=date(2026, 3, 1))
    out = StringIO()

    call_command("demo", "--if-empty", "--language", "en", stdout=out)

    assert Business.objects.count() == 1
    assert out.getvalue().splitlines()[-1] == (
        "Log in as demo / demo (owner) or demo-medewerker / demo (staff)."
    )


def test_demo_for_make_run_says_where_it_runs_and_how_to_log_in_and_stop(db):
    demo_create(seed=1, customers=5, today=date(2026, 3, 1))
    dutch, english = StringIO(), StringIO()

    call_command("demo", "--if-empty", "--served-at", "http://127.0.0.1:8001", stdout=dutch)
    call_command(
        "demo",
        "--if-empty",
        "--served-at",
        "http://127.0.0.1:8001",
        "--language",
        "en",
        stdout=english,
    )

    assert dutch.getvalue().splitlines()[-2:] == [
        "Klantvriend draait op http://127.0.0.1:8001",
        "Log in als demo / demo (eigenaar) of demo-medewerker / demo (medewerker). "
        "Stop met Ctrl+C.",
    ]
    assert english.getvalue().splitlines()[-2:] == [
        "Klantvriend runs at http://127.0.0.1:8001",
        "Log in as demo / demo (owner) or demo-medewerker / demo (staff). Stop with Ctrl+C.",
    ]


def test_the_demo_has_a_few_second_records_of_regulars_to_merge(db):
    from klantvriend.customers.selectors import duplicate_counts, duplicate_groups, duplicate_keys

    business = demo_create(customers=120, seed=7, today=date(2026, 6, 30)).business

    counts = duplicate_counts(business=business)
    groups = {
        kind: [
            [(c.name, c.email, c.phone, c.external_ref) for c in group.customers]
            for group in duplicate_groups(
                business=business,
                kind=kind,
                keys=duplicate_keys(business=business, kind=kind, size=20).keys,
            )
        ]
        for kind in counts
    }
    assert counts == {"email": 2, "phone": 1, "name": 4}
    assert groups["email"] == [
        [
            ("Ahmed Hoekstra", "ahmed.hoekstra35@example.nl", "06-87946868", "K-1001"),
            ("Ahmed Hoekstra", "ahmed.hoekstra35@example.nl", "", "K-2417"),
        ],
        [
            ("Mohammed Maas", "mohammed.maas85@example.nl", "06-22520666", ""),
            ("Mohammed Maas", "Mohammed.maas85@Example.nl", "", ""),
        ],
    ]
    assert groups["phone"] == [
        [
            ("Emma van den Berg", "emma.vandenberg39@example.nl", "06-36022426", ""),
            ("E. van den Berg", "", "+31 6 36022426", ""),
        ]
    ]
    assert groups["name"][1] == [
        ("Esther Hoekstra", "esther.hoekstra13@example.nl", "06-67665371", ""),
        ("ESTHER HOEKSTRA", "", "", ""),
    ]
    assert Customer.objects.filter(business=business).count() == 120


def test_the_demo_names_read_as_dutch_and_flemish_names_do(db):
    business = demo_create(customers=600, seed=1, today=date(2026, 6, 30)).business
    particles: dict[str, set[str]] = {}
    for name in Customer.objects.filter(business=business).values_list("name", flat=True):
        rest = name.partition(" ")[2]
        *particle, surname = rest.rsplit(" ", 1) if rest != "El Amrani" else ["El Amrani"]
        particles.setdefault(surname, set()).add(" ".join(particle))

    # No "Ahmed van der Yılmaz" or "Ingrid van de Dekker": these surnames go without particle
    for surname in ("Yılmaz", "Öztürk", "Janssens", "Dekker", "Kuipers", "Hoekstra", "Jansen"):
        assert particles[surname] == {""}, surname
    # and these never without theirs ("Anna Dam", "Emma den Berg" read as made up)
    assert particles["Vries"] == {"de"}
    assert particles["Linden"] == {"van der"}
    assert particles["Dam"] <= {"van", "van den"}
    assert particles["Berg"] <= {"van den", "van der"}


def test_the_demo_purchases_name_who_served_them_mostly_the_same_one(db):
    business = demo_create(customers=60, seed=5, today=date(2026, 6, 30)).business

    served = Purchase.objects.filter(business=business)
    assert set(served.values_list("member__username", flat=True)) == {"demo", "demo-medewerker"}
    regular = max(Customer.objects.filter(business=business), key=lambda c: c.purchases.count())
    assert customer_briefing(customer=regular).usually_served_by in {"Sanne", "Joris"}


def test_some_demo_regulars_have_the_one_who_usually_serves_them_as_their_regular_member(db):
    business = demo_create(customers=60, seed=5, today=date(2026, 6, 30)).business

    customers = Customer.objects.filter(business=business)
    with_one = [customer for customer in customers if customer.regular_member_id]
    assert 0 < len(with_one) < customers.count()
    for customer in with_one:
        served = list(customer.purchases.values_list("member_id", flat=True))
        assert max(set(served), key=served.count) == customer.regular_member_id, customer.name
