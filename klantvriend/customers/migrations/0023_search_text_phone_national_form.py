"""Refreshes the stored search text of the customers whose phone number is written with a
dialling code ("+31 6 …", "0031 6 …"): it now holds the number in its national form as well
(customers/text.py, phone_digits), so that "0612345678" finds it. The search index follows
through its triggers."""

from django.db import migrations
from django.db.models import Q

from klantvriend.customers.text import search_text_for


def refresh_search_text(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    written_internationally = Q(phone__contains="+") | Q(phone__contains="00")
    changed = []
    for customer in Customer.objects.filter(written_internationally).only(
        "pk", "name", "company", "email", "phone", "search_text"
    ):
        text = search_text_for(
            name=customer.name, company=customer.company, email=customer.email, phone=customer.phone
        )
        if text != customer.search_text:
            customer.search_text = text
            changed.append(customer)
    Customer.objects.bulk_update(changed, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("customers", "0022_special_notes_help_names_the_gdpr")]

    operations = [migrations.RunPython(refresh_search_text, migrations.RunPython.noop)]
