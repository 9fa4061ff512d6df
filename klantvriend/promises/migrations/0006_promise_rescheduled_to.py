"""A promise moved to a new moment after it passed unkept names its successor
(Promise.rescheduled_to, services.promise_reschedule). On SQLite Django rebuilds the table for
a one-to-one field; the project's SQLite backend keeps the triggers that read it
(core/sqlite/schema.py)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('promises', '0005_open_per_customer_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='promise',
            name='rescheduled_to',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='rescheduled_from', to='promises.promise', verbose_name='moved to'),
        ),
    ]
