from django.utils import translation

from klantvriend.aftercare.models import FollowUp, Reason
from klantvriend.core.members import staff_name
from klantvriend.core.services import user_create


def test_choice_labels_follow_the_active_language_and_unknown_values_show_as_stored():
    follow_up = FollowUp(reason=Reason.REPAIR)

    with translation.override("nl"):
        dutch = follow_up.get_reason_display()
    with translation.override("en"):
        english = follow_up.get_reason_display()
    follow_up.reason = "retired-reason"

    assert (dutch, english) == ("na een reparatie", "after a repair")
    assert follow_up.get_reason_display() == "retired-reason"


def test_a_member_goes_by_their_full_name_or_else_the_name_they_log_in_with(db):
    named = user_create(username="sanne", password="pw-sanne-123", first_name="Sanne")
    named.last_name = "de Wit"
    nameless = user_create(username="kassa2", password="pw-kassa-123")

    assert (staff_name(named), staff_name(nameless)) == ("Sanne de Wit", "kassa2")
