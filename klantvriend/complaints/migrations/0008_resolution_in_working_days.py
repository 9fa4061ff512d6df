"""A complaint is to be resolved within a number of working days, to the closing of the last,
no longer within as many calendar days (complaints.clocks.resolution_deadline). The stored
deadlines of the complaints not resolved yet are worked out again by the code that sets them
(complaints.services.deadlines_refresh); a resolved complaint keeps the deadline it was judged
by, so the scorecard's past figures stay what they were."""

import zoneinfo

from django.db import migrations

from klantvriend.core.care_settings import care_settings


def resolution_deadlines_refresh(apps, schema_editor):
    from klantvriend.complaints.services import deadlines_refresh

    Business = apps.get_model("core", "Business")
    Complaint = apps.get_model("complaints", "Complaint")
    waiting = Complaint.objects.filter(resolved_at__isnull=True)
    for business in Business.objects.filter(pk__in=waiting.values("business_id")).order_by("pk"):
        deadlines_refresh(
            waiting.filter(business_id=business.pk),
            settings=care_settings(business),
            tz=zoneinfo.ZoneInfo(business.time_zone),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0007_complaint_about_a_promise"),
        ("core", "0016_membership_low_score_email"),
    ]

    operations = [
        migrations.RunPython(
            resolution_deadlines_refresh, migrations.RunPython.noop, elidable=True
        ),
    ]
