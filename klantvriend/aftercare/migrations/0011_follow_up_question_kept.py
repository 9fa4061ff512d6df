"""A follow-up keeps which of Klantvriend's questions its note is, and about what, so that each
reader reads it in their own language (FollowUp.asks). The follow-ups the rules planned before
are recognised by their note: the question about what they follow, as it was written in one of
the languages; a note reworded since, or whose promise, complaint or purchase was changed,
stays a note as written."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import translation


def questions_kept(apps, schema_editor):
    from klantvriend.aftercare.models import (
        NOTE_LENGTH,
        Question,
        complaint_quoted,
        promise_question,
        question_written,
        shortened,
    )

    FollowUp = apps.get_model("aftercare", "FollowUp")
    planned = (
        FollowUp.objects.filter(question="")
        .filter(
            Q(promise__isnull=False)
            | Q(complaint__isnull=False)
            | Q(purchase__isnull=False)
            | Q(referred_customer__isnull=False)
        )
        .select_related("promise", "complaint", "purchase", "referred_customer")
    )
    recognised = []
    for follow_up in planned.iterator(chunk_size=2000):
        candidates = []
        if follow_up.promise is not None:
            promise = follow_up.promise
            candidates.append(promise_question(kind=promise.kind, description=promise.description))
        if follow_up.complaint is not None:
            candidates.append((Question.COMPLAINT, complaint_quoted(follow_up.complaint.description)))
        if follow_up.purchase is not None:
            description = follow_up.purchase.description
            candidates.append((Question.PURCHASE, shortened(description, NOTE_LENGTH)))
        if follow_up.referred_customer is not None:
            name = follow_up.referred_customer.name
            candidates += [(Question.REFERRAL_FIRST_PURCHASE, name), (Question.REFERRAL, name)]
        for question, about in candidates:
            written = set()
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    written.add(question_written(question, about))
            if follow_up.note in written:
                follow_up.question, follow_up.question_about = question, about
                recognised.append(follow_up)
                break
    FollowUp.objects.bulk_update(recognised, ["question", "question_about"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('aftercare', '0010_follow_up_to_win_back'),
        ('complaints', '0005_complaints_by_message'),
        ('core', '0014_idempotent_request_keeps_its_headers'),
        ('customers', '0050_erased_identity_remembers_phone'),
        ('promises', '0012_promise_repeats'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='followup',
            name='question',
            field=models.CharField(blank=True, choices=[('after_kept', 'after a kept promise'), ('quote', 'after a quote'), ('complaint', 'after a complaint'), ('purchase', 'after a purchase'), ('referral', 'to thank for a referral'), ('referral_first_purchase', 'to thank for a first purchase')], max_length=30, verbose_name='question'),
        ),
        migrations.AddField(
            model_name='followup',
            name='question_about',
            field=models.CharField(blank=True, max_length=300, verbose_name='asked about'),
        ),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.CheckConstraint(condition=models.Q(('question__in', ['', 'after_kept', 'quote', 'complaint', 'purchase', 'referral', 'referral_first_purchase'])), name='followup_question_valid'),
        ),
        migrations.RunPython(questions_kept, migrations.RunPython.noop),
    ]
