"""A follow-up after a quote, closed by the customer's decision: accepted or declined."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0004_open_per_customer_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="followup",
            name="followup_done_has_outcome",
        ),
        migrations.RemoveConstraint(
            model_name="followup",
            name="followup_reason_valid",
        ),
        migrations.AlterField(
            model_name="followup",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("content", "content"),
                    ("not_content", "not content"),
                    ("accepted", "quote accepted"),
                    ("declined", "quote declined"),
                ],
                max_length=20,
                verbose_name="outcome",
            ),
        ),
        migrations.AlterField(
            model_name="followup",
            name="reason",
            field=models.CharField(
                choices=[
                    ("delivery", "after a delivery"),
                    ("repair", "after a repair"),
                    ("complaint", "after a complaint"),
                    ("purchase", "after a large purchase"),
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
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "reason__in",
                        [
                            "delivery",
                            "repair",
                            "complaint",
                            "purchase",
                            "manual",
                            "referral",
                            "survey",
                            "quote",
                        ],
                    )
                ),
                name="followup_reason_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("done_at__isnull", True), ("outcome", "")),
                    models.Q(
                        ("done_at__isnull", False),
                        ("outcome__in", ["content", "not_content", "accepted", "declined"]),
                    ),
                    _connector="OR",
                ),
                name="followup_done_has_outcome",
                violation_error_message="A finished follow-up needs its outcome.",
            ),
        ),
    ]
