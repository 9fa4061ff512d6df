import factory
from django.utils import timezone

from klantvriend.importers.models import ImportRecord, ImportRecordError


class ImportRecordFactory(factory.django.DjangoModelFactory):
    """A refused import of purchases by the command, with one error (give `business`)."""

    class Meta:
        model = ImportRecord
        skip_postgeneration_save = True

    source = ImportRecord.Source.COMMAND
    kind = "purchases"
    file_name = "kassa.csv"
    file_size = 120
    state = ImportRecord.State.REFUSED
    started_at = factory.LazyFunction(timezone.now)
    finished_at = factory.LazyFunction(timezone.now)
    rows = 2
    error_count = 1

    @factory.post_generation
    def errors(record, create, extracted, **kwargs):
        if create:
            ImportRecordError.objects.create(
                record=record,
                position=1,
                line=2,
                column="Bedrag",
                value="vijf",
                message="Not an amount.",
                code="amount",
            )
