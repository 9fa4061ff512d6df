"""Invitations after a purchase (Survey.invite_after_purchase, InvitationTrigger.PURCHASE): the
occasion's check allows it; off for every survey until its owner turns it on."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0016_membership_low_score_email'),
        ('customers', '0054_acquisition_channel_not_known'),
        ('promises', '0014_promise_repeats_monthly'),
        ('surveys', '0011_invitation_trigger_round'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='surveyinvitation',
            name='invitation_trigger_valid',
        ),
        migrations.AddField(
            model_name='survey',
            name='invite_after_purchase',
            field=models.BooleanField(default=False, verbose_name='invite after a purchase'),
        ),
        migrations.AlterField(
            model_name='surveyinvitation',
            name='trigger',
            field=models.CharField(choices=[('delivery', 'after a kept delivery'), ('complaint', 'after a resolved complaint'), ('purchase', 'after a purchase'), ('manual', 'by hand'), ('round', 'in a survey round')], default='manual', max_length=10, verbose_name='occasion'),
        ),
        migrations.AddConstraint(
            model_name='surveyinvitation',
            constraint=models.CheckConstraint(condition=models.Q(('trigger__in', ['delivery', 'complaint', 'purchase', 'manual', 'round'])), name='invitation_trigger_valid'),
        ),
    ]
