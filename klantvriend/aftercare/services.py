"""Writes of follow-ups: planned by hand or by the owner's rules, done with an outcome."""

import contextlib
import copy
import re
from collections.abc import Collection
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from klantvriend.complaints.models import Channel, Complaint
from klantvriend.complaints.services import complaint_create, complaint_withdraw
from klantvriend.core.audit import (
    AuditAction,
    audit_customer_row,
    audit_diff,
    audit_for_object,
    delete_customer_row,
    save_changed_customer_row,
    save_new_customer_row,
)
from klantvriend.core.care_settings import PurchaseRule, care_settings
from klantvriend.core.errors import Conflict, ValidationError, refusals_gathered, refusals_of
from klantvriend.core.language import shop_language
from klantvriend.core.members import member_of_business
from klantvriend.core.models import Membership
from klantvriend.core.moments import refuse_unlikely_moment
from klantvriend.core.undo import step_to_undo, values_before
from klantvriend.core.versions import record_changing
from klantvriend.core.working_hours import next_working_day
from klantvriend.customers.models import Customer, Purchase
from klantvriend.customers.services import customer_refuse_if_anonymised_now
from klantvriend.customers.text import fold
from klantvriend.gestures.models import Occasion
from klantvriend.promises.models import Promise

from .models import (
    BY_HAND,
    JUDGED_REASONS,
    NOTE_LENGTH,
    PROMISE_RULES,
    FollowUp,
    Outcome,
    Question,
    Reason,
    asked_fields,
    complaint_quoted,
    promise_question,
    shortened,
)
from .selectors import JOB_REASONS, SAME_JOB, job_calls

# How far ahead a follow-up may be planned: further is a mistyped year.
FURTHEST_PLANNED = timedelta(days=36525)

NOT_REACHED = "not_reached"
# A quote's customer reached but not decided yet: asked again a few days later, as one not
# reached, without counting a try.
STILL_DECIDING = "still_deciding"
NOT_NEEDED = Outcome.NOT_NEEDED
# Every step follow_up_complete takes (which of them a follow-up allows: _refuse_unfit_step).
OUTCOMES = (*Outcome.values, NOT_REACHED, STILL_DECIDING)


def _refuse_unfit_step(follow_up: FollowUp, outcome: str) -> None:
    """A quote's follow-up is accepted, declined, still deciding or not reached; a referrer's
    thanks thanked or not reached; any other content, not content or not reached. Any of them
    may be closed as not needed."""
    if follow_up.asks_for_a_decision:
        if outcome not in (*follow_up.closing_outcomes, STILL_DECIDING, NOT_REACHED, NOT_NEEDED):
            raise _error(
                "outcome",
                _("Choose accepted, declined, still deciding, not reached or not needed."),
                "invalid_choice",
            )
    elif outcome not in (*follow_up.closing_outcomes, NOT_REACHED, NOT_NEEDED):
        raise _error(
            "outcome",
            _("Choose thanked, not reached or not needed.")
            if follow_up.reason == Reason.REFERRAL
            else _("Choose content, not content, not reached or not needed."),
            "invalid_choice",
        )


def _conflict(field: str, message: str, code: str) -> Conflict:
    return Conflict({field: ValidationError(message, code=code)})


def _already_done() -> Conflict:
    return _conflict("outcome", _("This follow-up is already done."), "finished")


def _error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _snapshot(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "reason": follow_up.reason,
        "note": follow_up.note,
        "due_on": follow_up.due_on,
        "assigned_to": follow_up.assigned_to_id,
        "attempts": follow_up.attempts,
        "done_at": follow_up.done_at,
        "outcome": follow_up.outcome,
        "outcome_note": follow_up.outcome_note,
    }


def _member_or_none(business, user):
    """A follow-up is only assigned to someone who works in this business."""
    return member_of_business(business=business, user=user, field="assigned_to")


def follow_up_create(
    *,
    business,
    customer,
    note: str,
    due_on: date,
    reason: str = Reason.MANUAL,
    assigned_to=None,
    created_by=None,
    promise: Promise | None = None,
    complaint: Complaint | None = None,
    purchase=None,
    referred_customer=None,
    question: str = "",
    question_about: str = "",
) -> FollowUp:
    """`assigned_to`: a member, or a member's user id. `question` and `question_about`: which
    of Klantvriend's questions `note` is, written in the shop's language, and about what
    (`asked_fields`); none for a person's own words."""
    follow_up = _new_follow_up(
        business=business,
        customer=customer,
        note=note,
        due_on=due_on,
        reason=reason,
        assigned_to=assigned_to,
        created_by=created_by,
        promise=promise,
        complaint=complaint,
        purchase=purchase,
        referred_customer=referred_customer,
        question=question,
        question_about=question_about,
    )
    with transaction.atomic():
        customer_refuse_if_anonymised_now(customer)
        save_new_customer_row(
            follow_up,
            actor=created_by,
            snapshot=_snapshot,
            action=AuditAction.CREATED if reason in BY_HAND else AuditAction.PLANNED,
        )
    return follow_up


def follow_up_create_refusals(
    *, business, customer, **fields: Any
) -> dict[str, list[ValidationError]]:
    """What follow_up_create would refuse of these fields, per field, writing nothing."""
    return refusals_of(lambda: _new_follow_up(business=business, customer=customer, **fields))


