"""A referrer's thank-you is closed as thanked, not as content or not content."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0006_quote_decisions_index"),
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
                            ["content", "not_content", "accepted", "declined", "thanked"],
                        ),
                    ),
                    _connector="OR",
                ),
                name="followup_done_has_outcome",
                violation_error_message="A finished follow-up needs its outcome.",
            ),
        ),
    ]
