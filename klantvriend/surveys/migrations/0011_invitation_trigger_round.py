"""Invitations made in a survey round (InvitationTrigger.ROUND): the occasion's check allows it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0010_invitation_send_failure'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='surveyinvitation',
            name='invitation_trigger_valid',
        ),
        migrations.AlterField(
            model_name='surveyinvitation',
            name='trigger',
            field=models.CharField(choices=[('delivery', 'after a kept delivery'), ('complaint', 'after a resolved complaint'), ('manual', 'by hand'), ('round', 'in a survey round')], default='manual', max_length=10, verbose_name='occasion'),
        ),
        migrations.AddConstraint(
            model_name='surveyinvitation',
            constraint=models.CheckConstraint(condition=models.Q(('trigger__in', ['delivery', 'complaint', 'manual', 'round'])), name='invitation_trigger_valid'),
        ),
    ]