def _new_follow_up(
    *,
    business,
    customer,
    note: str,
    due_on: date,
    reason: str = Reason.MANUAL,
    assigned_to=None,
    created_by=None,
    promise: Promise | None = None,
    complaint: Complaint | None = None,
    purchase=None,
    referred_customer=None,
    question: str = "",
    question_about: str = "",
) -> FollowUp:
    """The follow-up follow_up_create stores, checked: every refusal of a value at once."""
    if customer.business_id != business.pk:
        # The same answer as for a customer that does not exist: nothing about another business
        # may be confirmed.
        raise _error("customer", _("This customer does not exist."), "not_found")
    customer.refuse_if_anonymised()
    for name, source in (("promise", promise), ("complaint", complaint), ("purchase", purchase)):
        if source is not None and source.customer_id != customer.pk:
            raise _error(name, _("This belongs to another customer."), "other_customer")
    follow_up = FollowUp(
        business=business,
        customer=customer,
        note=note.strip(),
        due_on=due_on,
        reason=reason,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
        promise=promise,
        complaint=complaint,
        purchase=purchase,
        referred_customer=referred_customer,
        question=question,
        question_about=question_about,
    )

    def assign() -> None:
        follow_up.assigned_to = _member_or_none(business, assigned_to)

    refusals_gathered(
        lambda: reason in BY_HAND and _refuse_past(due_on, business),
        lambda: _refuse_too_far(due_on, business),
        assign,
        lambda: follow_up.full_clean(validate_unique=False, validate_constraints=True),
    )
    return follow_up


def _refuse_past(due_on: date, business) -> None:
    if due_on < business.today():
        raise _error("due_on", _("A follow-up cannot be planned in the past."), "past")


def _refuse_too_far(due_on: date, business) -> None:
    # A day a century ahead is a mistyped year (as a promise's, promises.services.FURTHEST_DUE);
    # one at the end of the calendar broke the calendar feed, whose all-day event ends the day
    # after it.
    if due_on - business.today() > FURTHEST_PLANNED:
        raise _error(
            "due_on",
            _("The day lies more than a hundred years ahead; check the year."),
            "too_far",
        )


def rule_day(*, business, day: date) -> date:
    """The day a follow-up that a rule plans for `day` is due: that day, or the shop's next
    working day when it is closed then (a call planned for a Sunday is made on Monday, one for
    Christmas Day after the holidays)."""
    rules = care_settings(business)
    return next_working_day(day, working_days=rules.working_days, closed=rules.closed_dates)


# A call whose day went by at most this long ago is planned for today instead (the next open
# day): a garage typing in last week's big repairs on its first day found no call planned for
# any of them. Longer ago, none: an office typing in last spring's invoices got a call for
# each, listed as missed at once.
CALL_CATCH_UP = timedelta(days=7)


def _day_still_to_call(business, day: date) -> date | None:
    """The day a rule's call planned for `day` is due (rule_day), today's (or the next open
    day) when that has gone by within CALL_CATCH_UP, or None when it went by longer ago."""
    today = business.today()
    if rule_day(business=business, day=day) >= today:
        return day
    if day < today - CALL_CATCH_UP:
        return None
    return today


def _plan_once(**kwargs) -> FollowUp | None:
    """Rules may fire twice (a retried request); the one-to-one link keeps it one follow-up.
    Nothing is planned for an anonymised customer: there is nobody left to ask. A rule's day
    that falls when the shop is closed moves to its next working day."""
    if kwargs["customer"].erased_at is not None:
        return None
    kwargs["due_on"] = rule_day(business=kwargs["business"], day=kwargs["due_on"])
    try:
        with transaction.atomic():
            return follow_up_create(**kwargs)
    except IntegrityError:
        return None


def _withdraw_purchase_calls_of_job(customer_id: int, kept_at: datetime) -> None:
    """The calls planned after the customer's purchases within SAME_JOB of a delivery or repair
    kept at `kept_at`, taken back while untouched: the kept promise's call asks for the job."""
    planned = FollowUp.objects.select_for_update().filter(
        customer_id=customer_id,
        reason=Reason.PURCHASE,
        done_at__isnull=True,
        purchase__at__range=(kept_at - SAME_JOB, kept_at + SAME_JOB),
    )
    for follow_up in planned:
        if _untouched(follow_up):
            delete_customer_row(follow_up, actor=None, snapshot=_snapshot)


def _replan_purchase_calls_of_job(customer_id: int, kept_at: datetime) -> None:
    """The calls of the customer's purchases within SAME_JOB of a delivery or repair no longer
    kept (its "Done" undone), planned again as their rules ask: the job's call was its."""
    purchases = Purchase.objects.filter(
        customer_id=customer_id, at__range=(kept_at - SAME_JOB, kept_at + SAME_JOB)
    ).select_related("customer__business")
    for purchase in purchases:
        follow_up_plan_for_purchase(purchase=purchase)


