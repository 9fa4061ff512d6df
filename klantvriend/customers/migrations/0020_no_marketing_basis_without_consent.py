"""Empties the legal basis of customers without marketing consent.

The API stored a basis sent without consent (the form and the import did not); the services now
store none (services.apply_consent_timestamps). A basis left on such a customer had no effect
while consent was absent, but would become the recorded basis of consent given later without a
stated one (services.marketing_consent_basis_stored), so it goes. Consent was never given on
it, so the consent history has nothing to add."""

from django.db import migrations


def empty_basis_without_consent(apps, schema_editor):
    Customer = apps.get_model("customers", "Customer")
    Customer.objects.using(schema_editor.connection.alias).filter(
        marketing_consent=False
    ).exclude(marketing_consent_basis="").update(marketing_consent_basis="")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0019_consent_without_basis_index"),
    ]

    operations = [
        migrations.RunPython(empty_basis_without_consent, migrations.RunPython.noop),
    ]
