"""The call recorded by "Called" on an important date, so that undoing the tap removes it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0043_important_date_called"),
    ]

    operations = [
        migrations.AddField(
            model_name="importantdate",
            name="called_moment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="customers.contactmoment",
                verbose_name="call",
            ),
        ),
    ]
