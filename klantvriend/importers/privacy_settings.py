"""The business's privacy settings (Business.settings["privacy"]): the retention rule and what
the processing register (AVG art. 30) says about the business. Read with defaults, written only
through `privacy_settings_update`, which validates everything first and keeps an audit trail."""

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from klantvriend.core.audit import audit_diff, audit_record
from klantvriend.core.errors import ValidationError
from klantvriend.core.members import staff_name
from klantvriend.core.models import Business

SETTINGS_KEY = "privacy"


@dataclass(frozen=True)
class PrivacySettings:
    # Customers inactive for this many years (privacy.retention_candidates says what counts) are
    # anonymised by `manage.py apply_retention`; None switches the rule off.
    retention_years: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    # Who processes the data for the business (hosting, mail): the register's "recipients".
    processors: str = ""
    security_measures: str = ""

    @property
    def contact_missing(self) -> bool:
        """Neither a name nor an address: a customer asking who to turn to gets no answer. The
        controller's contact details belong in the register (AVG art. 30(1)(a)) and in what a
        customer is told (art. 13(1)(a), 14(1)(a)) and given on access (art. 15, 12(1))."""
        return not (self.contact_name.strip() or self.contact_email.strip())


DEFAULTS = PrivacySettings()
_TEXT_LIMIT = 2000


def privacy_settings(business: Business) -> PrivacySettings:
    stored = (business.settings or {}).get(SETTINGS_KEY, {})
    values: dict[str, Any] = {}
    for item in fields(PrivacySettings):
        if item.name not in stored:
            continue
        raw = stored[item.name]
        if item.name == "retention_years":
            values[item.name] = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        elif isinstance(raw, str):
            values[item.name] = raw
    return replace(DEFAULTS, **values)


def privacy_settings_update(*, business: Business, actor, **values: Any) -> PrivacySettings:
    unknown = set(values) - {item.name for item in fields(PrivacySettings)}
    if unknown:
        raise TypeError(f"Unknown privacy settings: {sorted(unknown)}")
    current = privacy_settings(business)
    updated = replace(current, **values)
    errors = {}
    years = updated.retention_years
    if years is not None and (
        isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 50
    ):
        errors["retention_years"] = ValidationError(
            _("Enter a whole number of years from %(low)s to %(high)s."),
            code="out_of_range",
            params={"low": 1, "high": 50},
        )
    for name in ("contact_name", "contact_email", "processors", "security_measures"):
        if len(getattr(updated, name)) > _TEXT_LIMIT:
            errors[name] = ValidationError(
                _("Use at most %(limit)s characters."),
                code="max_length",
                params={"limit": _TEXT_LIMIT},
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        stored = dict(locked.settings or {})
        stored[SETTINGS_KEY] = asdict(updated)
        locked.settings = stored
        locked.save(update_fields=["settings"])
        audit_record(
            business=business,
            actor=actor,
            action="settings",
            obj=business,
            changes=audit_diff(asdict(current), asdict(updated)),
        )
    business.settings = stored
    return updated


def privacy_contact_take(*, business: Business, actor) -> PrivacySettings:
    """The owner names themself as the privacy contact in one click: their name, and their
    email address unless one was already filled in (a shared privacy@ address stays)."""
    current = privacy_settings(business)
    return privacy_settings_update(
        business=business,
        actor=actor,
        contact_name=staff_name(actor),
        contact_email=current.contact_email or actor.email,
    )
