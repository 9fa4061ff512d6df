"""Import and export of the business's data (owners only): upload a CSV, check the preview and
the column mapping, try a dry run, import; download everything as a zip."""

import re
import secrets
import tempfile
import time
from itertools import islice
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klantvriend.importers.export import business_export
from klantvriend.importers.history import IMPORT_HISTORY_DAYS
from klantvriend.importers.mapping import (
    CUSTOMERS,
    FIELDS,
    KINDS,
    MappingError,
    build_mapping,
    detect_mapping,
    unread_headers,
    visits_summarised,
)
from klantvriend.importers.reading import FileFormatError, detect_format, iter_rows
from klantvriend.importers.service import file_format_message
from klantvriend.importers.values import DATE_ORDERS

from . import import_runs
from .import_history_views import KIND_LABELS, recent_imports
from .views import download_name, owner_required

SESSION_KEY = "klantvriend_imports"
PREVIEW_ROWS = 8
# Uploaded files wait here between the preview and the import; a day later they are removed.
UPLOAD_LIFETIME_SECONDS = 24 * 3600
MAX_UPLOAD_BYTES = 500 * 1024 * 1024
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def upload_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _remove_stale_uploads(folder: Path) -> None:
    limit = time.time() - UPLOAD_LIFETIME_SECONDS
    for path in [*folder.glob("*.csv"), *folder.glob("*.json")]:
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("what the file holds"),
        choices=[(kind, KIND_LABELS[kind]) for kind in KINDS],
        widget=forms.RadioSelect,
        initial="customers",
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "From Excel (Save as → CSV) or your till: semicolons, commas or tabs, "
            "UTF-8 or Windows-1252 are all fine."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": MAX_UPLOAD_BYTES // 2**20},
                code="too_large",
            )
        return upload


