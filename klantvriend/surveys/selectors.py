"""Reads of surveys: invitations, answers, and the results an owner sees.

The Net Promoter Score and its confidence interval
--------------------------------------------------
NPS = 100 * (p_P - p_D), with p_P and p_D the shares of promoters (9-10) and detractors (0-6)
among n answers. Each answer scores +1 (promoter), 0 (passive) or -1 (detractor); NPS/100 is the
mean of that score, whose variance is E[X^2] - E[X]^2 = (p_P + p_D) - (p_P - p_D)^2. The standard
error of the mean is sqrt(that / n), and the 95% interval is NPS +/- 1.96 * 100 * SE (the Wald
interval of the promoter-minus-detractor score; the variance of the three-valued score is derived
in closed form by Engelhardt, "Net Promoter Score confidence intervals 2: maths and stats",
CYBAEA 2016, and the interval studied by Rocks, "Interval estimation for the Net Promoter Score",
The American Statistician, 2016). Half its width, 1.96 * 100 * SE, is the margin of error
the pages write as "± N". The interval is clipped to [-100, 100] and not given below two answers.

Two scores of separate answers (two periods) differ by chance alone within 1.96 times the
standard error of their difference, sqrt(SE_1^2 + SE_2^2) (the variances of independent samples
add; Lewis and Sauro, "How to statistically compare two Net Promoter Scores", MeasuringU):
a change inside that margin is not shown as a rise or a fall (NpsSummary.difference_margin).

Below NPS_MIN_ANSWERS answers a score is not shown as a fact (the trend draws such a month
hollow, the table says "too few answers"): the normal approximation behind the interval is poor
there, and a handful of like answers has a standard error of zero, so that a bound on the margin
alone would pass three detractors' -100 as certain.

Which driver separates detractors from promoters
------------------------------------------------
For each driver, the mean score among promoters minus the mean among detractors (both over the
answers that scored the driver). The driver with the largest gap is where unhappy customers
differ most from enthusiasts: the first place to look. A gap needs at least one promoter and one
detractor who scored it. Without a gap, the driver that scores lowest. Either way a driver scored
by fewer than DRIVER_MIN_ANSWERS answers is not named but said to have too few (driver_advice:
the one rule of the survey results and the scorecard)."""

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db.models import (
    Case,
    Count,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    TextChoices,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.core.models import Business
from klantvriend.core.numbers import number_rounded, signed_shown
from klantvriend.core.rows import IdsFirst
from klantvriend.core.selectors import owned_get
from klantvriend.core.timeline import TimelineEntry, known_none
from klantvriend.customers.models import Customer, LegalBasis

from .models import (
    DETRACTOR_MAX,
    DRIVERS,
    PROMOTER_MIN,
    PROMOTER_WINDOW,
    DriverName,
    InvitationChannel,
    InvitationDay,
    InvitationTrigger,
    SendFailure,
    Survey,
    SurveyDay,
    SurveyInvitation,
    SurveyResponse,
    nps_category,
)

Z_95 = 1.959963984540054
# Fewer answers than this make a score too uncertain to draw or read as a fact (the module's
# docstring says why thirty). At thirty the margin is at most +/- 36 points (all promoters and
# detractors, half each) and some +/- 28 for a usual mix.
NPS_MIN_ANSWERS = 30
# A driver scored by fewer answers is not named as the one to work on, on the survey results
# nor on the scorecard: two answers moved complaint handling, scored by 24, from 3.8 to 3.6 and
# made it the "weakest". The NPS's bound, for the same reason: below it the normal
# approximation behind an average's uncertainty is poor.
DRIVER_MIN_ANSWERS = NPS_MIN_ANSWERS
# Below NPS_MIN_ANSWERS a margin is written only while it is narrower than half the scale.
MARGIN_SHOWN_BELOW = 100


def survey_get(*, business: Business) -> Survey:
    """The business's survey; an unsaved one with the default texts if it was never edited."""
    return Survey.objects.filter(business=business).first() or Survey(business=business)


def survey_next_invitation_at(
    *, business: Business, customer, survey: Survey | None = None, now: datetime | None = None
) -> datetime | None:
    """When `customer` may be invited again under the survey's interval; None: now."""
    survey = survey or survey_get(business=business)
    # A withdrawn invitation (sent after a "Done" that was undone) does not count.
    last = (
        SurveyInvitation.objects.filter(
            business=business, customer=customer, withdrawn_at__isnull=True
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return invitation_interval_ends(survey=survey, last=last, now=now)


# The legal bases on which a customer may be e-mailed an invitation (services' docstring: the
# Telecommunicatiewet treats such an e-mail as direct marketing).
EMAIL_BASES = frozenset(
    {LegalBasis.CONSENT, LegalBasis.SOFT_OPT_IN, LegalBasis.LEGITIMATE_INTEREST}
)
# Who may be e-mailed, as conditions on the customer: consent on record with a basis that allows
# it, and an address; never an anonymised customer. may_email says the same of one customer
# already read; a test holds the two to each other.
EMAIL_CONSENT = Q(marketing_consent=True, marketing_consent_basis__in=EMAIL_BASES)
EMAIL_ADDRESS = ~Q(email="")
NOT_ANONYMISED = Q(erased_at__isnull=True)


def invites_after_complaint(*, business: Business) -> bool:
    """Whether resolving a complaint e-mails the customer an invitation (a customer who may be
    e-mailed, not asked within the interval): as the business's survey says, yes until an
    owner switches it off."""
    return not Survey.objects.filter(business=business, invite_after_complaint=False).exists()


def may_email(customer) -> bool:
    """Whether `customer` may be e-mailed an invitation (EMAIL_CONSENT, EMAIL_ADDRESS,
    NOT_ANONYMISED)."""
    return bool(
        customer.email
        and customer.marketing_consent
        and customer.marketing_consent_basis in EMAIL_BASES
        and customer.erased_at is None
    )


def invitation_interval_ends(
    *, survey: Survey, last: datetime | None, now: datetime | None = None
) -> datetime | None:
    """When a customer last invited at `last` (None: never) may be invited again under the
    survey's interval; None: now."""
    interval = timedelta(days=survey.invitation_interval_days)
    if last is None or not interval or last + interval <= (now or timezone.now()):
        return None
    return last + interval


def survey_invitations_open(*, business: Business, ids, now: datetime | None = None) -> set[int]:
    """Which of these invitations can still be answered (not answered, not expired)."""
    return set(
        SurveyInvitation.objects.filter(
            business=business,
            pk__in=ids,
            answered_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=now or timezone.now(),
            customer__erased_at__isnull=True,
        ).values_list("pk", flat=True)
    )


def survey_invitations_after_delivery(*, promise) -> QuerySet[SurveyInvitation]:
    """The invitations that keeping `promise` (a delivery) sent and that stand, newest first:
    the first is the one an undo of that "Done" concerns."""
    return SurveyInvitation.objects.filter(
        business_id=promise.business_id,
        promise=promise,
        trigger=InvitationTrigger.DELIVERY,
        withdrawn_at__isnull=True,
    ).order_by("-created_at", "-id")


def survey_answer_kept_for_promise(*, promise) -> SurveyInvitation | None:
    """The answered invitation sent after `promise` was kept, which an undo of that "Done"
    leaves as it is (services.survey_invitation_withdraw_for_promise)."""
    invitation = survey_invitations_after_delivery(promise=promise).first()
    return invitation if invitation is not None and invitation.answered_at else None


def survey_invitation_list(
    *, business: Business, customer_id: int | None = None
) -> QuerySet[SurveyInvitation]:
    invitations = SurveyInvitation.objects.filter(business=business).select_related(
        "customer", "response"
    )
    if customer_id is not None:
        invitations = invitations.filter(customer_id=customer_id)
    return invitations.order_by("-created_at", "-id")


def survey_invitation_get(*, business: Business, survey_invitation_id: int) -> SurveyInvitation:
    return owned_get(
        SurveyInvitation.objects.select_related("customer", "response"),
        business=business,
        pk=survey_invitation_id,
    )


class InvitationState(TextChoices):
    """What became of an invitation, as the list of invitations filters it (invitation_state
    in services says the same of one invitation's link). Lazy labels: read in each request's
    language."""

    ANSWERED = "answered", gettext_lazy("answered")
    UNANSWERED = "unanswered", gettext_lazy("not answered: open or expired")
    OPEN = "open", gettext_lazy("open: can still be answered")
    EXPIRED = "expired", gettext_lazy("expired without an answer")
    WITHDRAWN = "withdrawn", gettext_lazy("withdrawn")


# The invitations that stand, which the survey results count: every one but those withdrawn
# (sent after a "Done" that was undone). Their own index (invitation_standing_states) holds
# what the list filters them by, so that a page's ids are read from it alone; they are counted
# from the days kept (_invitation_totals).
STANDING = Q(withdrawn_at__isnull=True)
ANSWERED = STANDING & Q(answered_at__isnull=False)
WITHDRAWN = Q(withdrawn_at__isnull=False)
# What the days kept count of their invitations (InvitationDay, surveys 0009, whose triggers
# spell these conditions in SQL).
INVITATION_TOTALS = {"standing": STANDING, "answered": ANSWERED, "withdrawn": WITHDRAWN}


def _state_conditions(now: datetime) -> dict[str, Q]:
    unanswered = STANDING & Q(answered_at__isnull=True)
    return {
        InvitationState.ANSWERED: ANSWERED,
        InvitationState.UNANSWERED: unanswered,
        InvitationState.OPEN: unanswered & Q(expires_at__gt=now),
        InvitationState.EXPIRED: unanswered & Q(expires_at__lte=now),
        InvitationState.WITHDRAWN: WITHDRAWN,
    }


def invitation_list_state(invitation: SurveyInvitation, *, now: datetime) -> str:
    """An invitation's state as the list filters it (_state_conditions): answered, open,
    expired or withdrawn."""
    if invitation.withdrawn_at is not None:
        return InvitationState.WITHDRAWN
    if invitation.answered_at is not None:
        return InvitationState.ANSWERED
    return InvitationState.EXPIRED if invitation.expires_at <= now else InvitationState.OPEN


def gets_new_code(invitation: SurveyInvitation, *, now: datetime) -> bool:
    """Whether `invitation` may get a new code (services.survey_invitation_replace): still
    open, and shown at the counter or made as a link, not e-mailed (the customer has that)."""
    return (
        invitation.channel != InvitationChannel.EMAIL
        and invitation_list_state(invitation, now=now) == InvitationState.OPEN
    )


@dataclass(frozen=True)
class InvitationTally:
    """How many invitations of a period (and channel) stand and how many of them were
    answered; where asked, how many of the others are still open, and how many were withdrawn
    (None where not asked: the results page leaves them out)."""

    standing: int
    answered: int
    open: int | None = None
    withdrawn: int | None = None

    @property
    def expired(self) -> int | None:
        return None if self.open is None else self.standing - self.answered - self.open

    @property
    def response_rate(self) -> float | None:
        """The share answered of the standing invitations no longer open (answered or expired):
        one still open may yet be answered, and counted as not answered it made the share fall
        with every round of invitations sent (55% to 45% the moment 71 went out). None while
        every invitation is open. Asks for the open ones counted (`states`)."""
        if self.open is None:
            raise ValueError("the tally did not count the open invitations")
        closed = self.standing - self.open
        return self.answered / closed if closed else None

    def count(self, state: str = "") -> int:
        """How many the list holds in `state` (one of InvitationState, or every standing one)."""
        counts = {
            InvitationState.ANSWERED: self.answered,
            InvitationState.UNANSWERED: self.standing - self.answered,
            InvitationState.OPEN: self.open,
            InvitationState.EXPIRED: self.expired,
            InvitationState.WITHDRAWN: self.withdrawn,
        }
        counted = counts[state] if state else self.standing
        if counted is None:
            raise ValueError(f"the tally did not count the invitations {state}")
        return counted


def _invitations_of(
    business: Business, since: datetime | None, until: datetime | None, channel: str
) -> QuerySet[SurveyInvitation]:
    invitations = SurveyInvitation.objects.filter(business=business)
    if since is not None:
        invitations = invitations.filter(created_at__gte=since)
    if until is not None:
        invitations = invitations.filter(created_at__lt=until)
    if channel:
        invitations = invitations.filter(channel=channel)
    return invitations


def _invitation_totals(
    business: Business, since: datetime | None, until: datetime | None, channel: str
) -> dict[str, int]:
    """How many invitations made from `since` until `until` by `channel` stand, were answered
    and were withdrawn. One query: the whole UTC days of the period added up from the kept
    counts (InvitationDay), the invitations of the days that `since` or `until` cuts counted
    themselves (a UNION ALL, as _per_part reads the answers), where counting the invitations
    of a year read 112,000 of them at 100,000 customers (15 to 20 ms of PostgreSQL's time)."""
    cut_days = sorted(
        {
            moment.astimezone(UTC).date()
            for moment in (since, until)
            if moment is not None and moment != _utc_midnight_of(moment)
        }
    )
    days = InvitationDay.objects.filter(business=business).exclude(day__in=cut_days)
    if since is not None:
        days = days.filter(day__gte=since.astimezone(UTC).date())
    if until is not None:
        days = days.filter(day__lt=until.astimezone(UTC).date())
    if channel:
        days = days.filter(channel=channel)
    sources = [
        days.order_by()
        .values("business")
        .annotate(**{total: Sum(total) for total in INVITATION_TOTALS})
    ]
    if cut_days:
        # Each cut day's part of the period, so that the index by moment reads only those.
        pieces = Q()
        for day in cut_days:
            start, end = _utc_midnight(day), _utc_midnight_after(day)
            pieces |= Q(
                created_at__gte=max(start, since) if since is not None else start,
                created_at__lt=min(end, until) if until is not None else end,
            )
        sources.append(
            _invitations_of(business, None, None, channel)
            .filter(pieces)
            .order_by()
            .values("business")
            .annotate(
                **{
                    total: Count("pk", filter=condition)
                    for total, condition in INVITATION_TOTALS.items()
                }
            )
        )
    totals = dict.fromkeys(INVITATION_TOTALS, 0)
    for row in sources[0].union(*sources[1:], all=True).order_by():
        for total in INVITATION_TOTALS:
            totals[total] += row[total] or 0
    return totals


def survey_invitation_tally(
    *,
    business: Business,
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str = "",
    states: bool = False,
    now: datetime | None = None,
) -> InvitationTally:
    """The invitations made from `since` until `until` (either open) by `channel` (or any):
    how many stand and how many of them were answered, what the survey results say of their
    year; with `states`, also how many are open and how many were withdrawn, what the list of
    invitations says of its own. Counted by the conditions the list filters by
    (_state_conditions: an answered invitation is one with its moment of answer): the totals
    from the days kept (_invitation_totals), one query; with the `states`, the open ones
    counted from the end of the unanswered invitations' index (invitation_unanswered_expiry),
    a second. The expired are the rest."""
    totals = _invitation_totals(business, since, until, channel)
    open_count = None
    if states:
        open_condition = _state_conditions(now or timezone.now())[InvitationState.OPEN]
        open_count = _invitations_of(business, since, until, channel).filter(open_condition).count()
    return InvitationTally(
        standing=totals["standing"],
        answered=totals["answered"],
        open=open_count,
        withdrawn=totals["withdrawn"] if states else None,
    )


@dataclass(frozen=True)
class InvitationRegister:
    # Newest first, with the customer, the member and the answer joined; a page's ids read first.
    invitations: IdsFirst
    tally: InvitationTally


def survey_invitation_register(
    *,
    business: Business,
    state: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    channel: str = "",
    now: datetime | None = None,
) -> InvitationRegister:
    """Every invitation of the business made from `since` until `until` (either open), by
    `channel` (a value of InvitationChannel, or any), in `state` (a value of InvitationState,
    or every one that stands, as the survey results count them), the newest first. The tally
    counts the states of the same invitations (survey_invitation_tally), and the pager takes
    its count from it; a page reads its ids in order, then builds its own fifty."""
    now = now or timezone.now()
    tally = survey_invitation_tally(
        business=business, since=since, until=until, channel=channel, states=True, now=now
    )
    invitations = _invitations_of(business, since, until, channel).filter(
        _state_conditions(now)[state] if state else STANDING
    )
    rows = invitations.select_related("customer", "created_by", "response").order_by(
        "-created_at", "-id"
    )
    # A page in the second half is read from the end, stepping over the rows after it; but the
    # open invitations are all among the newest (a link is valid for a year at most), and
    # from the oldest end a page of them stepped over every invitation before them (110,000
    # at 100,000 customers): they are read from the start.
    known = None if state == InvitationState.OPEN else tally.count(state)
    return InvitationRegister(IdsFirst(rows, count=known), tally)


def survey_invitation_latest(
    *, business: Business, customer_ids: Collection[int]
) -> dict[int, datetime]:
    """When each of these customers was last invited, counting only standing invitations (as
    the interval between invitations does, survey_next_invitation_at). One query."""
    rows = (
        SurveyInvitation.objects.filter(STANDING, business=business, customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(latest=Max("created_at"))
        .order_by()
    )
    return {row["customer_id"]: row["latest"] for row in rows}


# How many customers one click of a survey round invites at most: the request, its locks and
# its e-mails stay bounded (some 200 e-mails over one connection take seconds, not minutes).
ROUND_SIZE = 200


class RoundLeftOut(TextChoices):
    """Why a customer is not invited by e-mail in a survey round (survey_round)."""

    NO_CONSENT = "no_consent", gettext_lazy("no consent to email on record")
    NO_EMAIL = "no_email", gettext_lazy("consent, but no email address")
    ADDRESS_REFUSED = "address_refused", gettext_lazy("the mail server refused the address")
    ASKED_RECENTLY = "asked_recently", gettext_lazy("asked recently")


@dataclass(frozen=True)
class SurveyRound:
    """Who a survey round invites by e-mail now and who it leaves out, counted (survey_round).
    `invited_next`: those the next click invites (at most ROUND_SIZE, asked longest ago or
    never first), each with `last_invited`; `waiting`: the first of those asked recently, the
    soonest to be asked again first, each with `again_from`."""

    may_invite: int
    left_out: dict[str, int]
    invited_next: list
    waiting: list
    again_from: datetime | None

    @property
    def remaining_after_next(self) -> int:
        return max(self.may_invite - len(self.invited_next), 0)


def _round_customers(business: Business) -> QuerySet:
    """The business's customers who are not anonymised, each with when they were last invited
    (`last_invited`: a withdrawn invitation does not count, as survey_next_invitation_at) and
    when an e-mail to them was last refused by the mail server (`last_refused`). One pass over
    the invitations, joined and grouped, where a subquery per customer and condition read them
    once for every condition."""
    return Customer.objects.filter(NOT_ANONYMISED, business=business).annotate(
        last_invited=Max(
            "survey_invitations__created_at",
            filter=Q(survey_invitations__withdrawn_at__isnull=True),
        ),
        last_refused=Max(
            "survey_invitations__created_at",
            filter=Q(survey_invitations__send_failure=SendFailure.REFUSED),
        ),
    )


def _round_conditions(survey: Survey, now: datetime) -> dict[str, Q]:
    """Each customer in exactly one of these: invited now, or left out for the first reason
    that holds. Asked recently: within the survey's interval (invitation_interval_ends). An
    address the mail server refused (its invitation withdrawn, which counts for nothing) is
    left out until the customer's details are saved again, presumably mended: a round would
    otherwise try it again at every click, and the count still to go would never reach 0.
    Written without negating a moment that may be NULL (never invited), which SQL's NOT would
    leave unknown, and so out of every count."""
    emailable = EMAIL_CONSENT & EMAIL_ADDRESS
    refused = Q(last_refused__isnull=False, last_refused__gte=F("updated_at"))
    not_refused = Q(last_refused__isnull=True) | Q(last_refused__lt=F("updated_at"))
    cutoff = now - timedelta(days=survey.invitation_interval_days)
    recent = Q(last_invited__isnull=False, last_invited__gt=cutoff)
    not_recent = Q(last_invited__isnull=True) | Q(last_invited__lte=cutoff)
    return {
        RoundLeftOut.NO_CONSENT: ~EMAIL_CONSENT,
        RoundLeftOut.NO_EMAIL: EMAIL_CONSENT & ~EMAIL_ADDRESS,
        RoundLeftOut.ADDRESS_REFUSED: emailable & refused,
        RoundLeftOut.ASKED_RECENTLY: emailable & not_refused & recent,
        "may_invite": emailable & not_refused & not_recent,
    }


def survey_round_candidates(
    *, business: Business, survey: Survey | None = None, now: datetime | None = None
) -> QuerySet:
    """The customers a survey round may invite by e-mail now, asked longest ago (or never)
    first: the rule of survey_invitation_create (may_email, the interval) for every customer at
    once, which the round's service invites from and its page counts."""
    now = now or timezone.now()
    survey = survey or survey_get(business=business)
    return (
        _round_customers(business)
        .filter(_round_conditions(survey, now)["may_invite"])
        .order_by(F("last_invited").asc(nulls_first=True), "pk")
    )


def survey_round(
    *,
    business: Business,
    survey: Survey | None = None,
    now: datetime | None = None,
    size: int = ROUND_SIZE,
) -> SurveyRound:
    """Who a survey round invites now and who it leaves out and why, counted, with the
    customers of the next click and the first of those asked recently. Three queries whatever
    the number of customers: the counts, and the two lists of at most `size`."""
    now = now or timezone.now()
    survey = survey or survey_get(business=business)
    conditions = _round_conditions(survey, now)
    counts = _round_customers(business).aggregate(
        **{str(name): Count("pk", filter=condition) for name, condition in conditions.items()},
        first_waiting=Min("last_invited", filter=conditions[RoundLeftOut.ASKED_RECENTLY]),
    )
    interval = timedelta(days=survey.invitation_interval_days)
    waiting = list(
        _round_customers(business)
        .filter(conditions[RoundLeftOut.ASKED_RECENTLY])
        .order_by("last_invited", "pk")[:size]
    )
    for customer in waiting:
        customer.again_from = customer.last_invited + interval
    first_waiting = counts.pop("first_waiting")
    return SurveyRound(
        may_invite=counts.pop("may_invite"),
        left_out=counts,
        invited_next=list(
            survey_round_candidates(business=business, survey=survey, now=now)[:size]
        ),
        waiting=waiting,
        again_from=first_waiting + interval if first_waiting else None,
    )


def survey_response_list(
    *,
    business: Business,
    customer_id: int | None = None,
    since: datetime | None = None,
    category: str | None = None,
) -> QuerySet[SurveyResponse]:
    responses = SurveyResponse.objects.filter(business=business).select_related("customer")
    if customer_id is not None:
        responses = responses.filter(customer_id=customer_id)
    if since is not None:
        responses = responses.filter(answered_at__gte=since)
    if category == "promoter":
        responses = responses.filter(nps__gte=PROMOTER_MIN)
    elif category == "detractor":
        responses = responses.filter(nps__lte=DETRACTOR_MAX)
    elif category == "passive":
        responses = responses.filter(nps__gt=DETRACTOR_MAX, nps__lt=PROMOTER_MIN)
    return responses.order_by("-answered_at", "-id")


def survey_response_get(*, business: Business, survey_response_id: int) -> SurveyResponse:
    return owned_get(
        SurveyResponse.objects.select_related("customer"), business=business, pk=survey_response_id
    )


def nps_rounded(score: float) -> int:
    """The score as it is reported: a whole number (Reichheld, "The one number you need to grow",
    HBR 2003, reports whole points), halves rounded away from zero, 12.5 to 13 and -12.5 to -13,
    as Django's floatformat and commercial rounding do. Every page rounds through here, so that
    Python's round-half-to-even (12) and a template filter (13) never show one score two ways."""
    return int(math.copysign(math.floor(abs(score) + 0.5), score))


def nps_shown(score: float | None) -> str:
    """The score as every page writes it: whole points with their sign, "+18", "−25", "0" (the
    scale runs from −100 to +100), and "—" without answers."""
    return "—" if score is None else signed_shown(nps_rounded(score))


@dataclass(frozen=True)
class NpsSummary:
    answers: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        if not self.answers:
            return None
        return 100 * (self.promoters - self.detractors) / self.answers

    @property
    def rounded_score(self) -> int | None:
        return None if self.score is None else nps_rounded(self.score)

    @property
    def score_shown(self) -> str:
        return nps_shown(self.score)

    @property
    def standard_error(self) -> float | None:
        if self.answers < 2:
            return None
        p_promoter = self.promoters / self.answers
        p_detractor = self.detractors / self.answers
        variance = p_promoter + p_detractor - (p_promoter - p_detractor) ** 2
        return 100 * math.sqrt(max(variance, 0.0) / self.answers)

    @property
    def margin(self) -> float | None:
        """The 95% margin of error in points, half the interval's width ("± N"); None below
        two answers."""
        return None if self.standard_error is None else Z_95 * self.standard_error

    @property
    def rounded_margin(self) -> int | None:
        """The margin in whole points, as the score is shown (nps_rounded)."""
        return None if self.margin is None else nps_rounded(self.margin)

    @property
    def margin_shown(self) -> int | None:
        """The margin the pages write beside the score, or None where it would mislead: below
        two answers; where too few answers are all alike, whose margin of 0 says nothing of how
        sure their score is; and where too few answers give a margin of 100 points or more (two
        answers, one promoter and one detractor: "0 ± 139"), wider than half the scale, which
        says no more than "too few answers" does and reads as a fault."""
        if self.rounded_margin is None:
            return None
        if self.too_few_answers and not (0 < self.rounded_margin < MARGIN_SHOWN_BELOW):
            return None
        return self.rounded_margin

    @property
    def too_few_answers(self) -> bool:
        """Whether the score rests on fewer than NPS_MIN_ANSWERS answers (and at least one)."""
        return 0 < self.answers < NPS_MIN_ANSWERS

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.score is None or self.margin is None:
            return None
        return (max(-100.0, self.score - self.margin), min(100.0, self.score + self.margin))

    @property
    def interval_shown(self) -> tuple[int, int] | None:
        """The interval the page writes: the score as shown minus and plus the margin as shown,
        within -100 and +100, so that "+13 ± 12" reads "between 1 and 25" and not, from the
        unrounded 12.5 and 12.37, "between 0 and 25"."""
        if self.rounded_score is None or self.rounded_margin is None:
            return None
        return (
            max(-100, self.rounded_score - self.rounded_margin),
            min(100, self.rounded_score + self.rounded_margin),
        )

    @property
    def interval_text(self) -> tuple[str, str] | None:
        """interval_shown's bounds as the pages write a score (nps_shown): "−6" with the
        typeset minus the "+" pairs with, not a hyphen."""
        if self.interval_shown is None:
            return None
        low, high = self.interval_shown
        return nps_shown(low), nps_shown(high)

    def difference_margin(self, other: "NpsSummary") -> float | None:
        """The 95% margin of error of this score minus `other`'s, of separate answers, in
        points: 1.96 * sqrt(SE^2 + SE_other^2); None where either has fewer than two answers.
        A change within it may be chance alone."""
        if self.standard_error is None or other.standard_error is None:
            return None
        return Z_95 * math.hypot(self.standard_error, other.standard_error)


def _per_score() -> dict:
    """What is counted of the answers per NPS score (0 to 10): how many, and per driver the sum
    and the number of its scores. Every figure of the answers (the score, the drivers overall,
    among promoters and among detractors) is added up from these eleven rows in Python: one
    pass with eleven plain aggregates per answer, where filtered averages took thirty."""
    aggregates = {"answers": Count("id")}
    for name in DRIVERS:
        aggregates[f"{name}_sum"] = Sum(name)
        aggregates[f"{name}_n"] = Count(name)
    return aggregates


def _per_score_rows(answers: QuerySet[SurveyResponse], *groups: str) -> QuerySet:
    return answers.order_by().values(*groups, "nps").annotate(**_per_score())


# The answers' categories that the figures are also given among (nps_category), as keys.
_AMONG = {"promoter": "promoters", "detractor": "detractors"}


def _folded(rows: Iterable[dict]) -> dict:
    """The figures of the answers counted per score (_per_score): `answers`, `promoters`,
    `detractors`, and per driver `<name>_sum` and `<name>_n`, overall and among promoters and
    detractors (`<name>_promoters_sum`, ...)."""
    groups = ("", *(f"_{among}" for among in _AMONG.values()))
    figures = dict.fromkeys(
        (
            "answers",
            *_AMONG.values(),
            *(
                f"{name}{group}_{total}"
                for name in DRIVERS
                for group in groups
                for total in ("sum", "n")
            ),
        ),
        0,
    )
    for row in rows:
        among = _AMONG.get(nps_category(row["nps"]))
        figures["answers"] += row["answers"]
        if among:
            figures[among] += row["answers"]
        for name in DRIVERS:
            for group in ("", f"_{among}") if among else ("",):
                figures[f"{name}{group}_sum"] += row[f"{name}_sum"] or 0
                figures[f"{name}{group}_n"] += row[f"{name}_n"]
    return figures


def _summary(figures: dict) -> NpsSummary:
    answers, promoters, detractors = (
        figures["answers"],
        figures["promoters"],
        figures["detractors"],
    )
    return NpsSummary(answers, promoters, answers - promoters - detractors, detractors)


def survey_answers(
    *, business: Business, since: datetime | None = None, until: datetime | None = None
) -> QuerySet[SurveyResponse]:
    """The answers of [since, until): what the score and the drivers of that period average,
    and what the scorecard lists under them."""
    responses = SurveyResponse.objects.filter(business=business)
    if since is not None:
        responses = responses.filter(answered_at__gte=since)
    if until is not None:
        responses = responses.filter(answered_at__lt=until)
    return responses


def nps_summary(
    *, business: Business, since: datetime | None = None, until: datetime | None = None
) -> NpsSummary:
    answers = survey_answers(business=business, since=since, until=until)
    return _summary(_folded(_per_score_rows(answers)))


@dataclass(frozen=True)
class MonthNps:
    month: date
    summary: NpsSummary


def _month_start(day: date, months_back: int) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _month_begins(first: date, months: int, tz: tzinfo) -> list[datetime]:
    """The moments the months from `first` on begin in the business's time zone, and the moment
    the last one ends: midnight on the first. Where a clock jumps forward at midnight that
    midnight does not exist, and the earlier offset (fold=0) gives the moment of the jump: the
    first moment of that day, just as the answer's local date would have it."""
    return [
        datetime(month.year, month.month, 1, tzinfo=tz)
        for month in (_month_start(first, -offset) for offset in range(months + 1))
    ]


def _trend_begins(business: Business, months: int, now: datetime) -> tuple[date, list[datetime]]:
    """The first of the `months` calendar months up to and including `now`'s (in the business's
    time zone), and the moments each begins, with the moment the last one ends."""
    first = _month_start(business.local(now).date(), months - 1)
    return first, _month_begins(first, months, business.tzinfo)


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _utc_midnight_after(day: date) -> datetime:
    return _utc_midnight(day + timedelta(days=1))


def _utc_midnight_of(moment: datetime) -> datetime:
    return _utc_midnight(moment.astimezone(UTC).date())


def _per_part(business: Business, cuts: list[datetime]) -> list[list[dict]]:
    """The answers from cuts[0] on, in parts between consecutive cuts (the last part open-ended),
    each counted per score (_per_score). One query of two parts, a UNION ALL.

    The UTC days that a cut falls inside are read from the answers themselves, each answer
    given its part by comparing its moment with the cuts; every other day lies whole in one
    part and is read from the kept counts (SurveyDay), given its part by comparing the day with
    the days the parts end. A year is then 4,000 kept rows and a few hundred answers where it
    was 61,000 answers at 100,000 customers (33 ms in SQLite). Grouping by the answer's local
    month made SQLite call Python per row to convert its time zone (0.3 s for 60,000 answers);
    a part of the UNION ALL per month and end cost Django 40 queries to compile."""
    cut_days = sorted({cut.astimezone(UTC).date() for cut in cuts if cut != _utc_midnight_of(cut)})
    # The first day of each part from which on its days are whole (`cuts` are in order).
    whole_from = [
        day if _utc_midnight(day) == cut else day + timedelta(days=1)
        for cut, day in ((cut, cut.astimezone(UTC).date()) for cut in cuts)
    ]
    last = len(cuts) - 1

    def part(field: str, ends: list) -> Case:
        return Case(
            *(When(**{f"{field}__lt": end}, then=Value(index)) for index, end in enumerate(ends)),
            default=Value(last),
        )

    days = (
        SurveyDay.objects.filter(business=business, day__gte=whole_from[0])
        .exclude(day__in=cut_days)
        .annotate(part=part("day", whole_from[1:]))
        .order_by()
        .values("part", "nps")
        .annotate(**{name: Sum(name) for name in _per_score()})
    )
    pieces = Q()
    for day in cut_days:
        pieces |= Q(answered_at__gte=_utc_midnight(day), answered_at__lt=_utc_midnight_after(day))
    answers = _per_score_rows(
        survey_answers(business=business, since=cuts[0])
        .filter(pieces)
        .annotate(part=part("answered_at", cuts[1:])),
        "part",
    )
    rows: list[list[dict]] = [[] for _ in cuts]
    sources = [days, answers] if cut_days else [days]
    for row in sources[0].union(*sources[1:], all=True).order_by():
        rows[row["part"]].append(row)
    return rows


def _trend(
    first: date, begins: list[datetime], cuts: list[datetime], parts: list[list[dict]]
) -> list[MonthNps]:
    """Per month, the parts that begin in it added up."""
    return [
        MonthNps(
            _month_start(first, -index),
            _summary(
                _folded(
                    row
                    for cut, rows in zip(cuts, parts, strict=True)
                    if begins[index] <= cut < begins[index + 1]
                    for row in rows
                )
            ),
        )
        for index in range(len(begins) - 1)
    ]


def nps_trend(
    *, business: Business, months: int = 12, now: datetime | None = None
) -> list[MonthNps]:
    """One entry per calendar month (in the business's time zone), oldest first, the current
    month included; a month without answers has an empty summary. One query."""
    first, begins = _trend_begins(business, months, now or timezone.now())
    return _trend(first, begins, begins, _per_part(business, begins))


@dataclass(frozen=True)
class DriverResult:
    name: str
    label: str
    average: float | None
    answers: int
    promoter_average: float | None
    detractor_average: float | None

    @property
    def gap(self) -> float | None:
        if self.promoter_average is None or self.detractor_average is None:
            return None
        return self.promoter_average - self.detractor_average

    @property
    def too_few(self) -> bool:
        """Too few answers to name it as the driver to work on (DRIVER_MIN_ANSWERS)."""
        return self.answers < DRIVER_MIN_ANSWERS


def driver_results(*, business: Business, since: datetime | None = None) -> list[DriverResult]:
    """Average of each driver overall, among promoters and among detractors. One query."""
    return _drivers(_folded(_per_score_rows(survey_answers(business=business, since=since))))


def survey_figures_since(
    *, business: Business, since: datetime
) -> tuple[NpsSummary, list[DriverResult]]:
    """The score and the drivers of every answer since `since`, read as the survey results read
    their year (_per_part: the kept days, and the answers of the day `since` falls in), in one
    query: counted from a year's answers instead, 61,000 at 100,000 customers, the list of them
    took 30 ms more on SQLite."""
    figures = _folded(_per_part(business, [since])[0])
    return _summary(figures), _drivers(figures)


def _drivers(figures: dict) -> list[DriverResult]:
    labels = dict(DriverName.choices)

    def average(among: str) -> float | None:
        count = figures[f"{among}_n"]
        return figures[f"{among}_sum"] / count if count else None

    return [
        DriverResult(
            name=name,
            label=str(labels[name]),
            average=average(name),
            answers=figures[f"{name}_n"],
            promoter_average=average(f"{name}_promoters"),
            detractor_average=average(f"{name}_detractors"),
        )
        for name in DRIVERS
    ]


@dataclass(frozen=True)
class ScorecardAnswers:
    nps: NpsSummary
    nps_before: NpsSummary
    drivers: list[DriverResult]
    # The NPS of the RESULTS_DAYS before `now`: the survey results' score, which the scorecard
    # names beside its own of 90 days.
    nps_year: NpsSummary


def scorecard_answers(
    *, business: Business, now: datetime, start: datetime, previous_start: datetime
) -> ScorecardAnswers:
    """What the scorecard shows of the answers: the NPS of [start, now) and of [previous_start,
    start), and the drivers of the answers since RESULTS_DAYS before `now` (nps_summary and
    driver_results of those periods). One query (_per_part), where the three read the year's
    answers in three: 52 ms on SQLite at 100,000 customers, 26 on PostgreSQL."""
    year = now - timedelta(days=RESULTS_DAYS)
    if not year <= previous_start <= start <= now:
        raise ValueError("the periods of the scorecard's answers must follow each other in a year")
    parts = _per_part(business, [year, previous_start, start, now])
    year_figures = _folded(row for rows in parts for row in rows)
    return ScorecardAnswers(
        nps=_summary(_folded(parts[2])),
        nps_before=_summary(_folded(parts[1])),
        drivers=_drivers(year_figures),
        nps_year=_summary(year_figures),
    )


def most_separating_driver(drivers: list[DriverResult]) -> DriverResult | None:
    """The driver with the largest promoter-minus-detractor gap among those with enough
    answers (DRIVER_MIN_ANSWERS), or None when none has a gap."""
    with_gap = [driver for driver in drivers if driver.gap is not None and not driver.too_few]
    return max(with_gap, key=lambda driver: driver.gap) if with_gap else None  # type: ignore[arg-type,return-value]


def lowest_drivers(drivers: list[DriverResult]) -> list[DriverResult]:
    """The drivers with enough answers whose score reads lowest on the pages, to one decimal,
    the lowest first: certainty's 3.638 and customisation's 3.640 both read 3,6, and naming the
    one a thousandth lower alone looked arbitrary beside the other."""
    shown = {
        driver.name: number_rounded(driver.average, 1)
        for driver in drivers
        if driver.average is not None and not driver.too_few
    }
    ordered = sorted(
        (driver for driver in drivers if driver.name in shown),
        key=lambda driver: driver.average or 0.0,
    )
    if not ordered:
        return []
    return [driver for driver in ordered if shown[driver.name] == shown[ordered[0].name]]


def driver_names(drivers: list[DriverResult]) -> str:
    """ "certainty", "certainty and customisation", "certainty, flexibility and customisation"."""
    labels = [driver.label for driver in drivers]
    if len(labels) <= 1:
        return "".join(labels)
    return _("%(names)s and %(last)s") % {"names": ", ".join(labels[:-1]), "last": labels[-1]}


@dataclass(frozen=True)
class DriverAdvice:
    """Which driver to work on first, the one rule of the survey results and the scorecard:
    the one that separates detractors from promoters most (its gap); without promoters and
    detractors who scored one, the lowest (every driver that reads as low). A driver of fewer
    than DRIVER_MIN_ANSWERS answers is never named: it is listed in `too_few` instead."""

    separating: DriverResult | None
    lowest: list[DriverResult]
    too_few: list[DriverResult]

    @property
    def start_with(self) -> list[DriverResult]:
        return [self.separating] if self.separating is not None else self.lowest

    @property
    def lowest_names(self) -> str:
        return driver_names(self.lowest)


def driver_advice(drivers: list[DriverResult]) -> DriverAdvice:
    return DriverAdvice(
        separating=most_separating_driver(drivers),
        lowest=lowest_drivers(drivers),
        too_few=[driver for driver in drivers if driver.answers and driver.too_few],
    )


@dataclass
class SurveyResults:
    since: datetime
    summary: NpsSummary
    trend: list[MonthNps]
    drivers: list[DriverResult]
    advice: DriverAdvice
    comments: list[SurveyResponse] = field(default_factory=list)
    # The invitations of the period by state: their count and the share answered open the
    # list of invitations, which counts them by the same conditions.
    invitations: InvitationTally = InvitationTally(0, 0)
    # The NPS since `recent_since` (the scorecard's 90 days, when asked for): the scorecard's
    # score, which the page names beside its own of the year; None when not asked for.
    recent: NpsSummary | None = None


# The survey results and the scorecard's drivers look at a year of answers: a few a week make
# too few in 90 days to tell five drivers apart.
RESULTS_DAYS = 365
TREND_MONTHS = 12


def survey_results(
    *,
    business: Business,
    days: int = RESULTS_DAYS,
    now: datetime | None = None,
    comments: int = 20,
    recent_since: datetime | None = None,
) -> SurveyResults:
    """Everything on the results page in a fixed number of queries (four). `recent_since`
    (within the period): also the score of the answers since then."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    if recent_since is not None and not since <= recent_since <= now:
        raise ValueError("the recent score's period must lie within the results' period")
    # The score and the drivers of the period, the recent score and the monthly trend count the
    # same answers, read in one pass: the parts between the months' beginnings and the periods'.
    first, begins = _trend_begins(business, TREND_MONTHS, now)
    cuts = sorted({since, *begins} | ({recent_since} if recent_since is not None else set()))
    parts = _per_part(business, cuts)

    def answers_since(start: datetime) -> dict:
        return _folded(
            row for cut, rows in zip(cuts, parts, strict=True) if cut >= start for row in rows
        )

    period = answers_since(since)
    drivers = _drivers(period)
    return SurveyResults(
        since=since,
        summary=_summary(period),
        recent=None if recent_since is None else _summary(answers_since(recent_since)),
        trend=_trend(first, begins, cuts, parts),
        drivers=drivers,
        advice=driver_advice(drivers),
        comments=list(
            survey_response_list(business=business, since=since).exclude(comment="")[:comments]
        ),
        invitations=survey_invitation_tally(business=business, since=since, states=True, now=now),
    )


def promoter_customer_ids(*, business: Business, among: Collection[int] | None = None) -> set[int]:
    """Customers whose latest answer within PROMOTER_WINDOW is a promoter's (9-10). Counts
    toward the ambassador stage: a promoter who has since become a detractor is no ambassador.
    `among`: only these customers are looked at."""
    since = timezone.now() - PROMOTER_WINDOW
    latest: dict[int, int] = {}
    answers = SurveyResponse.objects.filter(business=business, answered_at__gte=since)
    if among is not None:
        answers = answers.filter(customer_id__in=among)
    rows = answers.order_by("answered_at", "id").values_list("customer_id", "nps")
    for customer_id, score in rows:
        latest[customer_id] = score
    return {customer_id for customer_id, score in latest.items() if score >= PROMOTER_MIN}


def promoter_answer_counts(*, business: Business, customer_ids: list[int]) -> dict[int, int]:
    rows = (
        SurveyResponse.objects.filter(
            business=business, customer_id__in=customer_ids, nps__gte=PROMOTER_MIN
        )
        .values("customer_id")
        .annotate(count=Count("id"))
    )
    return {row["customer_id"]: row["count"] for row in rows}


def survey_response_timeline(*, customer, limit: int) -> list[TimelineEntry]:
    if known_none(customer, "survey_responses"):
        return []
    responses = SurveyResponse.objects.filter(
        business_id=customer.business_id, customer=customer
    ).order_by("-answered_at")[:limit]
    return [
        TimelineEntry(
            at=response.answered_at,
            kind="survey",
            label=_("survey"),
            summary=_("Recommendation %(score)d/10") % {"score": response.nps}
            + (f" — {response.comment[:200]}" if response.comment else ""),
        )
        for response in responses
    ]
