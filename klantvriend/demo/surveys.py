"""Demo history of surveys for the demo shop: a year of invitations and answers, so the NPS, its
trend, the drivers and the ambassadors page are alive.

Drawn from its own seeded generator (the shop's and the care demo's draws stay as they were) and
written with bulk inserts. The story it tells: the NPS climbed over the year, reliability is the
driver that most separates unhappy customers from enthusiasts, customers who bring in others are
more often promoters, and the last days' detractors wait on Today as follow-ups. The referral
network itself is drawn by the shop (demo/shop.py)."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import translation
from django.utils.translation import gettext as _

from klantvriend.aftercare.models import FollowUp, Outcome, Reason
from klantvriend.core.care_settings import care_settings
from klantvriend.core.models import Role
from klantvriend.core.working_hours import next_working_day
from klantvriend.customers.models import Customer
from klantvriend.surveys.models import (
    DETRACTOR_MAX,
    DRIVERS,
    PROMOTER_MIN,
    InvitationChannel,
    InvitationTrigger,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)

BATCH = 2000
HISTORY_DAYS = 365
INVITED_SHARE = 0.45  # of the customers, at least once in the year
ANSWER_RATE = 0.55
INTERVAL_DAYS = 90

COMMENTS = {
    "promoter": [
        "Altijd vriendelijk geholpen en het vlees is top.",
        "Het buffet was precies op tijd en heerlijk.",
        "Jullie denken mee, dat waardeer ik.",
        "Beste rollade van de stad!",
        "Fijn dat ik even kon bellen om de bestelling aan te passen.",
    ],
    "passive": [
        "Goed, maar soms wat lang wachten op zaterdag.",
        "Prima, de prijs mag wat scherper.",
        "Lekker, al was de bezorging later dan gezegd.",
    ],
    "detractor": [
        "De bestelling was niet klaar toen ik kwam.",
        "Twee keer teruggebeld gevraagd, niemand belde.",
        "Bezorging kwam een uur te laat, gasten zaten te wachten.",
        "Het gehakt was niet zoals de vorige keer.",
    ],
}
# How strongly each driver follows the recommendation score: reliability most (the story).
DRIVER_LINK = {
    "certainty": 0.55,
    "flexibility": 0.45,
    "reliability": 0.9,
    "customisation": 0.5,
    "complaint_handling": 0.6,
}


@dataclass(frozen=True)
class SurveyDemoSummary:
    invitations: int
    responses: int
    follow_ups: int


def survey_demo_create(*, business, seed: int, today: date, now: datetime) -> SurveyDemoSummary:
    """`now` is the moment the demo's history ends (demo_create)."""
    # The demo shop is Dutch: the follow-up questions it writes are too.
    with translation.override("nl"):
        return _survey_demo_create(business=business, seed=seed, today=today, now=now)


def _category(score: int) -> str:
    if score >= PROMOTER_MIN:
        return "promoter"
    if score <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


