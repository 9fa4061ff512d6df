"""Demo history of promises, complaints, follow-ups and gestures for the demo shop, so that its
Today page, reliability figures, complaint clocks and aftercare coverage are alive.

Drawn from its own seeded generator (independent of the shop's, so adding this did not change the
shop's customers and purchases) and written with bulk inserts. The story it tells: staff keep most
promises, deliveries run late more often than counter orders, reliability improved over the last
three months, public complaints are answered fast, most complaints made at the counter are
answered there and then, and most follow-ups happen in time."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.db.models import Count
from django.utils import translation

from klantvriend.aftercare.models import (
    NOTE_LENGTH,
    PROMISE_RULES,
    FollowUp,
    Question,
    Reason,
    asked_fields,
    closing_outcomes,
    complaint_quoted,
    promise_question,
    shortened,
)
from klantvriend.complaints.clocks import complaint_deadlines
from klantvriend.complaints.models import Channel, Complaint, Driver, Severity
from klantvriend.core.care_settings import care_settings
from klantvriend.core.working_hours import WeekHours, next_working_day, next_working_moment
from klantvriend.customers.models import Customer, ImportantDate, Purchase
from klantvriend.gestures.models import Gesture, Occasion
from klantvriend.promises.models import Promise, PromiseKind, due_moment_for_day

BATCH = 5000
HISTORY_DAYS = 270

# kind: (share, descriptions, lead time range in hours, promised for a day rather than a moment)
KINDS = {
    PromiseKind.ORDER_READY: (
        0.42,
        [
            "Rollade klaarzetten",
            "Gehakt vers draaien en klaarleggen",
            "Kerstpakket vlees klaarzetten",
            "Ossenhaas op maat snijden",
            "Bestelling voor het weekend inpakken",
        ],
        (1, 30),
        False,
    ),
    PromiseKind.CALLBACK: (
        0.2,
        [
            "Terugbellen over de levertijd van lamsvlees",
            "Terugbellen over het buffet",
            "Terugbellen over allergenen in de worst",
            "Terugbellen met prijs voor halve varken",
        ],
        (2, 26),
        False,
    ),
    PromiseKind.DELIVERY: (
        0.16,
        [
            "Koud buffet bezorgen",
            "BBQ-pakket bezorgen",
            "Broodjeslunch op kantoor bezorgen",
            "Hapjesschalen bezorgen voor verjaardag",
        ],
        (48, 168),
        True,
    ),
    PromiseKind.QUOTE: (
        0.1,
        [
            "Offerte bruiloftsbuffet sturen",
            "Offerte bedrijfsborrel sturen",
            "Offerte BBQ 40 personen",
        ],
        (48, 120),
        True,
    ),
    PromiseKind.REPAIR: (
        0.04,
        ["Messen slijpen", "Vleesmolen van klant nakijken"],
        (72, 240),
        True,
    ),
    PromiseKind.OTHER: (
        0.08,
        ["Recept voor stoofvlees mailen", "Vragen of de poelier eenden heeft"],
        (24, 96),
        True,
    ),
}
# How often each kind is done late, and how late (median hours): deliveries are the weak spot.
LATE_RISK = {
    PromiseKind.ORDER_READY: (0.12, 0.5),
    PromiseKind.CALLBACK: (0.2, 3.0),
    PromiseKind.DELIVERY: (0.3, 6.0),
    PromiseKind.QUOTE: (0.25, 30.0),
    PromiseKind.REPAIR: (0.3, 40.0),
    PromiseKind.OTHER: (0.2, 20.0),
}
COMPLAINTS = [
    ("Vlees was taai, niet wat we gewend zijn.", Driver.RELIABILITY),
    ("Buffet kwam een uur te laat op het feest.", Driver.RELIABILITY),
    ("Bestelling was niet klaar toen ik kwam.", Driver.CERTAINTY),
    ("Kon de bestelling niet meer wijzigen.", Driver.FLEXIBILITY),
    ("Worst had te veel zout, terwijl ik zoutarm vroeg.", Driver.CUSTOMISATION),
    ("Niet teruggebeld na mijn vraag.", Driver.COMPLAINT_HANDLING),
    ("Te lang moeten wachten aan de toonbank.", Driver.OTHER),
]
# How often a complaint made in person is answered on the spot by whoever hears it
# (complaints.services.complaint_create(answered_on_the_spot=True)): at the counter mostly; on the
# phone less often, where it more often needs looking into and a call back. The others, and
# every complaint by e-mail or in public, wait for a first response.
ANSWERED_ON_THE_SPOT = {Channel.COUNTER: 0.8, Channel.PHONE: 0.4}
PUBLIC_COMPLAINTS = [
    "Review: besteld buffet was incompleet, geen reactie op mijn mail.",
    "Facebook: “nooit meer bij deze slager”, over een te laat bezorgd BBQ-pakket.",
    "Google-review: onvriendelijk geholpen op zaterdag.",
]
RESOLUTIONS = [
    ("Excuses gemaakt en nieuw stuk meegegeven.", "Stuk rollade"),
    ("Geld teruggegeven voor het ontbrekende deel.", "Fles wijn"),
    ("Persoonlijk gebeld en uitgelegd; volgende bestelling gratis bezorgd.", "Gratis bezorging"),
    ("Recept aangepast en voortaan apart gemaakt.", ""),
]
GESTURES = [
    ("Worstje voor de kinderen", 0, Occasion.JUST_BECAUSE),
    ("Bakje huisgemaakte paté", 450, Occasion.JUST_BECAUSE),
    ("Extra portie saté bij het buffet", 900, Occasion.JUST_BECAUSE),
    ("Verjaardagskaart en rookworst", 550, Occasion.BIRTHDAY),
    ("Fles wijn als dank voor de doorverwijzing", 1250, Occasion.REFERRAL_THANKS),
    ("Gratis bezorging", 750, Occasion.OTHER),
]


@dataclass(frozen=True)
class CareDemoSummary:
    promises: int
    complaints: int
    follow_ups: int
    gestures: int


def _pick(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def _shop_moment(rng: np.random.Generator, day: date, tz, week: WeekHours) -> datetime:
    """A moment of `day` from an hour after the shop opens to half an hour before it closes
    (9:00 to 17:30 on a day it is closed: an e-mail read at home). One draw either way, so that
    the demo's other draws stay as they were."""
    minutes = int(rng.integers(9 * 60, 17 * 60 + 30))
    hours = week[day.weekday()]
    if hours is not None:
        opens, closes = (moment.hour * 60 + moment.minute for moment in (hours.opens, hours.closes))
        first, last = min(opens + 60, closes - 30), closes - 30
        minutes = first + (minutes - 9 * 60) * (last - first) // (8 * 60 + 30)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)


