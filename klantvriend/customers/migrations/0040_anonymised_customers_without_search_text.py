"""An anonymised customer has no search text (Customer.refresh_derived_fields): the placeholder
left of them ("Geanonimiseerde klant 12") made a search for "klant", "geanonimiseerde" or a
number list every anonymised customer. Emptied here for those anonymised before; the search
index follows through its triggers (SQLite, migration 0005) or as any index (PostgreSQL). One
statement through the index of the anonymised customers (customer_business_anonymised); their
updated_at stays, as nothing the API shows of them changed.

Not undone: the placeholder is no personal data to bring back, and the code before this
migration searches customers without a text as well (they are listed without a search only);
an erasure after a rollback writes the placeholder again."""

from django.db import migrations


def anonymised_without_search_text(apps, schema_editor) -> None:
    Customer = apps.get_model("customers", "Customer")
    Customer.objects.filter(erased_at__isnull=False).exclude(search_text="").update(search_text="")


class Migration(migrations.Migration):
    dependencies = [("customers", "0039_search_text_holds_the_address")]

    operations = [
        migrations.RunPython(anonymised_without_search_text, migrations.RunPython.noop)
    ]