def _survey_demo_create(*, business, seed: int, today: date, now: datetime) -> SurveyDemoSummary:
    rng = np.random.default_rng([seed, 6])
    tz = business.tzinfo
    Survey.objects.get_or_create(business=business)
    rows = list(
        Customer.objects.filter(business=business)
        .order_by("id")
        .values_list("id", "customer_since", "referred_by_id")
    )
    if not rows:
        return SurveyDemoSummary(0, 0, 0)
    referrers = {referrer for _id, _since, referrer in rows if referrer is not None}
    owner_id = (
        business.memberships.filter(role=Role.OWNER)
        .order_by("id")
        .values_list("user_id", flat=True)
    ).first()
    start = today - timedelta(days=HISTORY_DAYS)
    invitations: list[SurveyInvitation] = []
    answers: list[tuple[int, datetime, int]] = []  # (invitation index, answered at, customer)
    for customer_id, since, _referrer in rows:
        if rng.random() >= INVITED_SHARE:
            continue
        day = max(start, since) + timedelta(days=int(rng.integers(0, 60)))
        while day <= today:
            created = datetime.combine(day, time(int(rng.integers(9, 18))), tzinfo=tz)
            if created >= now:
                break
            channel = InvitationChannel.EMAIL if rng.random() < 0.6 else InvitationChannel.COUNTER
            trigger = (
                InvitationTrigger.DELIVERY
                if rng.random() < 0.5
                else (
                    InvitationTrigger.COMPLAINT if rng.random() < 0.15 else InvitationTrigger.MANUAL
                )
            )
            invitation = SurveyInvitation(
                business=business,
                customer_id=customer_id,
                channel=channel,
                trigger=trigger,
                # A hash of no key at all: demo links cannot be opened.
                token_hash=hashlib.sha256(rng.bytes(32) + str(business.pk).encode()).hexdigest(),
                created_at=created,
                expires_at=created + timedelta(days=14),
                sent_at=created if channel == InvitationChannel.EMAIL else None,
            )
            if rng.random() < ANSWER_RATE:
                answered = created + timedelta(hours=float(rng.uniform(0.1, 96)))
                if answered < now:
                    invitation.answered_at = answered
                    answers.append((len(invitations), answered, customer_id))
            invitations.append(invitation)
            day += timedelta(days=INTERVAL_DAYS + int(rng.integers(0, 120)))
    SurveyInvitation.objects.bulk_create(invitations, batch_size=BATCH)

    responses: list[SurveyResponse] = []
    for index, answered, customer_id in answers:
        progress = (answered.date() - start).days / HISTORY_DAYS  # 0 a year ago, 1 today
        # The mean recommendation rose from about 7.3 to 8.4 over the year; ambassadors higher.
        mean = 7.3 + 1.1 * progress + (0.9 if customer_id in referrers else 0.0)
        score = int(np.clip(round(rng.normal(mean, 1.9)), 0, 10))
        values = {}
        for name in DRIVERS:
            if name == "complaint_handling" and rng.random() < 0.7:
                values[name] = None  # most customers never had to complain
                continue
            link = DRIVER_LINK[name]
            centre = 3.6 + link * (score - 7.5) / 2.5
            values[name] = int(np.clip(round(rng.normal(centre, 0.7)), 1, 5))
        category = _category(score)
        comment = ""
        if rng.random() < (0.7 if category == "detractor" else 0.35):
            comment = str(rng.choice(COMMENTS[category]))
        responses.append(
            SurveyResponse(
                business=business,
                invitation=invitations[index],
                customer_id=customer_id,
                answered_at=answered,
                language="nl" if rng.random() < 0.9 else "en",
                nps=score,
                comment=comment,
                **values,
            )
        )
    SurveyResponse.objects.bulk_create(responses, batch_size=BATCH)

    # What the service does at once for a detractor: a follow-up for the owner. The last ten
    # days' ones are still open (on Today); older ones were called back and closed.
    follow_ups: list[FollowUp] = []
    linked: list[SurveyResponse] = []
    working_days = care_settings(business).working_days
    for response in responses:
        if response.nps > DETRACTOR_MAX or response.answered_at < now - timedelta(days=60):
            continue
        answered_day = business.local(response.answered_at).date()
        open_still = response.answered_at > now - timedelta(days=10)
        follow_ups.append(
            FollowUp(
                business=business,
                customer_id=response.customer_id,
                reason=Reason.SURVEY,
                note=(
                    _("Gave %(score)d out of 10 in the survey: %(comment)s")
                    % {"score": response.nps, "comment": response.comment or _("no comment")}
                )[:300],
                # As the survey service plans it (aftercare.services.rule_day).
                due_on=next_working_day(answered_day, working_days=working_days),
                assigned_to_id=owner_id,
                created_at=response.answered_at,
                done_at=None if open_still else response.answered_at + timedelta(days=1),
                outcome="" if open_still else Outcome.CONTENT,
            )
        )
        linked.append(response)
    FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    for response, follow_up in zip(linked, follow_ups, strict=True):
        response.follow_up = follow_up
    SurveyResponse.objects.bulk_update(linked, ["follow_up"], batch_size=BATCH)
    return SurveyDemoSummary(len(invitations), len(responses), len(follow_ups))
