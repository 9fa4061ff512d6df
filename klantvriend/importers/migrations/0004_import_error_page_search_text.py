"""Each page of import errors keeps its values and messages as an erasure looks for a person in
them (history.error_page_search_text), filled here for the pages kept already."""

import re

from django.db import migrations, models

_DIGIT_RUN = re.compile(r"(?<!\d)\d++(?:[\s./-]++\d++)+")
_PHONE_SEPARATORS = re.compile(r"[\s./-]")
_QUOTING_CELLS = (2, 3)


def _search_text(errors) -> str:
    """scrubbing.search_text of the page's values and messages, as it was written for this
    migration (a later change there must not change what this one did)."""
    lowered = "\n".join(
        error[cell] for error in errors for cell in _QUOTING_CELLS if isinstance(error[cell], str)
    ).lower()
    words = set(lowered.split())
    words.update(_PHONE_SEPARATORS.sub("", run) for run in _DIGIT_RUN.findall(lowered))
    return " ".join(sorted(words))


def fill(apps, schema_editor):
    ImportErrorPage = apps.get_model("importers", "ImportErrorPage")
    keys = list(ImportErrorPage.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(keys), 100):
        pages = list(ImportErrorPage.objects.filter(pk__in=keys[start : start + 100]))
        for page in pages:
            page.search_text = _search_text(page.errors)
        ImportErrorPage.objects.bulk_update(pages, ["search_text"])


class Migration(migrations.Migration):

    dependencies = [
        ("importers", "0003_import_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="importerrorpage",
            name="search_text",
            field=models.TextField(db_default=""),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
