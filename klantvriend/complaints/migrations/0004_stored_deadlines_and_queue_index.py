"""Each complaint stores the deadlines of its two clocks (respond_by, resolve_by), worked out by
the same code that sets them on every write (complaints.services.deadlines_refresh, business by
business, in batches), so that Today and the complaints list order the unresolved ones in SQL
through the partial index complaint_queue. Nullable while they are filled, then required."""

import zoneinfo

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from klantvriend.core.care_settings import care_settings
from klantvriend.core.db import statistics_refresher


def fill_deadlines(apps, schema_editor):
    from klantvriend.complaints.services import deadlines_refresh

    Business = apps.get_model("core", "Business")
    Complaint = apps.get_model("complaints", "Complaint")
    for business in Business.objects.filter(
        pk__in=Complaint.objects.values("business_id")
    ).order_by("pk"):
        deadlines_refresh(
            Complaint.objects.filter(business_id=business.pk),
            settings=care_settings(business),
            tz=zoneinfo.ZoneInfo(business.time_zone),
        )



class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0003_driver_label_says_what_it_is_about'),
        ('core', '0009_audit_business_action'),
        ('customers', '0035_purchase_updated_at'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='resolve_by',
            field=models.DateTimeField(editable=False, null=True, verbose_name='resolution due'),
        ),
        migrations.AddField(
            model_name='complaint',
            name='respond_by',
            field=models.DateTimeField(editable=False, null=True, verbose_name='first response due'),
        ),
        migrations.RunPython(fill_deadlines, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name='complaint',
            name='resolve_by',
            field=models.DateTimeField(editable=False, verbose_name='resolution due'),
        ),
        migrations.AlterField(
            model_name='complaint',
            name='respond_by',
            field=models.DateTimeField(editable=False, verbose_name='first response due'),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(models.F('business'), models.OrderBy(models.Case(models.When(first_response_at__isnull=True, then=django.db.models.functions.comparison.Least('respond_by', 'resolve_by')), default=models.F('resolve_by'))), models.OrderBy(models.F('public'), descending=True), models.OrderBy(models.F('received_at')), models.OrderBy(models.F('id')), condition=models.Q(('resolved_at__isnull', True)), name='complaint_queue'),
        ),
        migrations.RunPython(statistics_refresher("complaints_complaint"), migrations.RunPython.noop),
    ]
