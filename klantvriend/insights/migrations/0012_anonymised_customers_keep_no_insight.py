"""An anonymised customer keeps no insight and no history of one (services.customer_insight_forget):
they stood in the segment lists with a win-back margin on their card. The business's figures
(the advice's counts) leave them out from the next refresh on (after an import, nightly, or on
saving the margin)."""

from django.db import migrations


def forget_the_anonymised(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    anonymised = Customer.objects.filter(erased_at__isnull=False).values("id")
    for name in ("CustomerInsight", "InsightSnapshot"):
        apps.get_model("insights", name).objects.filter(customer__in=anonymised).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0011_customer_insight_keeps_the_value_if_won_back"),
        ("customers", "0049_customer_sort_name"),
    ]

    operations = [migrations.RunPython(forget_the_anonymised, migrations.RunPython.noop)]
