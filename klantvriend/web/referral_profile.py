"""What the customer profile shows of referrals and surveys; merged in by web/care.py."""

from klantvriend.core.timeline import known_none
from klantvriend.referrals.selectors import customer_referrals
from klantvriend.surveys.selectors import survey_invitation_list, survey_response_list
from klantvriend.surveys.services import may_email

from .survey_forms import SurveyInviteForm


def referral_survey_profile_context(request, customer) -> dict:
    """The profile's referral and survey section: five or six queries whatever the history,
    three for a customer who brought in nobody."""
    business = request.business
    responses = survey_response_list(business=business, customer_id=customer.pk)
    invitations = survey_invitation_list(business=business, customer_id=customer.pk)
    return {
        "referrals": customer_referrals(customer=customer),
        "survey_responses": [] if known_none(customer, "survey_responses") else list(responses[:5]),
        "survey_invitations": (
            [] if known_none(customer, "survey_invitations") else list(invitations[:5])
        ),
        "survey_invite_form": SurveyInviteForm(),
        "survey_may_email": may_email(customer),
    }
