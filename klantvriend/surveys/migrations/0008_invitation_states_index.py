"""The standing invitations' index holds what the list of invitations filters them by and the
survey results count them by (channel, answered, expired), so that both read it alone; the
withdrawn ones get a small index of their own (SurveyInvitation.Meta)."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_survey_days_kept"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="surveyinvitation",
            name="invitation_standing_created",
        ),
        migrations.AddIndex(
            model_name="surveyinvitation",
            index=models.Index(
                condition=models.Q(("withdrawn_at__isnull", True)),
                fields=["business", "created_at", "id", "channel", "answered_at", "expires_at", "withdrawn_at"],
                name="invitation_standing_states",
            ),
        ),
        migrations.AddIndex(
            model_name="surveyinvitation",
            index=models.Index(
                condition=models.Q(("withdrawn_at__isnull", False)),
                fields=["business", "created_at", "id", "withdrawn_at"],
                name="invitation_withdrawn_created",
            ),
        ),
        migrations.RunPython(
            statistics_refresher("surveys_surveyinvitation"), migrations.RunPython.noop
        ),
    ]
