from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klantvriend.core.models import Business
from klantvriend.customers.models import Customer


class CustomerActivity(models.Model):
    """The latest moment and the latest day at which something happened with a customer, as the
    retention rule counts it (privacy.retention_candidates), kept by triggers on every kind of
    record that dates activity and on the customers (migration 0001 here): the rule asked every
    old customer a dozen questions, one per kind of record, to find the few with whom nothing
    happened, and now reads those few from an index.

    `moment` is the latest of the customer's `created_at` and every activity moment of their
    rows (and of a person's changes in the audit trail); `day` the latest of `customer_since`
    and every activity day (a follow-up's planned day), which the rule compares with the
    business's own day. Every customer has a row, made with the customer and taken away when
    they are anonymised, so that the rule's candidates are counted from this index alone. Not
    BusinessOwned: the customer's rows are what it is made of, not rows of the customer to be
    moved on a merge or exported."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="activity"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    moment = models.DateTimeField()
    day = models.DateField()

    class Meta:
        indexes = [
            # The rule's candidates: a range of this index, however many customers are active.
            models.Index(fields=["business", "moment", "day"], name="customer_activity_latest")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.moment}, {self.day}"


class ImportRecord(models.Model):
    """One import of a file, from the import page or `manage.py import_data`: who, when, which
    file, what came of it and its counts (importers.history). Written in two steps, each whole:
    when the import starts (`running`) and when its outcome is known, after the import's own
    transaction, so that a refused file, rolled back, still leaves its record and its errors.

    Not BusinessOwned, as the audit trail is not: an account of the server's work, not the
    shop's data to export or move; kept IMPORT_HISTORY_DAYS (importers.history) because its
    errors quote the file's cells, a name or an e-mail address among them."""

    class State(models.TextChoices):
        RUNNING = "running", _("under way")
        IMPORTED = "imported", _("imported")
        CHECKED = "checked", _("file fine")
        REFUSED = "refused", _("refused")
        INTERRUPTED = "interrupted", _("interrupted")
        FAILED = "failed", _("stopped on an error in Klantvriend")

    class Source(models.TextChoices):
        WEB = "web", _("import page")
        COMMAND = "command", _("command")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    # Kept (as NULL) when the member's account goes: the record outlives them, as the trail does.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    kind = models.CharField(max_length=20)
    dry_run = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255)
    file_size = models.BigIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING)
    # "host:pid" of the process that runs it: a record left `running` by a process that is gone
    # (a server restarted, a command killed) is shown as interrupted (history.shown_state).
    process = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    customers_created = models.PositiveIntegerField(default=0)
    anonymised = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # Lines of an accepted file stored otherwise than they said (ImportResult.notes), kept on
    # the pages that a refused file's errors fill.
    note_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            # The import page's history, the latest first, a page at a time.
            models.Index(fields=["business", "-started_at", "-id"], name="import_record_latest"),
            # The retention job's old records, of every business at once.
            models.Index(fields=["started_at"], name="import_record_started"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.state})"


class ImportErrorPage(models.Model):
    """A page of errors of a recorded import (of notes, for an accepted file), in the file's
    order: the errors are stored as the
    history shows them, ERRORS_PER_PAGE (importers.history) to a row, each as [line, column,
    value, message, code]. A refused file of ten thousand errors is a hundred rows, written in
    one insert, and a page of them one row read by its key: a row per error cost two seconds
    of building and binding model instances for ten thousand."""

    record = models.ForeignKey(ImportRecord, on_delete=models.CASCADE, related_name="error_pages")
    number = models.PositiveIntegerField()
    errors = models.JSONField()
    # The errors' values and messages as an erasure looks for a person in them (history.
    # error_page_search_text): asked of the JSON cast to text, an erasure took PostgreSQL 1.6 s
    # with a history of 1,000 pages; a plain LIKE on this, tens of ms (docs/benchmarks.md).
    # Empty as the database's default for a page written by the code before it (a server not
    # restarted yet after the upgrade), which every search then reads.
    search_text = models.TextField(db_default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "number"], name="import_error_page_number")
        ]

    def __str__(self) -> str:
        return f"{self.record_id}: page {self.number}"
