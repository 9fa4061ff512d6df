"""The audit log filtered by period and by kind (core.audit.audit_trail): two indexes on a trail
of hundreds of thousands of events (AuditEvent.Meta says which query each serves), their
statistics gathered at once on SQLite, which otherwise keeps reading the trail back through
every look until the nightly ANALYZE."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_business_getting_started_closed_at"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["business", "at"], name="audit_business_at"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=~models.Q(action="viewed"),
                fields=["business", "at"],
                name="audit_trail_not_viewed",
            ),
        ),
        migrations.RunPython(
            statistics_refresher("audit_business_at", "audit_trail_not_viewed"),
            migrations.RunPython.noop,
        ),
    ]
