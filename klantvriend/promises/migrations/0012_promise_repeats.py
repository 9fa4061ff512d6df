"""A promise can repeat (a standing order): every promise made before is a single one. On SQLite
Django rebuilds the table for the one-to-one link to the next time; the project's SQLite backend
keeps the triggers that read it (core/sqlite/schema.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0011_promise_aftercare_after_kept"),
    ]

    operations = [
        migrations.AddField(
            model_name="promise",
            name="repeat_weeks",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "does not repeat"),
                    (1, "every week"),
                    (2, "every 2 weeks"),
                    (3, "every 3 weeks"),
                    (4, "every 4 weeks"),
                    (6, "every 6 weeks"),
                    (8, "every 8 weeks"),
                ],
                default=0,
                verbose_name="repeats",
            ),
        ),
        migrations.AddField(
            model_name="promise",
            name="repeated_as",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="repeat_of",
                to="promises.promise",
                verbose_name="next time",
            ),
        ),
        migrations.AddConstraint(
            model_name="promise",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("repeat_weeks__lte", 8),
                    models.Q(("repeat_weeks", 5), _negated=True),
                    models.Q(("repeat_weeks", 7), _negated=True),
                ),
                name="promise_repeat_valid",
            ),
        ),
    ]
