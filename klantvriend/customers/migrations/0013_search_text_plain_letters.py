"""Refreshes the stored search text of the customers whose name, company or e-mail address has a
letter that the search now writes plainly (customers/text.py: "Yılmaz" is searched as "yilmaz").
The search index follows through its triggers."""

from django.db import migrations
from django.db.models import Q

from klantvriend.customers.text import search_text_for

LETTERS = "ıøØłŁđĐæÆœŒþÞ"


def refresh_search_text(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    having = Q()
    for letter in LETTERS:
        for field in ("name", "company", "email"):
            having |= Q(**{f"{field}__contains": letter})
    changed = []
    for customer in Customer.objects.filter(having).only("pk", "name", "company", "email", "phone"):
        customer.search_text = search_text_for(
            name=customer.name, company=customer.company, email=customer.email, phone=customer.phone
        )
        changed.append(customer)
    Customer.objects.bulk_update(changed, ["search_text"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("customers", "0012_erased_identities_remembered_as_digests")]

    operations = [migrations.RunPython(refresh_search_text, migrations.RunPython.noop)]
