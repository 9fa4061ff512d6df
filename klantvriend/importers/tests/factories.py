import factory
from django.utils import timezone

from klantvriend.importers.history import error_page_search_text
from klantvriend.importers.models import ImportErrorPage, ImportRecord


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
            errors = [[2, "Bedrag", "vijf", "Not an amount.", "amount"]]
            ImportErrorPage.objects.create(
                record=record,
                number=1,
                errors=errors,
                search_text=error_page_search_text(errors),
            )
