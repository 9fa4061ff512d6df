from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klantvriend.core.models import BusinessOwned, WrittenTextField


class Channel(models.TextChoices):
    COUNTER = "counter", _("at the counter")
    PHONE = "phone", _("phone")
    EMAIL = "email", _("email")
    # WhatsApp, a text message: how many a shop's customers reach it (contact moments have it).
    MESSAGE = "message", _("message (WhatsApp, text)")
    SOCIAL_MEDIA = "social_media", _("social media")
    REVIEW_SITE = "review_site", _("review site")
    OTHER = "other", _("other")


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Driver(models.TextChoices):
    """The satisfaction driver a complaint concerns (PRODUCT.md, idea 7)."""

    CERTAINTY = "certainty", _("certainty")
    FLEXIBILITY = "flexibility", _("flexibility")
    RELIABILITY = "reliability", _("reliability")
    CUSTOMISATION = "customisation", _("customisation")
    COMPLAINT_HANDLING = "complaint_handling", _("complaint handling")
    OTHER = "other", _("other")


# The deadline of a complaint's running clock (clocks.complaint_clock): while unanswered both
# clocks run and the one that ends first is what staff must beat, once answered the resolution's.
RUNNING_DEADLINE = models.Case(
    models.When(first_response_at__isnull=True, then=Least("respond_by", "resolve_by")),
    default=models.F("resolve_by"),
)
# The order of unresolved complaints, as Today lists them and the complaints list begins: by
# the running clock's deadline (breached first, longest breached on top, then by time left), of
# two with the same deadline the public one first (others can read it), then as received. The
# index complaint_queue holds it for each business's unresolved complaints.
QUEUE_ORDER = (
    RUNNING_DEADLINE.asc(),
    models.F("public").desc(),
    models.F("received_at").asc(),
    models.F("id").asc(),
)


# Worked out from other fields and the business's settings (complaints.services): not exported,
# and set again when a complaint is restored into a business.
DEADLINE_FIELDS = ("respond_by", "resolve_by")


class Complaint(BusinessOwned):
    # Not part of its version (core.versions.record_version, the API's ETag): a change of the
    # care settings works the deadlines of every complaint out again, and must not make every
    # client's If-Match of a complaint fail as if someone had changed it.
    DERIVED_FIELDS = DEADLINE_FIELDS

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="complaints",
    )
    # Received, answered or resolved: a complaint of long ago still being handled is contact.
    activity_fields = ("received_at", "first_response_at", "resolved_at")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.COUNTER
    )
    public = models.BooleanField(
        _("public"), default=False, help_text=_("Posted where others can read it.")
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    description = WrittenTextField(_("what is the complaint"))
    driver = models.CharField(
        _("what it is about"), max_length=20, choices=Driver.choices, default=Driver.OTHER
    )
    # The customer's promise the complaint is about (an order not ready, a car not done at the
    # hour said): what a broken promise cost shows on the promises kept page. Another
    # customer's promise is refused (clean); removing the promise leaves the complaint.
    promise = models.ForeignKey(
        "promises.Promise",
        verbose_name=_("about the promise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    # The deadlines of its two clocks (clocks.complaint_deadlines), stored so that the database
    # orders the queue by them (QUEUE_ORDER). Worked out again by complaints.services whenever
    # what they depend on changes: received_at, public, the business's care settings or zone.
    respond_by = models.DateTimeField(_("first response due"), editable=False)
    resolve_by = models.DateTimeField(_("resolution due"), editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = WrittenTextField(_("resolution"), blank=True)
    recovery_gesture = models.CharField(_("recovery gesture"), max_length=300, blank=True)
    satisfaction_after = models.PositiveSmallIntegerField(
        _("satisfaction after recovery (1-5)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["business", "resolved_at"], name="complaint_business_resolved"),
            models.Index(fields=["business", "received_at"], name="complaint_business_received"),
            models.Index(fields=["customer", "received_at"], name="complaint_customer_received"),
            models.Index(
                models.F("business"),
                *QUEUE_ORDER,
                name="complaint_queue",
                condition=models.Q(resolved_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="complaint_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(severity__in=Severity.values), name="complaint_severity_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(driver__in=Driver.values), name="complaint_driver_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(description=""),
                name="complaint_description_not_empty",
                violation_error_message=_("Describe the complaint."),
            ),
            models.CheckConstraint(
                condition=models.Q(first_response_at__isnull=True)
                | models.Q(first_response_at__gte=models.F("received_at")),
                name="complaint_response_after_received",
                violation_error_message=_("A complaint cannot be answered before it was received."),
            ),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True)
                | models.Q(
                    resolved_at__gte=models.F("received_at"), first_response_at__isnull=False
                ),
                name="complaint_resolved_after_received",
                violation_error_message=_("A complaint cannot be resolved before it was received."),
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction_after__isnull=True)
                | models.Q(satisfaction_after__gte=1, satisfaction_after__lte=5),
                name="complaint_satisfaction_1_to_5",
                violation_error_message=_("Satisfaction is a number from 1 to 5."),
            ),
        ]

    def __str__(self) -> str:
        return self.description[:60]

    def clean_fields(self, exclude=None) -> None:
        # The promise is checked in clean, against this customer's own: the field's own check
        # would tell a promise of another business ("does not exist") from one of another
        # customer here, and so say which ids other businesses have.
        super().clean_fields(exclude={*(exclude or ()), "promise"})

    def clean(self) -> None:
        super().clean()
        if self.promise_id is None:
            return
        promises = self._meta.get_field("promise").related_model.objects
        if not promises.filter(pk=self.promise_id, customer_id=self.customer_id).exists():
            raise ValidationError(
                {
                    "promise": ValidationError(
                        _("Choose a promise made to this customer."), code="not_this_customers"
                    )
                }
            )

    @property
    def answered_on_the_spot(self) -> bool:
        """First answered at the moment it was received: at the counter or on the phone, as
        `complaint_create(answered_on_the_spot=True)` records it."""
        return self.first_response_at is not None and self.first_response_at == self.received_at
