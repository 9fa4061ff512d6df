"""The purchase reason reads "after a purchase": a rule for a kind of purchase plans one too, not
only a large one. Only the label changes; nothing in the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0007_referral_thanked"),
    ]

    operations = [
        migrations.AlterField(
            model_name="followup",
            name="reason",
            field=models.CharField(
                choices=[
                    ("delivery", "after a delivery"),
                    ("repair", "after a repair"),
                    ("complaint", "after a complaint"),
                    ("purchase", "after a purchase"),
                    ("manual", "planned by hand"),
                    ("referral", "to thank for a referral"),
                    ("survey", "after a survey answer"),
                    ("quote", "after a quote"),
                ],
                default="manual",
                max_length=20,
                verbose_name="reason",
            ),
        ),
    ]