class MappingForm(forms.Form):
    """One choice per field: which column holds it, or "not in this file"."""

    date_order = forms.ChoiceField(
        label=gettext_lazy("order of day and month"),
        required=False,
        choices=[
            ("", gettext_lazy("decide from the file")),
            ("dmy", gettext_lazy("day first (25-04-2026)")),
            ("mdy", gettext_lazy("month first (04-25-2026)")),
        ],
    )

    def __init__(self, *args, kind: str, headers: tuple[str, ...], detected: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in this file —"))] + [(h, h) for h in headers if h]
        for item in FIELDS[kind]:
            self.fields[f"column_{item.name}"] = forms.ChoiceField(
                label=item.label,
                required=False,
                choices=choices,
                initial=detected.get(item.name, ""),
            )
        self.order_fields([*(f"column_{item.name}" for item in FIELDS[kind]), "date_order"])
        self.kind = kind

    def column_fields(self):
        return [self[name] for name in self.fields if name.startswith("column_")]

    def overrides(self) -> dict[str, str]:
        return {
            name.removeprefix("column_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("column_")
        }


def _upload(request: HttpRequest, token: str) -> tuple[str, str, Path]:
    """The kind, original name and path of an upload of this session and business; the file
    itself is gone once it was imported (its run's status stays, to show the outcome)."""
    uploads = request.session.get(SESSION_KEY, {})
    entry = uploads.get(token) if _TOKEN.match(token) else None
    if not entry or entry["business"] != request.business.pk:
        raise Http404
    path = upload_dir() / f"{token}.csv"
    if not path.exists() and not import_runs.status_path(path).exists():
        raise Http404
    return entry["kind"], entry["name"], path


@owner_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        folder = upload_dir()
        _remove_stale_uploads(folder)
        token = secrets.token_hex(16)
        with (folder / f"{token}.csv").open("wb") as out:
            for chunk in form.cleaned_data["file"].chunks():
                out.write(chunk)
        uploads = request.session.get(SESSION_KEY, {})
        uploads[token] = {
            "kind": form.cleaned_data["kind"],
            "name": form.cleaned_data["file"].name[:200],
            "business": request.business.pk,
        }
        request.session[SESSION_KEY] = uploads
        return redirect("web:import_preview", token=token)
    recent, count = recent_imports(request.business)
    return render(
        request,
        "web/import_start.html",
        {
            "form": form,
            "recent_imports": recent,
            "import_count": count,
            "history_days": IMPORT_HISTORY_DAYS,
            # The columns the importers recognise, named as the preview's column choices name
            # them: a shopkeeper preparing a file reads what it may hold before uploading it.
            "columns": {kind: [item.label for item in FIELDS[kind]] for kind in KINDS},
        },
        status=422 if form.errors else 200,
    )


def _preview(path, table) -> list[list[str]]:
    """The first rows as read; up to a broken quote, which the import itself reports."""
    rows: list[list[str]] = []
    if not path.exists():
        return rows
    try:
        for _line, cells in islice(iter_rows(path, table), PREVIEW_ROWS):
            rows.append(cells)
    except FileFormatError:
        pass
    return rows


@owner_required
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The file's first rows and the columns found; POST starts a dry run or the import in the
    background (import_runs), and the page then follows it until its outcome is known."""
    kind, name, path = _upload(request, token)
    run = import_runs.read(path)
    context = {
        "token": token,
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "file_name": name,
        "run": run,
        "result": run.result if run else None,
    }
    if not path.exists():  # imported: only its outcome is left to show
        if request.method == "POST":
            raise Http404
        if request.htmx:
            # The page that followed the import still offers its form: load it anew without.
            return HttpResponse(headers={"HX-Refresh": "true"})
        return _import_page(request, context)
    try:
        table = detect_format(path)
    except FileFormatError as error:
        context["file_error"] = file_format_message(error.code)
        return render(request, "web/import_preview.html", context, status=422)
    try:
        detected = build_mapping(kind, table)
        unfound = []
    except MappingError as error:
        detected = detect_mapping(kind, table)
        # Said above the column choices as soon as the page opens: the dry run was the first
        # to say that no column held the customer, after its wait.
        unfound = [message for _field, message in error.messages]
    form = MappingForm(request.POST or None, kind=kind, headers=table.headers, detected=detected)
    # One run of a file at a time: a button pressed while one runs starts nothing, and says so
    # (Import pressed during the dry run would otherwise seem to do nothing).
    context["pressed_while_running"] = request.method == "POST" and run is not None and run.running
    if request.method == "POST" and form.is_valid() and not context["pressed_while_running"]:
        import_runs.start(
            upload=path,
            business=request.business,
            actor=request.user,
            kind=kind,
            file_name=name,
            columns=form.overrides(),
            dry_run=request.POST.get("action") != "import",
            date_order=form.cleaned_data["date_order"] or None,
        )
        if not request.htmx:
            return redirect("web:import_preview", token=token)
        run = import_runs.read(path)
        context.update({"run": run, "result": run.result if run else None})
    chosen = form.overrides() if form.is_bound and form.is_valid() else detected
    context.update(
        {
            "table": table,
            "preview": _preview(path, table),
            "form": form,
            "unfound": unfound,
            # Said before the dry run, which finds nothing wrong with a column it does not read:
            # a file's street addresses were left out without a word.
            "unread": [f"“{header}”" for header in unread_headers(table, chosen)],
            "visits_summarised": kind == CUSTOMERS
            and visits_summarised(unread_headers(table, chosen)),
            # The columns as chosen in the form just sent, which the page's notice then says
            # anew; a page asking how a run goes sends no choices.
            "unread_oob": bool(request.htmx) and form.is_bound and form.is_valid(),
            "date_orders": DATE_ORDERS,
        }
    )
    return _import_page(request, context)


def _import_page(request: HttpRequest, context: dict) -> HttpResponse:
    result = context["result"]
    status = 422 if result is not None and not result.ok else 200
    if request.htmx:
        return render(request, "web/import_preview.html#import-result", context, status=status)
    return render(request, "web/import_preview.html", context, status=status)


@owner_required
def data_export(request: HttpRequest) -> HttpResponse:
    """GET: what the export holds; POST: the zip (a POST, so that a link cannot start it)."""
    if request.method != "POST":
        return render(request, "web/data_export.html", {})
    stream = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it after sending
    business_export(business=request.business, out=stream, actor=request.user)
    stream.seek(0)
    return FileResponse(
        stream,
        as_attachment=True,
        filename=download_name(request.business, "", "zip"),
        content_type="application/zip",
    )
