"""A repeated API write gets the first answer's ETag and Location again with its body. Answers
kept before (for at most a day) have none, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_business_contact_email"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotentrequest",
            name="headers",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