def _while_open(moment: datetime, tz, week: WeekHours) -> datetime:
    """When a promise made for `moment` is due: a quarter of an hour while the shop is open (a
    butcher promises "half past three", not 15:37, and no call at 02:38 or on Sunday). A moment
    when the shop is closed moves to its next opening (core.working_hours), its minutes past
    the hour kept apart as quarters after it (8:00 to 9:45). Drawn from nothing, so the demo's
    other draws stay as they were."""
    opening = next_working_moment(moment, tz=tz, week=week).astimezone(tz)
    if opening != moment:
        opening += timedelta(minutes=moment.astimezone(tz).minute % 8 * 15)
    return _quarter_hour(opening)


def _quarter_hour(moment: datetime) -> datetime:
    """`moment` down to its quarter of an hour (time zones differ from UTC by whole quarters)."""
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def care_demo_create(
    *, business, members, seed: int, today: date, now: datetime
) -> CareDemoSummary:
    """`now` is the moment the demo's history ends (demo_create)."""
    # The demo shop is Dutch: texts it writes into the data (follow-up questions) are too.
    with translation.override("nl"):
        return _care_demo_create(
            business=business, members=members, seed=seed, today=today, now=now
        )


def _care_demo_create(
    *, business, members, seed: int, today: date, now: datetime
) -> CareDemoSummary:
    rng = np.random.default_rng([seed, 4])  # its own stream: the shop's draws stay as they were
    tz = business.tzinfo
    week = care_settings(business).opening_hours  # the demo shop's own (shop.DEMO_WEEK)
    customers = list(
        Customer.objects.filter(business=business)
        .order_by("id")
        .values_list("id", "customer_since", "marketing_consent")
    )
    if not customers:
        return CareDemoSummary(0, 0, 0, 0)
    start = today - timedelta(days=HISTORY_DAYS)
    kinds = list(KINDS)
    shares = np.array([KINDS[kind][0] for kind in kinds])
    # Each member has their own reliability; the business got better in the last three months.
    member_skill = {member.pk: skill for member, skill in zip(members, [1.0, 1.4], strict=False)}

    def customer_on(day: date) -> int:
        for _number in range(20):
            customer_id, since, _consent = _pick(rng, customers)
            if since <= day:
                return customer_id
        return customers[0][0]

    promises: list[Promise] = []
    count = max(12, len(customers) * 3 // 5)
    for _number in range(count):
        kind = kinds[int(rng.choice(len(kinds), p=shares / shares.sum()))]
        _share, descriptions, (low, high), all_day = KINDS[kind]
        made_day = start + timedelta(days=int(rng.integers(0, HISTORY_DAYS)))
        made_at = min(_shop_moment(rng, made_day, tz, week), now - timedelta(minutes=5))
        member = _pick(rng, members)
        due_at = _while_open(made_at + timedelta(hours=float(rng.uniform(low, high))), tz, week)
        if all_day:
            due_at = due_moment_for_day(business=business, day=business.local(due_at).date())
        late_chance, late_hours = LATE_RISK[kind]
        if made_at > now - timedelta(days=90):
            late_chance *= 0.6  # the better recent quarter the trend shows
        late_chance *= member_skill.get(member.pk, 1.0)
        draw = rng.random()
        done_at = cancelled_at = None
        if draw < 0.03:
            cancelled_at = made_at + (due_at - made_at) * float(rng.uniform(0.1, 0.9))
        elif draw < 0.05:
            pass  # never done: broken once past the grace
        elif rng.random() < late_chance:
            done_at = due_at + timedelta(hours=float(rng.lognormal(np.log(late_hours), 0.8)))
        else:
            # On time: somewhere between a third of the lead time and the due moment.
            done_at = made_at + (due_at - made_at) * float(rng.uniform(0.35, 1.0))
            if all_day and rng.random() < 0.5:
                done_at = min(done_at, _shop_moment(rng, business.local(due_at).date(), tz, week))
        if done_at is not None:
            # Kept while the shop is open, not at 02:38: at night it waits for the opening,
            # which is no later than the due moment of one kept on time (due while open).
            done_at = next_working_moment(done_at, tz=tz, week=week)
        if done_at is not None and done_at > now:
            done_at = None  # still open: the future has not happened yet
        if cancelled_at is not None and cancelled_at > now:
            cancelled_at = None
        promises.append(
            Promise(
                business=business,
                customer_id=customer_on(made_day),
                description=_pick(rng, descriptions),
                kind=kind,
                made_by=member,
                made_at=made_at,
                due_at=due_at,
                due_all_day=all_day,
                due_on=business.local(due_at).date(),
                done_at=done_at,
                done_on=business.local(done_at).date() if done_at else None,
                cancelled_at=cancelled_at,
                created_at=made_at,
            )
        )
    # A few open promises for Today: overdue from the two days before, one passed two hours ago
    # (this morning's, late, on today's list for most of the day) and due later today, each on
    # a quarter of an hour as the history's are (a demo shown at 19:24 promises 20:15, not
    # 20:09).
    for hours_ago in (50, 26, 2):
        made_at = now - timedelta(days=1, hours=hours_ago)
        due = _quarter_hour(now - timedelta(hours=hours_ago))
        promises.append(_open_promise(rng, business, members, customers, made_at, due))
    # Later today, so no later than the day's last moment: a demo made in the evening has them
    # due at 23:59:59 rather than tomorrow.
    end_of_day = due_moment_for_day(business=business, day=business.local(now).date())
    for minutes in (45, 120, 240):
        due = min(_quarter_hour(now + timedelta(minutes=minutes)), end_of_day)
        promises.append(
            _open_promise(rng, business, members, customers, now - timedelta(hours=3), due)
        )
    promises = Promise.objects.bulk_create(promises, batch_size=BATCH)
    moved = _moved_to_a_new_moment(business, promises, now)
    if moved is not None:
        promises.append(moved)
    # Not among those the follow-ups are drawn for: the rest of the story stays as it was.
    standing = _standing_order(business, members, customers, now)

    # Drawn from a stream of their own, so that the rest of the history stays as it was.
    on_the_spot = np.random.default_rng([seed, 4, 1])
    complaints = _complaints(rng, on_the_spot, business, members, customers, start, now)
    follow_ups = _follow_ups(rng, business, promises, complaints, now)
    gestures = _gestures(rng, business, members, customers, complaints, start, now)
    _birthdays_today(rng, business, customers, today)
    _important_dates(np.random.default_rng([seed, 4, 2]), business, customers, today)
    late = _complaints_about_late_promises(
        np.random.default_rng([seed, 4, 3]), business, members, promises, now
    )
    return CareDemoSummary(
        len(promises) + len(standing), len(complaints) + len(late), len(follow_ups), len(gestures)
    )


# What a customer says when a promise was not kept on time, and how it was made good.
LATE_PROMISE_COMPLAINTS = [
    "Bestelling was niet klaar op het afgesproken uur.",
    "Moest terugkomen: het pakket was er nog niet.",
    "Bezorging kwam veel later dan beloofd.",
]
# About one late promise in this many comes back as a complaint about it.
LATE_PROMISES_PER_COMPLAINT = 12


def _complaints_about_late_promises(
    rng, business, members, promises: list[Promise], now: datetime
) -> list[Complaint]:
    """Complaints about promises kept late (Complaint.promise), received a few hours after the
    promise was kept and resolved the same day: the promises kept page shows what a broken
    promise cost. Drawn from a stream of their own, after the rest of the history."""
    settings = care_settings(business)
    late = [
        promise
        for promise in promises
        if promise.done_at is not None and promise.done_at - promise.due_at > timedelta(hours=1)
    ]
    chosen = rng.choice(len(late), size=len(late) // LATE_PROMISES_PER_COMPLAINT, replace=False)
    rows = []
    for index in sorted(chosen):
        promise = late[int(index)]
        received = promise.done_at + timedelta(hours=float(rng.uniform(0.5, 6)))
        resolved = received + timedelta(hours=float(rng.uniform(1, 20)))
        if resolved > now:
            continue
        rows.append(
            Complaint(
                business=business,
                customer_id=promise.customer_id,
                promise=promise,
                received_at=received,
                received_by=_pick(rng, members),
                channel=Channel.PHONE,  # answered there and then, on the phone
                severity=Severity.MEDIUM,
                description=_pick(rng, LATE_PROMISE_COMPLAINTS),
                driver=Driver.RELIABILITY,
                first_response_at=received,
                resolved_at=resolved,
                resolution="Excuses gemaakt en de volgende bestelling eerder klaargezet.",
                satisfaction_after=int(rng.choice([3, 4, 4, 5])),
                created_at=received,
            )
        )
    for complaint in rows:
        complaint.respond_by, complaint.resolve_by = complaint_deadlines(
            complaint, settings=settings, tz=business.tzinfo
        )
    return Complaint.objects.bulk_create(rows, batch_size=BATCH)


# A regular's order every Saturday at 11:00, kept each week (promises.services.promise_repeat).
STANDING_ORDER = "Vaste zaterdagbestelling: rollade en half pond gehakt"
STANDING_ORDER_WEEKS_KEPT = 5


def _standing_order(business, members, customers, now: datetime) -> list[Promise]:
    """A regular's weekly order, kept on time the last five Saturdays, each
    time made again for the next as keeping it does, and open for the coming one: the demo
    shows a promise that repeats on a profile and, on Saturday, on Today. Drawn from nothing."""
    # A regular still coming (the most purchases in the last three months): the longest-
    # standing customer had often stopped, and their card called a weekly customer leaving.
    recent = (
        Purchase.objects.filter(business=business, at__gte=now - timedelta(days=90))
        .values("customer")
        .annotate(purchases=Count("id"))
        .order_by("-purchases", "customer")
        .values_list("customer", flat=True)
        .first()
    )
    customer_id = recent or min(customers, key=lambda customer: (customer[1], customer[0]))[0]
    today = business.local(now).date()
    due_at = datetime.combine(
        today + timedelta(days=(5 - today.weekday()) % 7), time(11), tzinfo=business.tzinfo
    )
    if due_at <= now:
        due_at += timedelta(weeks=1)
    times = [due_at - timedelta(weeks=weeks) for weeks in range(STANDING_ORDER_WEEKS_KEPT, -1, -1)]
    made_at = times[0] - timedelta(days=3)
    made: list[Promise] = []
    # (Weeks taken from a moment of the shop's zone keep its 11:00 across a change of the clocks.)
    for due in times:
        done_at = due - timedelta(minutes=40) if due < now else None
        promise = Promise.objects.create(
            business=business,
            customer_id=customer_id,
            description=STANDING_ORDER,
            kind=PromiseKind.ORDER_READY,
            made_by=members[0],
            made_at=made_at,
            due_at=due,
            due_on=business.local(due).date(),
            done_at=done_at,
            done_on=business.local(done_at).date() if done_at else None,
            repeat_weeks=1,
            aftercare_after_kept=not made,
            created_at=made_at,
        )
        if made:
            Promise.objects.filter(pk=made[-1].pk).update(repeated_as=promise)
        made.append(promise)
        made_at = done_at
    return made


def _moved_to_a_new_moment(business, promises: list[Promise], now: datetime) -> Promise | None:
    """The most recent promise of the history that passed unkept, moved to a new moment the
    customer agreed to the next day the shop was open (as promises.services.promise_reschedule
    records it: the old one cancelled then, so broken, naming its successor) and kept a day
    early there: the demo shows the two linked on a profile and in the promise list. None when
    the history has no such promise (a very small demo)."""
    passed = [
        promise
        for promise in promises
        if promise.done_at is None
        and promise.cancelled_at is None
        and promise.due_at < now - timedelta(days=10)
    ]
    if not passed:
        return None
    old = max(passed, key=lambda promise: (promise.due_at, promise.pk))
    # The next day the shop is open, new due two days later, kept on the day between: each at
    # a moment the shop is open.
    tz, week = business.tzinfo, care_settings(business).opening_hours
    agreed_at = _while_open(old.due_at + timedelta(days=1), tz, week)
    done_at = _while_open(agreed_at + timedelta(days=1), tz, week)
    due_at = _while_open(done_at + timedelta(days=1), tz, week)
    if old.due_all_day:
        due_at = due_moment_for_day(business=business, day=business.local(due_at).date())
    new = Promise.objects.create(
        business=business,
        customer_id=old.customer_id,
        description=old.description,
        kind=old.kind,
        made_by=old.made_by,
        made_at=agreed_at,
        due_at=due_at,
        due_all_day=old.due_all_day,
        due_on=business.local(due_at).date(),
        done_at=done_at,
        done_on=business.local(done_at).date(),
        created_at=agreed_at,
    )
    Promise.objects.filter(pk=old.pk).update(cancelled_at=agreed_at, rescheduled_to=new)
    old.cancelled_at, old.rescheduled_to = agreed_at, new
    return new


def _open_promise(rng, business, members, customers, made_at, due_at) -> Promise:
    kind = _pick(rng, [PromiseKind.ORDER_READY, PromiseKind.CALLBACK])
    return Promise(
        business=business,
        customer_id=_pick(rng, customers)[0],
        description=_pick(rng, KINDS[kind][1]),
        kind=kind,
        made_by=_pick(rng, members),
        made_at=made_at,
        due_at=due_at,
        due_on=business.local(due_at).date(),
        created_at=made_at,
    )


def _complaints(rng, on_the_spot, business, members, customers, start, now) -> list[Complaint]:
    tz = business.tzinfo
    # Their deadlines as complaints.services stores them, by the business's settings and zone.
    settings = care_settings(business)
    rows: list[Complaint] = []
    for _number in range(max(6, len(customers) // 35)):
        received = _shop_moment(
            rng,
            start + timedelta(days=int(rng.integers(0, HISTORY_DAYS - 5))),
            tz,
            settings.opening_hours,
        )
        public = rng.random() < 0.15
        # Public complaints are answered within the hour nearly always; others within hours.
        response_hours = float(rng.exponential(0.4 if public else 3.0))
        first_response = received + timedelta(hours=response_hours)
        resolved = first_response + timedelta(hours=float(rng.exponential(40.0)))
        # Whatever would lie after "now" has not happened yet.
        first_response = first_response if first_response <= now else None
        resolved = resolved if first_response is not None and resolved <= now else None
        resolution, gesture = _pick(rng, RESOLUTIONS)
        description, driver = (
            (_pick(rng, PUBLIC_COMPLAINTS), Driver.COMPLAINT_HANDLING)
            if public
            else _pick(rng, COMPLAINTS)
        )
        customer_id = _pick(rng, customers)[0]
        received_by = _pick(rng, members)
        channel = (
            _pick(rng, [Channel.SOCIAL_MEDIA, Channel.REVIEW_SITE])
            if public
            else _pick(rng, [Channel.COUNTER, Channel.COUNTER, Channel.PHONE, Channel.EMAIL])
        )
        if on_the_spot.random() < ANSWERED_ON_THE_SPOT.get(channel, 0.0):
            first_response = received  # as complaint_create records it
        rows.append(
            Complaint(
                business=business,
                customer_id=customer_id,
                received_at=received,
                received_by=received_by,
                channel=channel,
                public=public,
                severity=_pick(
                    rng, [Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH]
                ),
                description=description,
                driver=driver,
                first_response_at=first_response,
                resolved_at=resolved,
                resolution=resolution if resolved else "",
                recovery_gesture=gesture if resolved else "",
                satisfaction_after=int(rng.choice([3, 4, 4, 5, 5])) if resolved else None,
                created_at=received,
            )
        )
    # Open ones for Today: a public one waiting too long, one answered on the spot at the counter
    # yesterday and still to be resolved, and a fresh e-mail waiting for its first response.
    for hours_ago, channel in (
        (2.5, Channel.REVIEW_SITE),
        (26, Channel.COUNTER),
        (0.5, Channel.EMAIL),
    ):
        received = now - timedelta(hours=hours_ago)
        public = channel == Channel.REVIEW_SITE
        description, driver = (
            (PUBLIC_COMPLAINTS[0], Driver.COMPLAINT_HANDLING) if public else _pick(rng, COMPLAINTS)
        )
        rows.append(
            Complaint(
                business=business,
                customer_id=_pick(rng, customers)[0],
                received_at=received,
                received_by=_pick(rng, members),
                channel=channel,
                public=public,
                severity=Severity.HIGH if public else Severity.MEDIUM,
                description=description,
                driver=driver,
                first_response_at=received if channel == Channel.COUNTER else None,
                created_at=received,
            )
        )
    for complaint in rows:
        complaint.respond_by, complaint.resolve_by = complaint_deadlines(
            complaint, settings=settings, tz=tz
        )
    return Complaint.objects.bulk_create(rows, batch_size=BATCH)


def _follow_ups(rng, business, promises, complaints, now) -> list[FollowUp]:
    today = business.local(now).date()
    settings = care_settings(business)
    rows: list[FollowUp] = []

    def plan(*, customer_id, reason, asked, due_on, assigned, **source):
        # As aftercare's rules plan them (rule_day): on the shop's next working day.
        due_on = next_working_day(due_on, working_days=settings.working_days)
        if due_on > today + timedelta(days=14):
            return
        done_at = outcome = None
        attempts = 0
        if due_on < today and rng.random() < 0.9:
            late_days = int(rng.choice([0, 0, 0, 0, 0, 1, 1, 2, 4]))
            done_day = min(due_on + timedelta(days=late_days), today - timedelta(days=1))
            done_at = _shop_moment(rng, done_day, business.tzinfo, settings.opening_hours)
            good, *bad = closing_outcomes(reason)
            # Most customers are content after a follow-up; about half take a quote on.
            chance = rng.random()
            outcome = (
                good if not bad or chance < (0.55 if reason == Reason.QUOTE else 0.92) else bad[0]
            )
            attempts = int(rng.random() < 0.15)
        rows.append(
            FollowUp(
                business=business,
                customer_id=customer_id,
                reason=reason,
                **asked,
                due_on=due_on,
                assigned_to_id=assigned,
                attempts=attempts,
                done_at=done_at,
                outcome=outcome or "",
                created_at=now - timedelta(days=max(0, (today - due_on).days) + 3),
                **source,
            )
        )

    for promise in promises:
        rule = PROMISE_RULES.get(promise.kind)
        if promise.done_on is None or rule is None:
            continue
        reason, setting = rule
        plan(
            customer_id=promise.customer_id,
            reason=reason,
            asked=asked_fields(
                *promise_question(kind=promise.kind, description=promise.description)
            ),
            due_on=promise.done_on + timedelta(days=getattr(settings, setting)),
            assigned=promise.made_by_id,
            promise_id=promise.pk,
        )
    for complaint in complaints:
        if complaint.resolved_at is None:
            continue
        plan(
            customer_id=complaint.customer_id,
            reason=Reason.COMPLAINT,
            asked=asked_fields(Question.COMPLAINT, complaint_quoted(complaint.description)),
            due_on=business.local(complaint.resolved_at).date()
            + timedelta(days=settings.aftercare_complaint_days),
            assigned=complaint.received_by_id,
            complaint_id=complaint.pk,
        )
    large = Purchase.objects.filter(
        business=business,
        amount_cents__gte=settings.aftercare_purchase_min_cents,
        at__gte=now - timedelta(days=30),
    ).values_list("id", "customer_id", "at", "description")
    for purchase_id, customer_id, at, description in large:
        plan(
            customer_id=customer_id,
            reason=Reason.PURCHASE,
            asked=asked_fields(Question.PURCHASE, shortened(description, NOTE_LENGTH)),
            due_on=business.local(at).date() + timedelta(days=settings.aftercare_purchase_days),
            assigned=None,
            purchase_id=purchase_id,
        )
    return FollowUp.objects.bulk_create(rows, batch_size=BATCH)


def _gestures(rng, business, members, customers, complaints, start, now) -> list[Gesture]:
    tz, week = business.tzinfo, care_settings(business).opening_hours
    rows = [
        Gesture(
            business=business,
            customer_id=complaint.customer_id,
            what=complaint.recovery_gesture,
            value_cents=int(rng.choice([750, 1250, 1500])),
            occasion=Occasion.COMPLAINT_RECOVERY,
            given_at=complaint.resolved_at,
            given_by_id=complaint.received_by_id,
            complaint_id=complaint.pk,
        )
        for complaint in complaints
        if complaint.resolved_at is not None and complaint.recovery_gesture
    ]
    for _number in range(max(5, len(customers) // 12)):
        what, value, occasion = _pick(rng, GESTURES)
        given_at = _shop_moment(
            rng, start + timedelta(days=int(rng.integers(0, HISTORY_DAYS))), tz, week
        )
        rows.append(
            Gesture(
                business=business,
                customer_id=_pick(rng, customers)[0],
                what=what,
                value_cents=value or None,
                occasion=occasion,
                given_at=min(given_at, now),
                given_by=_pick(rng, members),
            )
        )
    return Gesture.objects.bulk_create(rows, batch_size=BATCH)


def _birthdays_today(rng, business, customers, today: date) -> None:
    """Two consenting customers have their birthday on the demo's last day, so the Today page
    always shows the occasions part at work."""
    consenting = [customer_id for customer_id, _since, consent in customers if consent]
    chosen = [
        consenting[int(index)]
        for index in rng.choice(len(consenting), size=min(2, len(consenting)), replace=False)
    ]
    for position, customer_id in enumerate(chosen):
        Customer.objects.filter(pk=customer_id).update(
            birthday=date((1964, 1980)[position], today.month, today.day)  # leap years: 29 Feb too
        )


# What a butcher writes down of a customer's life, each remembered every year, with the years
# before the demo's last day the first of them lies. A reminder to order is written down for
# this year: its years would count nothing ("5 jaar" beside an order to place).
IMPORTANT_DATES = [
    ("Trouwdag", (3, 40)),
    ("Verjaardag partner", (25, 60)),
    ("Verjaardag dochter", (4, 20)),
    ("Jubileum zaak", (5, 30)),
    ("Kerstpakket personeel bestellen", (0, 0)),
]
# One customer in fifty has an important date; a few of them in Today's coming days.
IMPORTANT_DATE_SHARE = 0.02
IMPORTANT_DATES_COMING = 4


def _important_dates(rng, business, customers, today: date) -> None:
    """Important dates for some customers, a few falling in the coming days (care settings' coming_up_days), so
    that Today's coming up and the profile's dates are seen at work. Drawn from a stream of
    their own, so that the rest of the demo stays as it was."""
    count = min(
        len(customers), max(IMPORTANT_DATES_COMING, round(len(customers) * IMPORTANT_DATE_SHARE))
    )
    chosen = rng.choice(len(customers), size=count, replace=False)
    rows = []
    for position, index in enumerate(chosen):
        label, (fewest, most) = IMPORTANT_DATES[int(rng.integers(len(IMPORTANT_DATES)))]
        if position < IMPORTANT_DATES_COMING:
            day = today + timedelta(
                days=int(rng.integers(care_settings(business).coming_up_days + 1))
            )
        else:
            day = today + timedelta(days=int(rng.integers(365)))
        years = int(rng.integers(fewest, most + 1))
        # 29 February only in a leap year: the 28th otherwise.
        first = (
            day.replace(year=day.year - years, day=28)
            if (day.month, day.day) == (2, 29)
            else day.replace(year=day.year - years)
        )
        rows.append(
            ImportantDate(
                business=business,
                customer_id=customers[int(index)][0],
                label=label,
                date=first,
                yearly=True,
            )
        )
    ImportantDate.objects.bulk_create(rows, batch_size=BATCH)
