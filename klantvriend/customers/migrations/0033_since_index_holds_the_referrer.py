"""The index of the days customers came (customer_business_since) also holds their referrer, so
that the channel a customer came through (customers.selectors.came_through: a referrer makes it
a referral whatever channel was ticked) is read from the index alone: the customer list of a
channel counts its customers and finds their ids without reading each customer's row."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0032_first_purchase_and_absences_kept"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_business_since"),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(
                fields=["business", "customer_since", "acquisition_channel", "referred_by"],
                name="customer_business_since",
            ),
        ),
        migrations.RunPython(statistics_refresher("customers_customer"), migrations.RunPython.noop),
    ]
