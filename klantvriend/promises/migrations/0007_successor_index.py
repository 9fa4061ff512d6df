"""An index of the promises moved to a new moment, by their successor: the lists find each
promise's predecessor through it on SQLite, whose statistics make the one-to-one link's own
unique index look useless (Promise.Meta)."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):

    dependencies = [
        ('promises', '0006_promise_rescheduled_to'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='promise',
            index=models.Index(condition=models.Q(('rescheduled_to__isnull', False)), fields=['rescheduled_to'], name='promise_successor'),
        ),
        migrations.RunPython(statistics_refresher("promises_promise"), migrations.RunPython.noop),
    ]
