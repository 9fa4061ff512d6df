"""Whether a kept delivery invites the customer to the survey: yes for every promise made
before, as the business's setting alone decided then."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0009_outcome_days_kept"),
    ]

    operations = [
        migrations.AddField(
            model_name="promise",
            name="survey_after_delivery",
            field=models.BooleanField(
                default=True, verbose_name="invite to the survey after the delivery"
            ),
        ),
    ]
