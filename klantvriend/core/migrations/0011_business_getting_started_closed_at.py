"""Today's "Getting started" card became a checklist that stays until every step is done or an
owner hides it. It used to go with the first customer: a business that already has customers
keeps its Today as it was, the card closed from the moment of the upgrade."""

from django.db import migrations, models
from django.utils import timezone


def close_where_customers(apps, schema_editor):
    Business = apps.get_model("core", "Business")
    Customer = apps.get_model("customers", "Customer")
    Business.objects.filter(
        models.Exists(Customer.objects.filter(business=models.OuterRef("pk")))
    ).update(getting_started_closed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_membership_morning_email"),
        ("customers", "0037_consent_source_email_link"),
    ]

    operations = [
        migrations.AddField(
            model_name="business",
            name="getting_started_closed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="getting started closed at"
            ),
        ),
        migrations.RunPython(close_where_customers, migrations.RunPython.noop),
    ]
