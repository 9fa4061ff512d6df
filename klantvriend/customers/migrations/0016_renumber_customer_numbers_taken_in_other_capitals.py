"""Makes way for the unique constraint on customer numbers in any capitals (migration 0017).

Before, only the forms, the API and the importers refused a number that another customer has in
other capitals, and not two saves at the same moment, nor numbers typed before that check
existed. A shop upgrading may therefore hold such pairs. The upgrade must not stop on them (the
shop would stand still until someone edits its database by hand), and nothing may be merged or
lost: the customer recorded first keeps the number, each later one gets it with "-2", "-3", …
(identity.renumbering), recorded in the audit trail as a change of their customer number (shown
on their profile), and listed on the console of whoever runs the migration. A till file that
still names the later customer by the old spelling now finds the first one: the owner gives the
later customer its new number in the till as well."""

from django.db import migrations
from django.db.models import Count
from django.utils import timezone

from klantvriend.core.db import AsciiLower
from klantvriend.customers.identity import renumbering


def renumber_numbers_taken_in_other_capitals(apps, schema_editor, *, out=print):
    Customer = apps.get_model("customers", "Customer")
    AuditEvent = apps.get_model("core", "AuditEvent")
    numbered = Customer.objects.using(schema_editor.connection.alias).exclude(external_ref="")
    businesses = sorted(
        set(
            numbered.annotate(key=AsciiLower("external_ref"))
            .values("business_id", "key")
            .annotate(customers=Count("id"))
            .filter(customers__gt=1)
            .values_list("business_id", flat=True)
        )
    )
    now = timezone.now()
    for business_id in businesses:
        numbers = list(
            numbered.filter(business_id=business_id)
            .order_by("created_at", "id")
            .values_list("id", "external_ref")
        )
        old = dict(numbers)
        for pk, number in renumbering(numbers).items():
            Customer.objects.using(schema_editor.connection.alias).filter(pk=pk).update(
                external_ref=number, updated_at=now
            )
            AuditEvent.objects.using(schema_editor.connection.alias).create(
                business_id=business_id,
                actor=None,
                action="changed",
                object_type="customer",
                object_id=pk,
                customer_id=pk,
                at=now,
                changes={"external_ref": [old[pk], number]},
            )
            out(
                f"Business {business_id}: customer {pk}'s number {old[pk]!r} was another "
                f"customer's in other capitals; it is now {number!r}."
            )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_login_failures"),
        ("customers", "0015_anonymised_customers_index"),
    ]

    # The constraint is added by the next migration, in a transaction of its own: PostgreSQL
    # does not build an index on a table with row changes of the same transaction pending.
    operations = [
        migrations.RunPython(renumber_numbers_taken_in_other_capitals, migrations.RunPython.noop),
    ]
