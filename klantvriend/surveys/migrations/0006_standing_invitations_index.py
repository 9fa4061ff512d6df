"""The invitations that stand (not withdrawn) counted from an index of their own: the survey
results count a year of them, and since invitations can be withdrawn (0005) the count tested
every row (SurveyInvitation.Meta)."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0005_invitation_promise_and_withdrawal"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="surveyinvitation",
            index=models.Index(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=["business", "created_at"],
                name="invitation_standing_created",
            ),
        ),
        migrations.RunPython(
            statistics_refresher("surveys_surveyinvitation"), migrations.RunPython.noop
        ),
    ]
