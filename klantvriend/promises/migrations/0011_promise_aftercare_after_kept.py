"""Whether keeping a promise plans the aftercare call: yes for every promise made before, as
the business's setting alone decided then."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0010_promise_survey_after_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="promise",
            name="aftercare_after_kept",
            field=models.BooleanField(default=True, verbose_name="call afterwards to check"),
        ),
    ]
