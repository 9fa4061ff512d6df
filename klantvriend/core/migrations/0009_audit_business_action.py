"""The audit events of one action of a business since a moment, through an index: the customers
merged away or deleted since a client's last sync (the API's GET /customers/removed) are a few
events among the many views and changes of every customer."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_customer_changes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["business", "action", "at"], name="audit_business_action"),
        ),
        migrations.RunPython(statistics_refresher("core_auditevent"), migrations.RunPython.noop),
    ]
