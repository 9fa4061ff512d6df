from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klantvriend.core.models import BusinessOwned
from klantvriend.core.money import MAX_CENTS


class Occasion(models.TextChoices):
    BIRTHDAY = "birthday", _("birthday")
    ANNIVERSARY = "anniversary", _("customer anniversary")
    COMPLAINT_RECOVERY = "complaint_recovery", _("to make up for a complaint")
    REFERRAL_THANKS = "referral_thanks", _("thanks for a referral")
    JUST_BECAUSE = "just_because", _("just because")
    OTHER = "other", _("other")


class Gesture(BusinessOwned):
    """A small unasked extra: something on the house, an extra service, a card."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="gestures",
    )
    activity_fields = ("given_at",)
    # As long as a complaint's recovery gesture, which is logged here too.
    what = models.CharField(_("what"), max_length=300)
    value_cents = models.BigIntegerField(
        _("value"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, message=_("The value cannot be negative.")),
            MaxValueValidator(MAX_CENTS, message=_("This amount is too large.")),
        ],
    )
    occasion = models.CharField(
        _("occasion"), max_length=20, choices=Occasion.choices, default=Occasion.JUST_BECAUSE
    )
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set on the gesture logged from a resolved complaint's recovery gesture: one per complaint.
    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="logged_gesture",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("gesture")
        verbose_name_plural = _("gestures")
        ordering = ["-given_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "given_at"], name="gesture_customer_given"),
            models.Index(fields=["business", "given_at"], name="gesture_business_given"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(occasion__in=Occasion.values), name="gesture_occasion_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(what=""),
                name="gesture_what_not_empty",
                violation_error_message=_("Say what the gesture was."),
            ),
            models.CheckConstraint(
                condition=models.Q(value_cents__isnull=True) | models.Q(value_cents__gte=0),
                name="gesture_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.what
