"""A complaint can come in by message (WhatsApp, a text): the channel's new choice, and the
check constraint that holds the channels."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_stored_deadlines_and_queue_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="complaint",
            name="complaint_channel_valid",
        ),
        migrations.AlterField(
            model_name="complaint",
            name="channel",
            field=models.CharField(
                choices=[
                    ("counter", "at the counter"),
                    ("phone", "phone"),
                    ("email", "email"),
                    ("message", "message (WhatsApp, text)"),
                    ("social_media", "social media"),
                    ("review_site", "review site"),
                    ("other", "other"),
                ],
                default="counter",
                max_length=20,
                verbose_name="channel",
            ),
        ),
        migrations.AddConstraint(
            model_name="complaint",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "channel__in",
                        [
                            "counter",
                            "phone",
                            "email",
                            "message",
                            "social_media",
                            "review_site",
                            "other",
                        ],
                    )
                ),
                name="complaint_channel_valid",
            ),
        ),
    ]
