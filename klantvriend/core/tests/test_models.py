from django.utils import translation

from klantvriend.aftercare.models import FollowUp, Reason


def test_choice_labels_follow_the_active_language_and_unknown_values_show_as_stored():
    follow_up = FollowUp(reason=Reason.REPAIR)

    with translation.override("nl"):
        dutch = follow_up.get_reason_display()
    with translation.override("en"):
        english = follow_up.get_reason_display()
    follow_up.reason = "retired-reason"

    assert (dutch, english) == ("na een reparatie", "after a repair")
    assert follow_up.get_reason_display() == "retired-reason"
