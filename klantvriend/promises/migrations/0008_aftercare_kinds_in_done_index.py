"""The promises' index by the day they were done holds their kind and customer, so that the
aftercare coverage finds the deliveries and repairs of the last 90 days from the index alone
(Promise.Meta). Its statistics gathered at once on SQLite: since promises 0007 an ANALYZE of the
promises no longer turns Today's lists to a scan."""

from django.conf import settings
from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_audit_customer_changes'),
        ('customers', '0032_first_purchase_and_absences_kept'),
        ('promises', '0007_successor_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='promise',
            name='promise_done_on',
        ),
        migrations.AddIndex(
            model_name='promise',
            index=models.Index(fields=['business', 'done_on', 'done_at', 'due_at', 'kind', 'customer'], name='promise_done_on'),
        ),
        migrations.RunPython(statistics_refresher("promises_promise"), migrations.RunPython.noop),
    ]
