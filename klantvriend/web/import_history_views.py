"""The import history (owners only, as the import is): every import of a file, the latest first,
each opening to its counts and all its errors (or, for an accepted file, its notes), a page at a time or as a CSV file for fixing the
file in a spreadsheet (importers.history)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.importers import history
from klantvriend.importers.models import ImportRecord
from klantvriend.importers.results import MAX_KEPT_ERRORS, notes_summary

from .views import CountedPaginator, owner_required

IMPORTS_PER_PAGE = 50
# The latest imports shown under the import form, with a link to all of them.
RECENT_IMPORTS = 5

KIND_LABELS = {"customers": gettext_lazy("customers"), "purchases": gettext_lazy("purchases")}


def recent_imports(business) -> tuple[list, int]:
    """The latest imports for the import page, each with its shown state, and how many in all."""
    count = history.import_record_count(business=business)
    records = list(history.import_record_list(business=business)[:RECENT_IMPORTS]) if count else []
    return _shown(records), count


def _shown(records: list[ImportRecord]) -> list[ImportRecord]:
    """The records with what the pages say of them: their state (a record left running by a
    process that is gone was interrupted) and what they held."""
    for record in records:
        record.shown_state = history.shown_state(record)
        record.state_label = ImportRecord.State(record.shown_state).label
        record.kind_label = KIND_LABELS.get(record.kind, record.kind)
        record.notes_summary = notes_summary(record.note_count)
    return records


@owner_required
def import_history_view(request: HttpRequest) -> HttpResponse:
    count = history.import_record_count(business=request.business)
    records = history.import_record_list(business=request.business)
    page = CountedPaginator(records, IMPORTS_PER_PAGE, count=count).get_page(
        request.GET.get("page")
    )
    page.object_list = _shown(list(page.object_list))
    return render(
        request,
        "web/import_history.html",
        {"page": page, "count": count, "history_days": history.IMPORT_HISTORY_DAYS},
    )


@owner_required
def import_record_view(request: HttpRequest, import_record_id: int) -> HttpResponse:
    record = history.import_record_get(business=request.business, record_id=import_record_id)
    _shown([record])
    # A page of errors is a stored row (importers.history): paged by the rows, one to a page.
    pages = history.import_error_page_count(record=record)
    page = Paginator(range(pages), 1).get_page(request.GET.get("page"))
    errors = history.import_error_page(record=record, number=page.number) if pages else []
    return render(
        request,
        "web/import_record.html",
        {
            "record": record,
            "page": page,
            "errors": errors,
            "kept": min(record.error_count or record.note_count, MAX_KEPT_ERRORS),
        },
    )


@owner_required
def import_errors_download(request: HttpRequest, import_record_id: int) -> HttpResponse:
    record = history.import_record_get(business=request.business, record_id=import_record_id)
    # A refused file's errors, or an accepted one's notes (history.import_record_finish).
    last = _("Problem") if record.error_count else _("Note")
    header = [_("Line"), _("Column"), _("Value"), last]
    response = StreamingHttpResponse(
        history.import_errors_csv(record=record, header=header),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{record.pk}-errors.csv"'
    return response
