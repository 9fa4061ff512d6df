"""The quote follow-ups by day, for what the customers decided on quotes (the promise page)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0005_quote_follow_ups"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("reason", "quote")),
                fields=["business", "due_on"],
                name="followup_quote_due",
            ),
        ),
    ]
