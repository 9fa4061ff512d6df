"""The import history (importers.history): a record per import of a file, with its counts, and
its errors in pages of a hundred, a row each."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0009_audit_business_action'),
        ('importers', '0002_trigger_statements_planned_at_each_firing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(choices=[('web', 'import page'), ('command', 'command')], max_length=10)),
                ('kind', models.CharField(max_length=20)),
                ('dry_run', models.BooleanField(default=False)),
                ('file_name', models.CharField(max_length=255)),
                ('file_size', models.BigIntegerField()),
                ('state', models.CharField(choices=[('running', 'under way'), ('imported', 'imported'), ('checked', 'file fine'), ('refused', 'refused'), ('interrupted', 'interrupted'), ('failed', 'stopped on an error in Klantvriend')], default='running', max_length=12)),
                ('process', models.CharField(blank=True, max_length=200)),
                ('started_at', models.DateTimeField()),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('rows', models.PositiveIntegerField(default=0)),
                ('created', models.PositiveIntegerField(default=0)),
                ('updated', models.PositiveIntegerField(default=0)),
                ('skipped', models.PositiveIntegerField(default=0)),
                ('customers_created', models.PositiveIntegerField(default=0)),
                ('anonymised', models.PositiveIntegerField(default=0)),
                ('error_count', models.PositiveIntegerField(default=0)),
                ('business', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.business')),
                ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='ImportErrorPage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField()),
                ('errors', models.JSONField()),
                ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='error_pages', to='importers.importrecord')),
            ],
        ),
        migrations.AddIndex(
            model_name='importrecord',
            index=models.Index(fields=['business', '-started_at', '-id'], name='import_record_latest'),
        ),
        migrations.AddIndex(
            model_name='importrecord',
            index=models.Index(fields=['started_at'], name='import_record_started'),
        ),
        migrations.AddConstraint(
            model_name='importerrorpage',
            constraint=models.UniqueConstraint(fields=('record', 'number'), name='import_error_page_number'),
        ),
    ]
