"""The list of possible duplicates shows the groups of few customers first (two or three records
of a name rather than twenty namesakes), of one size those with the latest customer first, and
pages by both (customers.selectors.duplicate_keys): its index, in that order, replaces 0026's,
which was in order of the latest customer alone. The tabs' counts still read it alone."""

from django.db import migrations, models

from klantvriend.core.db import statistics_refresher


class Migration(migrations.Migration):
    dependencies = [("customers", "0027_referrer_tally")]

    operations = [
        migrations.RemoveIndex(model_name="matchcount", name="match_count_shared_newest"),
        migrations.AddIndex(
            model_name="matchcount",
            index=models.Index(
                condition=models.Q(("customers__gt", 1)),
                fields=["business", "kind", "customers", "-newest", "apart", "key"],
                name="match_count_shared_fewest",
            ),
        ),
        # The replaced index gets its statistics at once (core.db.statistics_refresher).
        migrations.RunPython(
            statistics_refresher("customers_matchcount"), migrations.RunPython.noop
        ),
    ]