def follow_up_plan_for_promise(*, promise: Promise) -> FollowUp | None:
    """The check the care settings plan after a kept delivery, repair or quote, once; none
    for a promise whose maker said no call was wanted (`aftercare_after_kept`)."""
    rule = PROMISE_RULES.get(promise.kind)
    if rule is None or promise.done_on is None or not promise.aftercare_after_kept:
        return None
    reason, setting = rule
    days = getattr(care_settings(promise.business), setting)
    if days is None or FollowUp.objects.filter(promise=promise).exists():
        return None
    # Kept long ago, and written down afterwards ("It was kept on time"): the call's day may
    # have gone, as for a purchase typed in afterwards (follow_up_plan_for_purchase).
    due_on = _day_still_to_call(promise.business, promise.done_on + timedelta(days=days))
    if due_on is None:
        return None
    with shop_language(promise.business):
        asked = asked_fields(*promise_question(kind=promise.kind, description=promise.description))
    with transaction.atomic():
        # The customer's row, locked, as follow_up_plan_for_purchase locks it: a purchase of
        # the job committed at the same moment plans its call before or after this one, and
        # sees it or is withdrawn by it.
        Customer.objects.select_for_update(no_key=True).filter(pk=promise.customer_id).first()
        planned = _plan_once(
            business=promise.business,
            customer=promise.customer,
            **asked,
            due_on=due_on,
            reason=reason,
            assigned_to=promise.made_by,
            promise=promise,
        )
        if planned is not None and reason in JOB_REASONS:
            _withdraw_purchase_calls_of_job(promise.customer_id, promise.done_at)
    return planned


def _adopt_hand_planned_check(complaint: Complaint) -> FollowUp | None:
    """The check staff planned by hand while the complaint was open (on the phone, before
    anything was resolved: the only way then), made the complaint's own: linked to it and
    judged as its aftercare, with its note, day and caller kept. Planning another one beside it
    called the customer twice, and left the one actually made out of the aftercare figure.
    Only an open follow-up of this customer about nothing else, planned between the complaint's
    arrival and its resolution."""
    planned = (
        FollowUp.objects.select_for_update()
        .filter(
            customer_id=complaint.customer_id,
            reason=Reason.MANUAL,
            done_at__isnull=True,
            promise__isnull=True,
            complaint__isnull=True,
            purchase__isnull=True,
            referred_customer__isnull=True,
            created_at__gte=complaint.received_at,
            created_at__lte=complaint.resolved_at,
        )
        .order_by("due_on", "id")
        .first()
    )
    if planned is None:
        return None
    before = _snapshot(planned)
    planned.reason = Reason.COMPLAINT
    planned.complaint = complaint
    save_changed_customer_row(planned, actor=None, before=before, snapshot=_snapshot)
    return planned


def follow_up_plan_for_complaint(*, complaint: Complaint) -> FollowUp | None:
    days = care_settings(complaint.business).aftercare_complaint_days
    if days is None or complaint.resolved_at is None:
        return None
    if FollowUp.objects.filter(complaint=complaint).exists():
        return None
    if complaint.customer.erased_at is None:
        try:
            with transaction.atomic():
                adopted = _adopt_hand_planned_check(complaint)
        except IntegrityError:
            # Planned for this complaint meanwhile (a retried request): that one stands.
            return None
        if adopted is not None:
            return adopted
    with shop_language(complaint.business):
        asked = asked_fields(Question.COMPLAINT, complaint_quoted(complaint.description))
    return _plan_once(
        business=complaint.business,
        customer=complaint.customer,
        **asked,
        due_on=complaint.business.local(complaint.resolved_at).date() + timedelta(days=days),
        reason=Reason.COMPLAINT,
        assigned_to=complaint.received_by,
        complaint=complaint,
    )


# Another open follow-up after a purchase of the customer due this many days before or after
# the one a purchase would plan: the customer is called then anyway (two purchases in a week,
# the colour and the care products bought after it), and is not called twice.
PURCHASE_FOLLOW_UP_NEAR = timedelta(days=3)


# A rule's word of this many letters or more also counts at the end of a longer word, as the
# last part of a compound ("fiets" in "Stadsfiets"): shorter ones end too many words by chance.
COMPOUND_HEAD_MIN_LETTERS = 4
# The endings a Dutch or English noun takes in the plural ("fietsen", "auto's", "bikes").
PLURAL_ENDINGS = r"(?:en|s|'s)?"


def _purchase_rule_matches(rule: PurchaseRule, folded_description: str) -> bool:
    """Whether one of the rule's words starts a word of the description, whatever the capitals
    and accents ("kleur" in "Uitgroei kleuren", "creme" in "Crème", "kleur" in
    "Kleurbehandeling"), or ends one, plural or not, as the last part of a compound: a Dutch
    compound names its kind last, and a bike shop's "fiets" must find "Stadsfiets" and
    "Bakfietsen". Not in the middle of one ("kleur" is not in "verkleuring")."""
    for word in rule.words:
        folded = re.escape(fold(word))
        if re.search(r"(?<!\w)" + folded, folded_description):
            return True
        if len(word) >= COMPOUND_HEAD_MIN_LETTERS and re.search(
            folded + PLURAL_ENDINGS + r"(?!\w)", folded_description
        ):
            return True
    return False


