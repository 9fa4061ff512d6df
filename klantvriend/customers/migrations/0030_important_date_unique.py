"""A customer's important date once: the same "what" on the same date is refused by the
database too. Migration 0029 merged the doubles a shop had from before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_audit_customer_changes"),
        ("customers", "0029_merge_doubled_important_dates"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="importantdate",
            constraint=models.UniqueConstraint(
                fields=("customer", "label", "date"),
                name="important_date_unique",
                violation_error_code="unique",
                violation_error_message="This customer already has this important date.",
            ),
        ),
    ]
