"""What the customer profile shows of referrals and surveys; merged in by web/care.py."""

from django.utils import timezone

from klantvriend.core.timeline import known_none
from klantvriend.referrals.selectors import customer_referrals
from klantvriend.surveys.selectors import (
    gets_new_code,
    survey_invitation_list,
    survey_response_list,
)
from klantvriend.surveys.services import may_email

from .forms import ReferralForm
from .survey_forms import SurveyInviteForm

# The survey answers a profile shows at first, the latest.
ANSWERS_SHORT = 5


def referral_survey_profile_context(request, customer, forms: dict) -> dict:
    """The profile's referral and survey section: five or six queries whatever the history,
    three for a customer who brought in nobody. `forms`: a bound "Brought someone in" form
    (`referral_form`) to show again with its refusals."""
    business = request.business
    responses = survey_response_list(business=business, customer_id=customer.pk)
    invitations = survey_invitation_list(business=business, customer_id=customer.pk)
    # The latest answers, or with ?answers=all every one (a customer answers a few times a
    # year): the ambassadors' count of promoter answers opens here and must add up.
    # One more than shown is read, to know whether there are more without counting them.
    whole = request.method == "GET" and request.GET.get("answers") == "all"
    answers = (
        []
        if known_none(customer, "survey_responses")
        else list(responses if whole else responses[: ANSWERS_SHORT + 1])
    )
    latest = [] if known_none(customer, "survey_invitations") else list(invitations[:5])
    return {
        "referrals": customer_referrals(customer=customer),
        "referral_form": forms.get("referral_form")
        or ReferralForm(business=business, referrer=customer),
        "survey_responses": answers if whole else answers[:ANSWERS_SHORT],
        "survey_responses_more": not whole and len(answers) > ANSWERS_SHORT,
        "survey_invitations": latest,
        # The latest invitation still open at the counter: its code is shown only on the page
        # that made it, so a new one replaces it (web.survey_views.survey_invitation_new_code).
        "survey_new_code": bool(latest) and gets_new_code(latest[0], now=timezone.now()),
        "survey_invite_form": SurveyInviteForm(),
        "survey_may_email": may_email(customer),
    }