def _purchase_follow_up_plan(purchase, rules) -> tuple[int, dict[str, str]] | None:
    """The one follow-up a purchase's rules ask for, as (days after it, the fields of what to
    ask: `asked_fields`, or the note of the owner's own questions), or None.
    One call however many rules match: on the earliest of their days, asking what each rule
    for its kind asks (the amount rule's general question only when no such rule matches)."""
    folded = fold(purchase.description)
    matching = [
        rule for rule in rules.aftercare_purchase_rules if _purchase_rule_matches(rule, folded)
    ]
    minimum = rules.aftercare_purchase_min_cents
    large = minimum is not None and purchase.amount_cents >= minimum
    if not matching and not large:
        return None
    days = min(
        [rule.days for rule in matching] + ([rules.aftercare_purchase_days] if large else [])
    )
    if matching:
        asks = list(dict.fromkeys(rule.ask.rstrip(". ") for rule in matching))
        return days, {"note": _asked_together(asks)}
    return days, asked_fields(Question.PURCHASE, shortened(purchase.description, NOTE_LENGTH))


def _asked_together(asks: list[str]) -> str:
    """The rules' questions in one note, each whole: those that no longer fit it (three of
    150 characters) are "…", not cut off in the middle of a word."""
    note = asks[0]  # a rule asks at most MAX_RULE_ASK_LENGTH characters, half a note
    for position, ask in enumerate(asks[1:], start=2):
        # Room for "; …" after it unless it is the last.
        room = NOTE_LENGTH - (0 if position == len(asks) else len("; …"))
        if len(note) + len("; ") + len(ask) > room:
            return f"{note}; …"
        note = f"{note}; {ask}"
    return note


def _purchase_call(purchase, business) -> tuple[date, dict[str, str]] | None:
    """The day (before moving it off a closed day) and what to ask (the fields of
    `_purchase_follow_up_plan`) of the call the rules plan after `purchase`, or None when they
    plan none."""
    with shop_language(business):
        plan = _purchase_follow_up_plan(purchase, care_settings(business))
    if plan is None:
        return None
    days, asked = plan
    return business.local(purchase.at).date() + timedelta(days=days), asked


def follow_up_plan_for_purchase(*, purchase) -> FollowUp | None:
    """The owner's rules after a purchase (PURCHASE_RECORDED, once it is committed): one for a
    purchase from an amount, and one per kind of purchase (a word in its description). Not run
    for an imported till history (importers.purchase_import): old purchases want no call now.
    None whose day has gone: an office typing in last spring's invoices got a call for each,
    planned in the spring and listed as missed at once, and a correction of an old purchase
    plans none for last year either; one gone by within CALL_CATCH_UP is planned for today."""
    business = purchase.customer.business
    call = _purchase_call(purchase, business)
    if call is None:
        return None
    due_on, asked = call
    due_on = _day_still_to_call(business, due_on)
    if due_on is None:
        return None
    near = FollowUp.objects.filter(
        customer_id=purchase.customer_id,
        reason=Reason.PURCHASE,
        done_at__isnull=True,
        due_on__gte=due_on - PURCHASE_FOLLOW_UP_NEAR,
        due_on__lte=rule_day(business=business, day=due_on) + PURCHASE_FOLLOW_UP_NEAR,
    )
    with transaction.atomic():
        # Two purchases of a customer committed at the same moment (two tills, a retried
        # request) each ran this after their own commit: each asked for a follow-up near its
        # day before the other's was there, and the customer was called twice. The customer's
        # row, locked, makes them plan one after the other, the second seeing the first's
        # follow-up: PostgreSQL waits on the row (FOR NO KEY UPDATE: a purchase or follow-up
        # referring to the customer meanwhile does not wait), SQLite's IMMEDIATE transaction
        # on the write lock at BEGIN. No constraint can say "none within 3 days".
        customer = (
            Customer.objects.select_for_update(no_key=True).filter(pk=purchase.customer_id).first()
        )
        if customer is None:  # deleted meanwhile
            return None
        if (
            FollowUp.objects.filter(purchase=purchase).exists()
            or near.exists()
            or job_calls(customer_id=purchase.customer_id, at=purchase.at).exists()
        ):
            return None
        customer.business = business
        return _plan_once(
            business=business,
            customer=customer,
            **asked,
            due_on=due_on,
            reason=Reason.PURCHASE,
            purchase=purchase,
            assigned_to=_who_calls_after(business, purchase, customer),
        )


def _who_calls_after(business, purchase, customer) -> int | None:
    """Who the call after a purchase is for: the member who served it, else the customer's
    regular one, while they still work here. Assigned to nobody, a garage's calls after each
    repair were in no mechanic's "Only mine", not even of the one who did the job."""
    for user_id in (purchase.member_id, customer.regular_member_id):
        if user_id and Membership.objects.filter(business=business, user_id=user_id).exists():
            return user_id
    return None


def follow_up_plan_referral_thanks(*, purchase) -> FollowUp | None:
    """When a referred customer makes their first purchase, the referrer is thanked (PRODUCT.md,
    idea 6): a follow-up for the referrer, due today. A later purchase, or a purchase recorded
    after an earlier one, plans nothing; the one-to-one link keeps it one thank-you per referral."""
    customer = purchase.customer
    # The first purchase recorded is the one that thanks: asking "is there any other purchase"
    # instead would plan nothing when two first purchases are committed at the same moment.
    if customer.purchases.filter(pk__lt=purchase.pk).exists():
        return None
    if _bought_long_ago(customer.business, purchase.at):
        # Typed in afterwards, dated long ago: bookkeeping, as a late referrer is.
        return None
    return _plan_referral_thanks(customer, Question.REFERRAL_FIRST_PURCHASE)


