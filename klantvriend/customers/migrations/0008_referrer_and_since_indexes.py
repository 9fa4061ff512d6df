"""Indexes for the reports at 100,000 customers: the ambassador ranking groups a business's
referred customers by referrer (it read every customer row), the acquisition report counts new
customers per month and channel (it read every customer row: 103 ms in SQLite)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_tag_count"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["business", "referred_by"], name="customer_business_referrer"
            ),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["business", "customer_since", "acquisition_channel"],
                name="customer_business_since",
            ),
        ),
    ]
