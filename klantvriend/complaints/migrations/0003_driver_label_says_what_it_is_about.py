"""The label of the satisfaction driver a complaint is about: "what it is about" rather than
"concerns", which above a list of drivers reads as a noun. No SQL: a label only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0002_field_labels_translated'),
    ]

    operations = [
        migrations.AlterField(
            model_name='complaint',
            name='driver',
            field=models.CharField(choices=[('certainty', 'certainty'), ('flexibility', 'flexibility'), ('reliability', 'reliability'), ('customisation', 'customisation'), ('complaint_handling', 'complaint handling'), ('other', 'other')], default='other', max_length=20, verbose_name='what it is about'),
        ),
    ]
