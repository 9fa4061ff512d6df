"""What the customer profile shows of promises, complaints, follow-ups and gestures, and the
forms to record them. Kept apart from views.py so the profile view only merges it in; a fixed
number of queries whatever the customer's history."""

from django.db.models import Q, QuerySet
from django.utils import timezone

from klantvriend.aftercare.models import Reason
from klantvriend.aftercare.selectors import follow_up_list
from klantvriend.complaints.selectors import complaint_list, complaint_views
from klantvriend.core.audit import AuditAction, audit_for_customer
from klantvriend.core.care_settings import care_settings
from klantvriend.core.rows import open_first
from klantvriend.core.timeline import known_none
from klantvriend.core.undo import Undoable, undoable_rows
from klantvriend.core.working_hours import next_working_day
from klantvriend.gestures.models import Occasion
from klantvriend.gestures.selectors import gesture_list
from klantvriend.promises.selectors import IS_OPEN as PROMISE_OPEN
from klantvriend.promises.selectors import promise_list, promise_views

from .care_forms import ComplaintForm, FollowUpForm, GestureForm, PromiseForm
from .referral_profile import referral_survey_profile_context

RECENT = 10
# The times of a standing order before the last two (their next time is finished and has a
# next time of its own): the profile shows the time still open and the last one finished
# before it, or the last two of an arrangement that ended, not a year of Saturdays that would
# push the customer's other promises off it. The promise list has them all.
EARLIER_TIMES_OF_A_STANDING_ORDER = Q(repeated_as__repeated_as__isnull=False) & (
    Q(repeated_as__done_at__isnull=False) | Q(repeated_as__cancelled_at__isnull=False)
)
# The profile's folded forms that a link may open (?record=…), by their `open_form` names.
RECORD_FORMS = ("promise", "complaint", "follow_up", "gesture")
# The steps of a row that its undo button takes back (core/undo.py).
UNDOABLE_STEPS = (AuditAction.COMPLETED, AuditAction.RESPONDED, AuditAction.REPLANNED)


def profile_promises(*, business, customer) -> QuerySet:
    """The customer's promises as their profile lists them: open first, then the latest."""
    return open_first(
        promise_list(business=business, customer_id=customer.pk).exclude(
            EARLIER_TIMES_OF_A_STANDING_ORDER
        ),
        is_open=PROMISE_OPEN,
        moment="due_at",
    )


def complaint_promises(*, business, customer, complaint=None) -> list:
    """The promises a complaint of this customer may be said to be about: those on the
    profile's card (a complaint is about something recent), and the one it is about already."""
    promises = list(profile_promises(business=business, customer=customer)[:RECENT])
    if complaint is not None and complaint.promise_id not in (None, *(p.pk for p in promises)):
        promises.append(complaint.promise)
    return promises


def care_profile_context(request, customer, forms: dict) -> dict:
    business = request.business
    now = timezone.now()
    # The forms' day to begin with: today, or the next day the shop is open. On a closed
    # Sunday the promise form opened asking "the shop is closed on Sun 6 Dec: do you mean
    # that day?" before anything was typed.
    settings = care_settings(business)
    open_day = next_working_day(
        business.local(now).date(), working_days=settings.working_days, closed=settings.closed_dates
    )
    lists = {
        "promises": profile_promises(business=business, customer=customer),
        "complaints": open_first(
            complaint_list(business=business, customer_id=customer.pk),
            is_open=Q(resolved_at__isnull=True),
            moment="received_at",
        ),
        "follow_ups": open_first(
            follow_up_list(business=business, customer_id=customer.pk),
            is_open=Q(done_at__isnull=True),
            moment="due_on",
        ),
        "gestures": gesture_list(business=business, customer_id=customer.pk),
    }
    # The first rows of each, unless the customer is known to have none of that kind.
    recent = {
        kind: [] if known_none(customer, kind) else list(rows[:RECENT])
        for kind, rows in lists.items()
    }
    return {
        "promise_views": promise_views(business=business, promises=recent["promises"], now=now),
        "complaint_views": complaint_views(
            business=business, complaints=recent["complaints"], now=now
        ),
        "follow_ups": recent["follow_ups"],
        "gestures": recent["gestures"],
        "audit_events": audit_for_customer(business=business, customer=customer, limit=20),
        # The rows whose last step the reader may take back now: they show an undo button.
        "undoable": Undoable({})
        if all(known_none(customer, kind) for kind in ("promises", "complaints", "follow_ups"))
        else undoable_rows(
            business=business,
            customer=customer,
            actions=UNDOABLE_STEPS,
            actor=request.user,
            actor_is_owner=request.membership.is_owner,
            now=now,
        ),
        # The gestures logged in the last 24 hours that the reader may take back (a double
        # tap, the wrong customer): undoing one removes it, so it has a question of its own.
        "gestures_undoable": Undoable({})
        if known_none(customer, "gestures")
        else undoable_rows(
            business=business,
            customer=customer,
            actions=(AuditAction.CREATED,),
            actor=request.user,
            actor_is_owner=request.membership.is_owner,
            now=now,
        ),
        "today": business.local(now).date(),
        "promise_form": forms.get("promise_form") or PromiseForm(initial={"due_date": open_day}),
        "complaint_form": forms.get("complaint_form") or ComplaintForm(promises=recent["promises"]),
        "follow_up_form": forms.get("follow_up_form")
        or FollowUpForm(business=business, initial={"due_on": open_day}),
        # A referrer still to be thanked: the gesture is most likely that thank-you.
        "gesture_form": forms.get("gesture_form")
        or GestureForm(
            initial={"occasion": Occasion.REFERRAL_THANKS}
            if any(
                follow_up.reason == Reason.REFERRAL and follow_up.done_at is None
                for follow_up in recent["follow_ups"]
            )
            else {}
        ),
        "gesture_repeats": forms.get("gesture_repeats", []),
        "promise_advice": forms.get("promise_advice"),
        # The form a link asked to open (?record=gesture from a referrer's thanks on Today),
        # else the one a refusal keeps open.
        "open_form": forms.get("open_form")
        or (request.GET.get("record") if request.GET.get("record") in RECORD_FORMS else ""),
        "care_error": forms.get("care_error", ""),
        # "Done earlier?" refused: the promise, the moment typed and why, its panel kept open
        # with what was typed, where it closed and the moment was gone.
        "done_earlier_refused": forms.get("done_earlier_refused"),
        "care_notice": forms.get("care_notice", ""),
        # After a new row of one kind: "Promise saved." and the like, in that kind's card.
        "care_saved": forms.get("care_saved", {}),
        "refused_form": forms.get("refused_form"),
        # Referrals and surveys (web/referral_profile.py).
        **referral_survey_profile_context(request, customer, forms),
    }
