"""A call planned with one click to win a customer back says so ("om terug te winnen"), rather
than "planned by hand"; the reason is one more value of the check constraint."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0009_follow_up_not_needed"),
        ("complaints", "0005_complaints_by_message"),
        ("core", "0014_idempotent_request_keeps_its_headers"),
        ("customers", "0049_customer_sort_name"),
        ("promises", "0012_promise_repeats"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="followup",
            name="followup_reason_valid",
        ),
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
                    ("win_back", "to win them back"),
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
                            "win_back",
                            "referral",
                            "survey",
                            "quote",
                        ],
                    )
                ),
                name="followup_reason_valid",
            ),
        ),
    ]