# A referrer recorded longer after the customer's first purchase than this is bookkeeping, not
# news: a bike shop filling in "came through" on the cards of customers of years planned a
# thank-you call for each referrer, for a customer they sent long ago.
REFERRAL_THANKS_AT_MOST_DAYS_LATE = 90


def follow_up_plan_referral_thanks_late(*, customer) -> FollowUp | None:
    """A referrer recorded after the customer's first purchase (the guest said at the second
    visit who sent them) is thanked as one recorded before it: the purchase came, and
    planned nothing then. Before any purchase the first purchase plans it; nothing is planned
    when the first purchase is more than REFERRAL_THANKS_AT_MOST_DAYS_LATE days ago."""
    first = customer.purchases.order_by("at").values_list("at", flat=True).first()
    if first is None or _bought_long_ago(customer.business, first):
        return None
    return _plan_referral_thanks(customer, Question.REFERRAL)


def _bought_long_ago(business, at) -> bool:
    """Whether a first purchase lies more than REFERRAL_THANKS_AT_MOST_DAYS_LATE days back: no
    referrer is thanked for it now."""
    late = business.today() - business.local(at).date()
    return late > timedelta(days=REFERRAL_THANKS_AT_MOST_DAYS_LATE)


def _plan_referral_thanks(customer, question: Question) -> FollowUp | None:
    """The referrer's thank-you for bringing in `customer`, due today, asking `question` about
    them; one per referral, whoever it went to (FollowUp.referred_customer)."""
    referrer = customer.referred_by
    if referrer is None or referrer.erased_at is not None:
        return None
    if FollowUp.objects.filter(referred_customer=customer).exists():
        return None
    with shop_language(referrer.business):
        asked = asked_fields(question, customer.name)
    return _plan_once(
        business=referrer.business,
        customer=referrer,
        **asked,
        due_on=referrer.business.today(),
        reason=Reason.REFERRAL,
        referred_customer=customer,
    )


def follow_up_thanked_by_gesture(*, gesture) -> None:
    """A thank-you for a referral logged as a gesture is the thanks the referrer's open
    follow-ups ask for: they close as thanked, with what was given, in the gesture's
    transaction, so that nobody thanks the referrer a second time from Today. A follow-up
    planned after the moment the gesture was given is for a later referral and stays open."""
    if gesture.occasion != Occasion.REFERRAL_THANKS:
        return
    open_thanks = FollowUp.objects.filter(
        customer=gesture.customer,
        reason=Reason.REFERRAL,
        done_at__isnull=True,
        created_at__lte=gesture.given_at,
    ).order_by("due_on", "pk")
    for follow_up in open_thanks:
        # One closed by someone else a moment ago has nothing left to close: the gesture is
        # logged all the same.
        with contextlib.suppress(Conflict):
            follow_up_complete(
                follow_up=follow_up,
                actor=gesture.given_by,
                outcome=Outcome.THANKED,
                note=gesture.what,
                at=gesture.given_at,
            )


def follow_up_thanks_reopened(*, gesture, actor) -> None:
    """A thank-you gesture taken back (gestures.services.gesture_undo): the thank-yous it closed
    (follow_up_thanked_by_gesture: thanked at its moment, with what it was) are open again, by
    their own undo rule, so that the referrer is still thanked. One worked on since, or whose
    outcome another hand recorded, stays as it is."""
    if gesture.occasion != Occasion.REFERRAL_THANKS:
        return
    closed = FollowUp.objects.filter(
        customer_id=gesture.customer_id,
        reason=Reason.REFERRAL,
        outcome=Outcome.THANKED,
        done_at=gesture.given_at,
        outcome_note=gesture.what,
    )
    for follow_up in closed:
        with contextlib.suppress(Conflict):
            follow_up_outcome_undo(follow_up=follow_up, actor=actor)


def _not_content_complaint(follow_up: FollowUp, *, note: str) -> dict[str, str]:
    """What the complaint that "not content" opens says and concerns. After a complaint it is
    that complaint come back: the same driver and severity, so that a reliability problem
    still counts as one and a serious complaint stays serious, and a text that names it
    rather than quoting the follow-up's question inside a statement."""
    earlier = follow_up.complaint
    with shop_language(follow_up.business):
        if note.strip():
            said = note.strip()
        elif earlier is not None:
            said = _("Still not content after the complaint: %(what)s") % {
                "what": complaint_quoted(earlier.description)
            }
        else:
            said = _("Not content at the follow-up: %(what)s") % {"what": follow_up.note}
    if earlier is None:
        return {"description": said}
    return {"description": said, "severity": earlier.severity, "driver": earlier.driver}


def _refuse_note_too_long(note: str) -> None:
    """What the customer said, no longer than its field takes it (core.models.WrittenTextField):
    the step writes the row without the model's full validation."""
    try:
        FollowUp._meta.get_field("outcome_note").run_validators(note.strip())
    except ValidationError as refused:
        raise ValidationError({"outcome_note": refused.error_list}) from None


