"""A customer's privacy requests (AVG articles 15, 16, 17, 21), recorded the day they come in and
open until handled (customers.privacy_requests), and the consent history's source for an
objection answered by withdrawing consent. No data to move: a new table, and a new choice that
changes nothing stored."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0012_audit_log_filter_indexes'),
        ('customers', '0041_important_dates_indexed_by_day'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='consentrecord',
            name='source',
            field=models.CharField(blank=True, choices=[('web', 'customer form'), ('api', 'API (a linked system)'), ('import', 'file import'), ('erasure', 'anonymisation'), ('email_link', 'opt-out link in an email'), ('privacy_request', 'objection to marketing (privacy request)')], max_length=20, verbose_name='recorded through'),
        ),
        migrations.CreateModel(
            name='PrivacyRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('access', 'copy of their data (article 15)'), ('correction', 'correction (article 16)'), ('erasure', 'erasure (article 17)'), ('objection', 'objection to marketing (article 21)'), ('other', 'other')], max_length=20, verbose_name='request')),
                ('received_on', models.DateField(verbose_name='received on')),
                ('channel', models.CharField(choices=[('counter', 'at the counter'), ('phone', 'by phone'), ('email', 'by email'), ('letter', 'by letter')], max_length=20, verbose_name='came in')),
                ('note', models.TextField(blank=True, max_length=2000, verbose_name='note')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='recorded at')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled at')),
                ('handled_how', models.CharField(blank=True, choices=[('copy_given', 'copy given to the customer'), ('erased', 'customer anonymised'), ('consent_withdrawn', 'marketing consent withdrawn'), ('by_hand', 'marked as handled')], max_length=20, verbose_name='handled how')),
                ('handled_note', models.TextField(blank=True, max_length=2000, verbose_name='how it was answered')),
                ('business', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.business')),
                ('customer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='privacy_requests', to='customers.customer')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handled by')),
                ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='recorded by')),
            ],
            options={
                'verbose_name': 'privacy request',
                'verbose_name_plural': 'privacy requests',
                'ordering': ['received_on', 'id'],
                'indexes': [models.Index(condition=models.Q(('handled_at__isnull', True)), fields=['business', 'received_on', 'id'], name='privacy_request_open')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['access', 'correction', 'erasure', 'objection', 'other'])), name='privacy_request_kind_valid'), models.CheckConstraint(condition=models.Q(('channel__in', ['counter', 'phone', 'email', 'letter'])), name='privacy_request_channel_valid'), models.CheckConstraint(condition=models.Q(models.Q(('handled_at__isnull', True), ('handled_how', '')), models.Q(('handled_at__isnull', False), ('handled_how__in', ['copy_given', 'erased', 'consent_withdrawn', 'by_hand'])), _connector='OR'), name='privacy_request_handled_whole')],
            },
        ),
    ]
