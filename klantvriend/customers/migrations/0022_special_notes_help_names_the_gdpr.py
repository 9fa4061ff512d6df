"""The health notes' hint names the GDPR alone: the English form said "AVG/GDPR", the Dutch
name of the law, which an English reader does not know (the Dutch text names the AVG). No SQL:
a help text only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0021_consent_source_named"),
    ]

    operations = [
        migrations.AlterField(
            model_name="customer",
            name="special_notes",
            field=models.TextField(
                blank=True,
                help_text="Only with the customer's explicit consent (GDPR art. 9).",
                verbose_name="health, diet and allergies",
            ),
        ),
    ]