def follow_up_complete(
    *,
    follow_up: FollowUp,
    actor,
    outcome: str,
    note: str = "",
    at: datetime | None = None,
    now: datetime | None = None,
) -> FollowUp:
    """Content or not content closes the follow-up (not content opens a complaint at once, so
    the unhappy customer lands in the complaint queue with its clocks), and a quote's follow-up
    accepted or declined; not reached, or a quote's customer still deciding, plans it again a
    few days later."""
    now = now or timezone.now()
    at = at or now
    business = follow_up.business
    _refuse_unfit_step(follow_up, outcome)
    if follow_up.done_at is not None:
        raise _already_done()
    refuse_unlikely_moment(at, field="done_at", now=now)
    _refuse_note_too_long(note)
    if at < follow_up.created_at:
        raise _error("done_at", _("This lies before the follow-up was planned."), "before_planned")
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.done_at is not None:
            raise _already_done()
        # What the row held, read under the lock: the caller's object may be older (a second
        # try recorded from a page read before the first), and the trail must say what this
        # step changed, as an undo restores it (follow_up_outcome_undo).
        before = _snapshot(locked)
        if outcome in (NOT_REACHED, STILL_DECIDING):
            if outcome == NOT_REACHED:
                locked.attempts += 1
            locked.due_on = rule_day(
                business=business,
                day=business.local(at).date()
                + timedelta(days=care_settings(business).aftercare_replan_days),
            )
            if note.strip():
                locked.outcome_note = note.strip()
            action = AuditAction.REPLANNED
        else:
            locked.done_at = at
            locked.outcome = outcome
            locked.outcome_note = note.strip()
            action = AuditAction.COMPLETED
            if outcome == Outcome.NOT_CONTENT:
                # Heard and answered in the conversation of the follow-up itself: its clock of
                # a first response ran against whoever had just called the customer.
                locked.raised_complaint = complaint_create(
                    customer=follow_up.customer,
                    channel=Channel.PHONE,
                    public=False,
                    received_at=at,
                    received_by=actor,
                    answered_on_the_spot=True,
                    now=now,
                    **_not_content_complaint(locked, note=note),
                )
        locked.save()
        audit_customer_row(
            locked,
            actor=actor,
            action=action,
            changes=audit_diff(before, _snapshot(locked)),
        )
    return locked


def follow_up_outcome_undo(*, follow_up: FollowUp, actor, now: datetime | None = None) -> FollowUp:
    """Take back the last outcome recorded by mistake, by the rule of core/undo.py (who may,
    for how long): an outcome makes the follow-up open again; not reached takes back the try
    and the day it was planned again for, still deciding that day. The complaint that "not
    content" opened goes with it while nobody has handled it (complaint_withdraw); one that
    somebody has handled stays, and the outcome that opened it too."""
    with transaction.atomic():
        stored = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        try:
            event = step_to_undo(
                row=stored,
                actions=[AuditAction.COMPLETED, AuditAction.REPLANNED],
                field="outcome",
                actor=actor,
                now=now,
            )
        except Conflict as refused:
            # Nothing recorded of an open follow-up that was never tried: nothing to take back
            # (a quote's "still deciding" counts no try, so the trail is asked, not `attempts`).
            never_tried = stored.done_at is None and stored.attempts == 0
            if never_tried and refused.error_dict["outcome"][0].code == "unrecorded":
                raise Conflict(
                    {
                        "outcome": ValidationError(
                            _("This follow-up has no outcome yet."), code="open"
                        )
                    }
                ) from None
            raise
        before = _snapshot(stored)
        raised = stored.raised_complaint if stored.done_at is not None else None
        for name, value in values_before(stored, event).items():
            setattr(stored, name, value)
        stored.raised_complaint = None
        stored.save()
        if raised is not None:
            complaint_withdraw(complaint=raised, actor=actor)
        audit_customer_row(
            stored,
            actor=actor,
            action=AuditAction.UNDONE,
            changes=audit_diff(before, _snapshot(stored)),
        )
    return stored


def _untouched(follow_up: FollowUp) -> bool:
    """Whether nobody has worked on a follow-up a rule planned: not done, no try, not changed
    since it was planned. Only such a one is taken back when what planned it is undone or
    corrected; one that somebody has worked on stays, with what the customer said."""
    if follow_up.done_at is not None or follow_up.attempts:
        return False
    return (
        not audit_for_object(business=follow_up.business, obj=follow_up)
        .exclude(action=AuditAction.PLANNED)
        .exists()
    )


def follow_up_withdraw_for_promise(
    *, promise: Promise, actor, kept_at: datetime | None = None
) -> dict[str, int]:
    """The follow-up planned for a promise being kept (follow_up_plan_for_promise), removed,
    untouched only, when the promise is open again (PROMISE_REOPENED, in that transaction).
    Keeping the promise again plans it anew. The calls of the purchases of its job (kept at
    `kept_at`), left out for it, are planned again."""
    follow_up = (
        FollowUp.objects.select_for_update()
        .filter(promise=promise)
        .exclude(reason=Reason.MANUAL)
        .first()
    )
    if follow_up is None or not _untouched(follow_up):
        return {}
    delete_customer_row(follow_up, actor=actor, snapshot=_snapshot)
    if follow_up.reason in JOB_REASONS and kept_at is not None:
        _replan_purchase_calls_of_job(promise.customer_id, kept_at)
    return {"follow_ups_withdrawn": 1}


