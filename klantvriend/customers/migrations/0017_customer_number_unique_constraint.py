"""K-1001 and k-1001 become one customer number in the database too: a unique constraint on the
number folded as the importers fold it (core.db.AsciiLower), which also serves their lookups.
Migration 0016 renumbered the pairs a shop had from before."""

from django.db import migrations, models

import klantvriend.core.db


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0016_renumber_customer_numbers_taken_in_other_capitals"),
    ]

    operations = [
        # Both are part of the new constraint: the same spelling is one of the capitals, and
        # the constraint's index serves the importers' lookups by number.
        migrations.RemoveConstraint(
            model_name="customer",
            name="customer_unique_external_ref",
        ),
        migrations.RemoveIndex(
            model_name="customer",
            name="customer_number_key",
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                models.F("business"),
                klantvriend.core.db.AsciiLower("external_ref"),
                condition=models.Q(("external_ref", ""), _negated=True),
                name="customer_unique_number_key",
                violation_error_code="unique",
                violation_error_message="Another customer already has this customer number.",
            ),
        ),
    ]
