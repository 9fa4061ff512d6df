"""An import's record counts its notes: the lines of an accepted file stored otherwise than the
file said (importers.results.ImportResult.notes), kept on the pages of a refused file's errors."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('importers', '0004_import_error_page_search_text'),
    ]

    operations = [
        migrations.AddField(
            model_name='importrecord',
            name='note_count',
            field=models.PositiveIntegerField(default=0),
        ),
    ]