def _purchase_follow_up_locked(purchase) -> FollowUp | None:
    """The call the rules planned after `purchase`, if any, locked for the change at hand."""
    return (
        FollowUp.objects.select_for_update()
        .filter(purchase=purchase, reason=Reason.PURCHASE)
        .first()
    )


def follow_up_for_purchase_corrected(*, purchase, actor) -> None:
    """A purchase's call follows a correction of its amount, description or moment
    (PURCHASE_CORRECTED, inside its transaction): the call its rules planned, untouched, is
    planned anew as the corrected purchase asks (none for 12,50 typed as 125,00, another
    question for another description, another day for another date). A purchase without a call
    gets one only for a day still to come: correcting last year's purchase plans no call for
    last year."""
    follow_up = _purchase_follow_up_locked(purchase)
    if follow_up is None:
        follow_up_plan_for_purchase(purchase=purchase)
        return
    if not _untouched(follow_up):
        return
    business = purchase.customer.business
    call = _purchase_call(purchase, business)
    if call is not None and (rule_day(business=business, day=call[0]), call[1]["note"]) == (
        follow_up.due_on,
        follow_up.note,
    ):
        return
    delete_customer_row(follow_up, actor=actor, snapshot=_snapshot)
    if call is not None:
        follow_up_plan_for_purchase(purchase=purchase)


def follow_up_withdraw_for_purchase(*, purchase, actor) -> None:
    """The call planned after a purchase removed by mistake (PURCHASE_DELETED, inside its
    transaction), untouched only: nobody asks how something was that was never bought."""
    follow_up = _purchase_follow_up_locked(purchase)
    if follow_up is not None and _untouched(follow_up):
        delete_customer_row(follow_up, actor=actor, snapshot=_snapshot)


def follow_up_withdraw_for_complaint(*, complaint, actor) -> None:
    """The check planned after a complaint removed as recorded by mistake (COMPLAINT_DELETED,
    inside its transaction), while not done: nobody asks whether a customer is content again
    after a complaint they never made. One done stays, with what the customer said."""
    planned = FollowUp.objects.select_for_update().filter(complaint=complaint, done_at=None)
    for follow_up in planned:
        delete_customer_row(follow_up, actor=actor, snapshot=_snapshot)


def follow_up_for_promise_changed(*, promise: Promise, actor) -> None:
    """A kept promise's aftercare call asked for afterwards is planned, and one no longer
    wanted is withdrawn as for a promise reopened, untouched only (PROMISE_AFTERCARE_CHANGED)."""
    if promise.aftercare_after_kept:
        follow_up_plan_for_promise(promise=promise)
    else:
        follow_up_withdraw_for_promise(promise=promise, actor=actor)


def follow_ups_withdraw_for_erasure(*, customer, actor) -> int:
    """The checks still planned with a customer who is being anonymised, removed (each audited
    as deleted; the erasure then blanks what the trail says of them): nobody can call a number
    that is gone, and left standing they stayed on Today for good and counted as aftercare
    missed. Those done stay, with their dates. Returns how many went."""
    open_checks = FollowUp.objects.select_for_update().filter(customer=customer, done_at=None)
    removed = 0
    for follow_up in open_checks:
        delete_customer_row(follow_up, actor=actor, snapshot=_snapshot)
        removed += 1
    return removed


def follow_ups_assignment_release(*, business, user, actor=None) -> dict[str, int]:
    """The open follow-ups of `business` assigned to `user` are for everyone from now on: run as
    they leave the business (core.hooks.MEMBER_REMOVED, inside the removal's transaction). The
    aftercare list could no longer be filtered on them, so their calls went unseen. Each one's
    trail says so, by whom the member was removed; done follow-ups keep who had them. Returns
    {"open_follow_ups": how many}."""
    open_ones = FollowUp.objects.filter(business=business, assigned_to=user, done_at=None)
    released = 0
    # Locked as they are listed: an outcome recorded meanwhile (a colleague's tap) waits for
    # the removal, or was committed first and leaves a follow-up done, which keeps who had it.
    for follow_up in open_ones.select_related("business").select_for_update(of=("self",)):
        follow_up_update(follow_up=follow_up, actor=actor, assigned_to=None)
        released += 1
    return {"open_follow_ups": released} if released else {}


def follow_up_update(*, follow_up: FollowUp, actor, **fields: Any) -> FollowUp:
    """`assigned_to`: a member, or a member's user id. Made to the follow-up as stored now,
    read under its lock, writing only what changed: a try or an outcome another request
    recorded meanwhile stays (a member's removal releases their follow-ups this way)."""
    with transaction.atomic():
        changed = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        before = _snapshot(changed)
        _changes_checked(changed, fields, follow_up.business)
        # The question goes with a reworded note (_changes_checked).
        if not save_changed_customer_row(
            changed,
            actor=actor,
            before=before,
            snapshot=_snapshot,
            derived=("question", "question_about"),
        ):
            return follow_up
    return changed


