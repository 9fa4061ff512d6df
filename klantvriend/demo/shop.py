"""A realistic demo business: a butcher and caterer with regulars, occasional buyers and
one-off passers-by, two years of purchases, contact moments, notes and preferences.

Purchases follow a repeat-buying process of the kind the CLV models assume (Fader, Hardie & Lee
2005): each customer buys at their own Poisson rate while "alive" and may drop out after any
purchase, so that the figures of the insights pages have a real structure to find. Everything is
drawn from one seeded generator and written with bulk inserts, so that a given seed always gives
the same shop and 100,000 customers take minutes, not hours."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from klantvriend.core.audit import AuditAction
from klantvriend.core.bulk import insert_rows
from klantvriend.core.care_settings import care_settings_update
from klantvriend.core.holidays import dutch_public_holidays
from klantvriend.core.language import shop_language
from klantvriend.core.models import AuditEvent, Business, Membership, Role
from klantvriend.core.services import business_create, business_getting_started_close
from klantvriend.core.working_hours import DayHours, next_working_day, open_days
from klantvriend.customers.models import (
    PURCHASE_ROW_FIELDS,
    AcquisitionChannel,
    ConsentKind,
    ConsentSource,
    ContactKind,
    ContactMoment,
    Customer,
    LegalBasis,
    Purchase,
    Tag,
)
from klantvriend.customers.services import consent_changes, consent_records_save
from klantvriend.customers.text import fold
from klantvriend.insights.services import insights_refresh

from . import names
from .promises import care_demo_create
from .surveys import survey_demo_create

BATCH = 5000
CONTACT_FIELDS = ("business", "customer", "kind", "at", "member", "summary", "created_at")
# Share of customers, weekly purchase rate and chance of dropping out after a purchase, per kind.
SEGMENTS = {
    "regular": (0.25, 2.1, 0.01),
    "occasional": (0.45, 0.2, 0.04),
    "passer_by": (0.30, 0.0, 1.0),
}


@dataclass(frozen=True)
class DemoSummary:
    business: Business
    username: str
    password: str
    customers: int
    purchases: int
    contact_moments: int


def _joined(drawn: np.ndarray) -> np.ndarray:
    """When each customer joined, as a share of the demo's span, from draws of Beta(1, 1.6):
    more in the first months (the shop's regulars) than later, and still some in the last, at
    a density falling from 1.4 to 0.6 (inverse of G(x) = 1.4x - 0.4x²). Beta(1, 1.6) itself,
    whose density falls to nothing at the end, let the demo's revenue fall by a third from
    June to November: a shop in decline, not the steady shop the advice is shown on. The same
    draws, so every other draw of a seed stays as it was."""
    uniform = 1.0 - (1.0 - drawn) ** 1.6  # Beta(1, 1.6)'s distribution function
    return (1.4 - np.sqrt(1.96 - 1.6 * uniform)) / 0.8


def _pick(rng: np.random.Generator, items: list):
    return items[int(rng.integers(len(items)))]


def _consent_history_create(customers: list[Customer]) -> None:
    """The consent each customer gave, in their consent history as the customer form records
    it, on the day they gave it: the access page and the privacy export show where it came from."""
    records = []
    for customer in customers:
        for record in consent_changes(customer, None):
            record.at = (
                customer.marketing_consent_at
                if record.kind == ConsentKind.MARKETING
                else customer.special_category_consent_at
            )
            records.append(record)
    consent_records_save(records, ConsentSource.WEB)


def _person(rng: np.random.Generator) -> tuple[str, str, str]:
    first = _pick(rng, names.FIRST_NAMES)
    drawn = _pick(rng, names.SURNAME_PREFIXES)
    surname = _pick(rng, names.SURNAMES)
    # The draws stay as they were (every later draw of the demo follows from them); only a
    # particle the surname is never written with is replaced by one it is.
    particles = names.SURNAME_PARTICLES.get(surname, ("",))
    prefix = drawn if drawn in particles else particles[0]
    name = f"{first} {prefix}{surname}"
    # As people write their name in an e-mail address: José Müller as jose.muller, not jos.mller.
    mailbox = fold(f"{first}.{prefix}{surname}").replace(" ", "")
    ascii_mailbox = mailbox.encode("ascii", "ignore").decode() or "klant"
    return name, ascii_mailbox, surname


def _ensure_user(username: str, password: str, first_name: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


# The butcher's week, as its owner set it under Settings: closed on Sunday and Monday (Monday
# is for the slaughterhouse and the sausages), 8 to 6, late on Friday for the weekend's
# orders and short on Saturday. The complaint clock, the promises' due moments and the
# follow-ups' days all count in it, as they would for a real shop.
DEMO_WEEK = (
    None,
    DayHours(time(8), time(18)),
    DayHours(time(8), time(18)),
    DayHours(time(8), time(18)),
    DayHours(time(8), time(20)),
    DayHours(time(8), time(16)),
    None,
)


def _moment(rng: np.random.Generator, day: date, tz) -> datetime:
    """A moment of `day` between 8:00 and 18:00; on a day the shop is open, drawn within its
    hours (one draw either way, so that the rest of the shop stays as it was)."""
    minutes = int(rng.integers(8 * 60, 18 * 60))
    hours = DEMO_WEEK[day.weekday()]
    if hours is not None:
        opens, closes = (moment.hour * 60 + moment.minute for moment in (hours.opens, hours.closes))
        minutes = opens + (minutes - 8 * 60) * (closes - opens) // (10 * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)


def _shop_day(day: date) -> date:
    # The shop is closed on Sunday and Monday: such a day moves to the Tuesday after.
    return next_working_day(day, working_days=open_days(DEMO_WEEK))


def _doubles_made(rows: list[Customer], kinds) -> None:
    """Makes a few of the newest passers-by second records of regulars, as a shop gets them: a
    regular added again at the counter ("J. de Vries", the phone number written another way),
    an e-mail address typed with capitals, a name without its accent, and a regular whom the
    till knows under two customer numbers (which cannot be merged). The list of possible
    duplicates then has something to show. Nothing random is drawn: the rest of the shop stays
    as the seed makes it."""
    regulars = [
        row
        for row, kind in zip(rows, kinds, strict=True)
        if kind == "regular" and row.phone and row.email
    ]
    passers_by = [row for row, kind in zip(rows, kinds, strict=True) if kind == "passer_by"]
    if len(regulars) < 4 or len(passers_by) < 8:
        return
    pairs = list(zip(regulars[:4], passers_by[-4:], strict=True))
    for _original, double in pairs:
        double.company = double.street = double.postal_code = double.city = ""
        double.email = double.phone = ""
        double.marketing_consent = False
        double.marketing_consent_basis = LegalBasis.NONE
        double.marketing_consent_at = None
    (walk_in, walk_in_again), (mailed, mailed_again), (plain, plain_again), (till, till_again) = (
        pairs
    )
    first, _, surname = walk_in.name.partition(" ")
    walk_in_again.name = f"{first[0]}. {surname}"
    walk_in_again.phone = "+31 6 " + walk_in.phone.removeprefix("06-")
    mailed_again.name = mailed.name
    mailed_again.email = mailed.email[0].upper() + mailed.email[1:].replace("@e", "@E")
    plain_again.name = plain.name.upper() if plain.name.isascii() else plain.name.lower()
    till.external_ref, till_again.external_ref = "K-1001", "K-2417"
    till_again.name = till.name
    till_again.email = till.email
    for double in (walk_in_again, mailed_again, plain_again, till_again):
        double.refresh_derived_fields()


def demo_create(
    *,
    seed: int = 1,
    customers: int = 2000,
    business_name: str = "Slagerij & Traiteur Van der Meer",
    username: str = "demo",
    password: str = "demo",
    today: date | None = None,
    years: float = 2.0,
    now: datetime | None = None,
) -> DemoSummary:
    """A demo shop whose history ends `today` (by default the day it is now where the shop is).
    `now` is the moment it is made, the real clock unless a test fixes it."""
    rng = np.random.default_rng(seed)
    owner = _ensure_user(username, password, "Sanne")
    staff = _ensure_user(f"{username}-medewerker", password, "Joris")
    with transaction.atomic():
        business = business_create(name=business_name, owner=owner, time_zone="Europe/Amsterdam")
        Membership.objects.create(user=staff, business=business, role=Role.STAFF)
        # Two years at work: Today shows what needs doing, not how to begin.
        business_getting_started_close(business=business)
        tz = business.tzinfo
        now = now or timezone.now()
        today = today or business.local(now).date()
        # Nothing in the future: a demo made in the morning has no purchases this afternoon.
        cutoff = min(datetime.combine(today, time(23, 59), tzinfo=tz), now)
        # Promises, complaints and surveys end now when the demo ends today, else at the end of
        # its last day: decided once, here, not again after minutes of writing purchases.
        if today != business.local(now).date():
            now = datetime.combine(today, time(17), tzinfo=tz)
        start = today - timedelta(days=int(365 * years))
        span_days = (today - start).days
        # The owner gave the shop's hours when it began with Klantvriend, as the settings'
        # history says, not on the day the demo is made; and this year's and next year's
        # public holidays as its closed days, as a butcher closes on them.
        with shop_language(business):
            holidays = [
                {"first": first, "last": last, "reason": str(name)}
                for year in (today.year, today.year + 1)
                for first, last, name in dutch_public_holidays(year)
            ]
        care_settings_update(
            business=business, actor=owner, opening_hours=DEMO_WEEK, closed_periods=holidays
        )
        AuditEvent.objects.filter(business=business, action=AuditAction.SETTINGS).update(
            at=datetime.combine(start, time(8, 30), tzinfo=tz)
        )
        tags = Tag.objects.bulk_create([Tag(business=business, name=name) for name in names.TAGS])

        kinds = rng.choice(
            list(SEGMENTS), size=customers, p=[share for share, _, _ in SEGMENTS.values()]
        )
        joined_offsets = np.sort(
            (_joined(rng.beta(1.0, 1.6, size=customers)) * (span_days - 1)).astype(int)
        )
        members = [owner, staff]
        rows: list[Customer] = []
        for index in range(customers):
            name, mailbox, _ = _person(rng)
            kind = kinds[index]
            phone = f"06-{int(rng.integers(10_000_000, 99_999_999))}" if rng.random() < 0.7 else ""
            email = f"{mailbox}{int(rng.integers(1, 99))}@example.nl" if rng.random() < 0.55 else ""
            consent = bool(email) and rng.random() < 0.6
            special = kind == "regular" and rng.random() < 0.12
            channel = _pick(
                rng,
                [AcquisitionChannel.WALK_IN] * 5
                + [AcquisitionChannel.REFERRAL] * 2
                + [AcquisitionChannel.ONLINE, AcquisitionChannel.ADVERTISEMENT],
            )
            since = start + timedelta(days=int(joined_offsets[index]))
            customer = Customer(
                business=business,
                name=name,
                phone=phone,
                email=email,
                street=f"{_pick(rng, names.STREETS)} {int(rng.integers(1, 120))}"
                if rng.random() < 0.4
                else "",
                postal_code=f"{names.CITY[1]} {chr(65 + int(rng.integers(26)))}{chr(65 + int(rng.integers(26)))}"
                if rng.random() < 0.4
                else "",
                city=names.CITY[0] if rng.random() < 0.45 else "",
                preferences=_pick(rng, names.PREFERENCES)
                if kind != "passer_by" and rng.random() < 0.7
                else "",
                notes=_pick(rng, names.NOTES) if kind == "regular" and rng.random() < 0.6 else "",
                birthday=date(
                    int(rng.integers(1945, 2005)),
                    int(rng.integers(1, 13)),
                    int(rng.integers(1, 29)),
                )
                if rng.random() < 0.3
                else None,
                customer_since=since,
                # A third of the regulars ask for the one who usually serves them (history()).
                regular_member=members[index % 2] if kind == "regular" and index % 3 == 0 else None,
                acquisition_channel=channel,
                marketing_consent=consent,
                marketing_consent_basis=LegalBasis.CONSENT if consent else LegalBasis.NONE,
                marketing_consent_at=_moment(rng, since, tz) if consent else None,
                special_category_consent=special,
                special_category_consent_at=_moment(rng, since, tz) if special else None,
                special_notes=_pick(rng, names.SPECIAL_NOTES) if special else "",
                created_at=_moment(rng, since, tz),
            )
            customer.refresh_derived_fields()
            rows.append(customer)
        _doubles_made(rows, kinds)
        created = Customer.objects.bulk_create(rows, batch_size=BATCH)
        _consent_history_create(created)

        referred = [c for c in created if c.acquisition_channel == AcquisitionChannel.REFERRAL]
        for position, customer in enumerate(created):
            if customer.acquisition_channel == AcquisitionChannel.REFERRAL and position > 10:
                customer.referred_by = created[int(rng.integers(0, position))]
        Customer.objects.bulk_update(referred, ["referred_by"], batch_size=BATCH)

        TagLink = Customer.tags.through
        links = []
        for customer, kind in zip(created, kinds, strict=True):
            if kind == "regular":
                links.append(TagLink(customer_id=customer.pk, tag_id=tags[0].pk))
            if rng.random() < 0.15:
                extra = tags[int(rng.integers(1, len(tags)))]
                links.append(TagLink(customer_id=customer.pk, tag_id=extra.pk))
        TagLink.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)

        def history():
            """(purchase, contact moment or None) rows, customer after customer."""
            for position, (customer, kind) in enumerate(zip(created, kinds, strict=True)):
                # Who serves them: mostly the same one of the two, the other about one time in
                # four, so that the card has someone "mostly served by". Drawn from the customer's
                # place and the minute, not from `rng`: the rest of the shop stays as it was.
                usual, other = members[position % 2], members[(position + 1) % 2]
                _, weekly_rate, dropout = SEGMENTS[kind]
                rate = rng.gamma(2.0, weekly_rate / 2.0) / 7.0 if weekly_rate else 0.0
                day = customer.customer_since
                spend_level = rng.lognormal(np.log(2200 if kind == "regular" else 1800), 0.35)
                while day <= today:
                    shop_day = _shop_day(day)
                    at = _moment(rng, shop_day, tz)
                    if at > cutoff:
                        break
                    if rng.random() < 0.04:
                        description, cents = _pick(rng, names.CATERING)
                    else:
                        description, base = _pick(rng, names.PRODUCTS)
                        cents = round(spend_level * base / 1100 / 5) * 5
                    purchase = (
                        business.pk,
                        customer.pk,
                        at,
                        max(cents, 150),
                        business.currency,
                        description,
                        "",
                        at,  # recorded at the sale
                        at,  # and not changed since
                        (other if at.minute % 4 == 0 else usual).pk,
                    )
                    moment = None
                    if rng.random() < 0.12:
                        contact_kind = _pick(rng, list(ContactKind.values))
                        moment = (
                            business.pk,
                            customer.pk,
                            contact_kind,
                            at,
                            _pick(rng, members).pk,
                            _pick(rng, names.CONTACT_SUMMARIES[contact_kind]),
                            at,
                        )
                    yield purchase, moment
                    if rng.random() < dropout or rate == 0.0:
                        break
                    day = shop_day + timedelta(days=max(1, int(rng.exponential(1.0 / rate))))

        moments: list[tuple] = []

        def purchases_collecting_moments():
            for purchase, moment in history():
                if moment is not None:
                    moments.append(moment)
                yield purchase

        # Plain INSERTs (core.bulk): two million purchases in minutes rather than in an hour.
        purchase_count = insert_rows(
            Purchase, (*PURCHASE_ROW_FIELDS, "member"), purchases_collecting_moments()
        )
        contact_count = insert_rows(ContactMoment, CONTACT_FIELDS, moments)
        # Their follow-up questions and notes are stored for the shop: in its language, not in
        # the one the command speaks (`manage.py demo --language en`).
        with shop_language(business):
            # Promises, complaints, follow-ups and gestures on top (demo/promises.py).
            care_demo_create(business=business, members=members, seed=seed, today=today, now=now)
            # A year of survey answers (demo/surveys.py); the referral network is drawn above.
            survey_demo_create(business=business, seed=seed, today=today, now=now)
    # Value, segments, advice and charts from the start, so the demo's insight pages are alive.
    insights_refresh(business=business)
    return DemoSummary(
        business=business,
        username=username,
        password=password,
        customers=len(created),
        purchases=purchase_count,
        contact_moments=contact_count,
    )


def demo_needed() -> bool:
    return not Business.objects.exists()
