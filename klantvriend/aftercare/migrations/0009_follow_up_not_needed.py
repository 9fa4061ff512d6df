"""A follow-up can be closed as not needed (asking would be wrong or pointless)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0008_purchase_reason_for_any_purchase"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="followup",
            name="followup_done_has_outcome",
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
                    ("thanked", "thanked"),
                    ("not_needed", "not needed"),
                ],
                max_length=20,
                verbose_name="outcome",
            ),
        ),
        migrations.AddConstraint(
            model_name="followup",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("done_at__isnull", True), ("outcome", "")),
                    models.Q(
                        ("done_at__isnull", False),
                        (
                            "outcome__in",
                            [
                                "content",
                                "not_content",
                                "accepted",
                                "declined",
                                "thanked",
                                "not_needed",
                            ],
                        ),
                    ),
                    _connector="OR",
                ),
                name="followup_done_has_outcome",
                violation_error_message="A finished follow-up needs its outcome.",
            ),
        ),
    ]