def _changes_checked(changed: FollowUp, fields: dict[str, Any], business) -> None:
    """follow_up_update's `fields` made to `changed` (not saved), checked: every refusal of a
    value at once; a refusal for the follow-up's state (Conflict) as it comes."""
    unknown = set(fields) - {"note", "due_on", "assigned_to"}
    if unknown:
        raise TypeError(f"Unknown follow-up fields: {sorted(unknown)}")
    if "note" in fields and fields["note"].strip() != changed.note:
        # Reworded: the note is a person's words now, read as they wrote them.
        changed.note = fields["note"].strip()
        changed.question, changed.question_about = "", ""

    def assign() -> None:
        if "assigned_to" in fields:
            changed.assigned_to = _member_or_none(business, fields["assigned_to"])

    refusals_gathered(
        lambda: _due_moved(changed, fields, business),
        assign,
        lambda: changed.full_clean(validate_unique=False),
    )


def _due_moved(changed: FollowUp, fields: dict[str, Any], business) -> None:
    if "due_on" not in fields or fields["due_on"] == changed.due_on:
        return
    _refuse_too_far(fields["due_on"], business)
    today = business.today()
    judged = changed.reason in JUDGED_REASONS
    # Moved afterwards, a follow-up done late would count as done in time.
    if changed.done_at is not None and judged:
        raise _conflict(
            "due_on",
            _(
                "A follow-up that is done keeps the day it was planned for: the aftercare "
                "figure judged it by that day."
            ),
            "finished",
        )
    if changed.done_at is None:
        _refuse_past(fields["due_on"], business)
    if changed.done_at is None and judged and changed.due_on < today:
        raise _conflict(
            "due_on",
            _(
                "The day this follow-up was planned for has passed, and the aftercare "
                "figure judges it by that day, so it stays. Contact the customer now and "
                "record what came of it."
            ),
            "overdue",
        )
    changed.due_on = fields["due_on"]


def follow_up_change(
    *,
    follow_up: FollowUp,
    actor,
    fields: dict[str, Any],
    outcome: str = "",
    note: str | None = None,
    undo_outcome: bool = False,
    expected_versions: Collection[str] | None = None,
) -> FollowUp:
    """The API's PATCH of a follow-up as one change: its outcome taken back first when
    `undo_outcome` and it is done (follow_up_outcome_undo), then the `fields`
    (follow_up_update), then the `outcome` with its `note` (follow_up_complete), in one
    transaction, so a refused outcome also undoes the changes sent with it. A `note` (None:
    not sent) is written with an outcome: without one it is refused unless it is the one the
    follow-up has. Every refusal of the values at once, before any step is written.
    `expected_versions`: the versions the caller read (If-Match, core.versions); refused with
    ChangedMeanwhile and nothing changed unless one is stored."""
    with record_changing(follow_up, expected_versions=expected_versions) as follow_up:
        as_read = copy.copy(follow_up)
        if undo_outcome and follow_up.done_at is not None:
            follow_up = follow_up_outcome_undo(follow_up=follow_up, actor=actor)
        _change_checked(as_read, follow_up, fields, outcome, note)
        if fields:
            follow_up = follow_up_update(follow_up=follow_up, actor=actor, **fields)
        if outcome:
            follow_up = follow_up_complete(
                follow_up=follow_up, actor=actor, outcome=outcome, note=note or ""
            )
    return follow_up


def follow_up_change_refusals(
    *,
    follow_up: FollowUp,
    fields: dict[str, Any],
    outcome: str = "",
    note: str | None = None,
    undo_outcome: bool = False,
) -> dict[str, list[ValidationError]]:
    """What follow_up_change would refuse of these values of `follow_up` (as read), per
    field, writing nothing; {} when the follow-up's state refuses them (a Conflict, answered
    by the write). Its outcome taken back when `undo_outcome`, as far as the fields' checks
    see: open again."""
    undone = copy.copy(follow_up)
    if undo_outcome and undone.done_at is not None:
        undone.done_at, undone.outcome = None, ""
    return refusals_of(lambda: _change_checked(follow_up, undone, fields, outcome, note))


def _change_checked(
    as_read: FollowUp,
    follow_up: FollowUp,
    fields: dict[str, Any],
    outcome: str,
    note: str | None,
) -> None:
    """follow_up_change's checks of its values: the note against the follow-up `as_read`
    before any step, the fields against a copy of `follow_up` (its outcome taken back)."""
    refusals_gathered(
        lambda: _refuse_note_alone(as_read, outcome, note),
        lambda: outcome and _refuse_unfit_step(as_read, outcome),
        lambda: fields and _changes_checked(copy.copy(follow_up), fields, follow_up.business),
    )


def _refuse_note_alone(follow_up: FollowUp, outcome: str, note: str | None) -> None:
    """An outcome's note is written with the outcome; there is no changing it on its own."""
    if outcome or note is None or note == follow_up.outcome_note:
        return
    if follow_up.done_at is not None:
        raise _conflict("outcome_note", _("This follow-up is already done."), "finished")
    raise _error("outcome", _("Give the outcome this note belongs to."), "required")
