"""When someone last called a customer about an important date coming up (Today's "Called")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0042_privacy_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="importantdate",
            name="called_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="called about it"),
        ),
    ]
