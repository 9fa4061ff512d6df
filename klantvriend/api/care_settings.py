"""The business's care settings (core.care_settings) as the web's settings page edits them:
targets, opening hours per weekday, aftercare rules and whether staff see amounts. Owners only,
as that page is. A change goes through care_settings_update, the page's service, which checks
it and records it in the settings' history the page shows."""

import re
from dataclasses import fields
from datetime import date, time
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
)

from klantvriend.core.care_settings import (
    CLOSED_YEARS,
    DAY_TIMES,
    DEFAULTS,
    MAX_CLOSED_PERIOD_DAYS,
    MAX_CLOSED_PERIODS,
    MAX_CLOSED_REASON_LENGTH,
    SETTING_LIMITS,
    WEEKDAY_KEYS,
    CareSettings,
    care_settings,
    care_settings_update,
    care_settings_update_refusals,
    care_settings_version,
)
from klantvriend.core.errors import ChangedMeanwhile
from klantvriend.core.versions import refuse_if_changed

from .common import (
    OWNER_CHANGE_ERRORS,
    OWNER_ERRORS,
    Input,
    Out,
    Patch,
    actor_of,
    business_of,
    not_emptied,
    require_owner,
)
from .versions import IfMatch, expected_versions, set_etag

router = Router(tags=["care settings"])

_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _clock_time(value: Any) -> Any:
    # Only "09:30": a number (seconds since midnight to pydantic) or seconds would be kept as
    # something the owner did not see on the page, which shows hours and minutes.
    if isinstance(value, str) and _CLOCK.fullmatch(value):
        return time.fromisoformat(value)
    raise ValueError(_("Enter a time of day as HH:MM, e.g. 09:30."))


def _hours_and_minutes(value: time) -> str:
    return value.strftime("%H:%M")


ClockTime = Annotated[
    time,
    BeforeValidator(_clock_time),
    PlainSerializer(_hours_and_minutes, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": f"^{_CLOCK.pattern}$"}),
]


_CLOSES = (
    "Later than `opens`, the same day; at or before it, the next morning (17:00 to 01:00), "
    "06:00 at the latest."
)
_BREAK = "A break inside the hours (a lunch hour), from `break_starts` to `break_ends`; null: none."
_OPENS = "When the business opens that day, HH:MM in its time zone."


class DayHoursOut(Out):
    opens: str = Field(..., description=_OPENS, examples=["09:00"])
    closes: str = Field(..., description=_CLOSES, examples=["18:00"])
    break_starts: str | None = Field(..., description=_BREAK, examples=["12:30"])
    break_ends: str | None = Field(..., description=_BREAK, examples=["13:30"])


class DayHoursIn(Input):
    opens: ClockTime = Field(..., description=_OPENS, examples=["09:00"])
    closes: ClockTime = Field(..., description=_CLOSES, examples=["18:00"])
    break_starts: ClockTime | None = Field(
        None, description=f"{_BREAK} Give both or neither.", examples=["12:30"]
    )
    break_ends: ClockTime | None = Field(
        None, description=f"{_BREAK} Give both or neither.", examples=["13:30"]
    )


_CLOSED = "null: closed that day."


class WeekOut(Out):
    monday: DayHoursOut | None = Field(..., description=_CLOSED)
    tuesday: DayHoursOut | None = Field(..., description=_CLOSED)
    wednesday: DayHoursOut | None = Field(..., description=_CLOSED)
    thursday: DayHoursOut | None = Field(..., description=_CLOSED)
    friday: DayHoursOut | None = Field(..., description=_CLOSED)
    saturday: DayHoursOut | None = Field(..., description=_CLOSED)
    sunday: DayHoursOut | None = Field(..., description=_CLOSED)


class WeekIn(Input):
    """All seven days: the week is replaced as a whole, as on the settings page."""

    monday: DayHoursIn | None = Field(..., description=_CLOSED)
    tuesday: DayHoursIn | None = Field(..., description=_CLOSED)
    wednesday: DayHoursIn | None = Field(..., description=_CLOSED)
    thursday: DayHoursIn | None = Field(..., description=_CLOSED)
    friday: DayHoursIn | None = Field(..., description=_CLOSED)
    saturday: DayHoursIn | None = Field(..., description=_CLOSED)
    sunday: DayHoursIn | None = Field(..., description=_CLOSED)


_RULE_WORDS = (
    "1 to 10 words of 40 characters at most; a purchase whose description has one of them at "
    "the start of a word, or (from four letters, plural or not) at the end of one, as the last "
    "part of a compound, in any capitals and with or without accents, gets this follow-up."
)
_RULE_DAYS = "After how many days: 0 (the same day) to 365."
_RULE_ASK = "What to ask the customer: 150 characters at most."


class PurchaseRuleOut(Out):
    words: list[str] = Field(..., description=_RULE_WORDS)
    days: int = Field(..., description=_RULE_DAYS)
    ask: str = Field(..., description=_RULE_ASK)


class PurchaseRuleIn(Input):
    words: list[StrictStr] = Field(..., description=_RULE_WORDS, examples=[["kleur", "balayage"]])
    days: StrictInt = Field(..., description=_RULE_DAYS, examples=[3])
    ask: StrictStr = Field(..., description=_RULE_ASK, examples=["Vragen hoe de kleur houdt"])


_FIRST_CLOSED = (
    f"The first day closed (ISO date), in the years {CLOSED_YEARS[0]} to {CLOSED_YEARS[1]}."
)
_LAST_CLOSED = (
    f"The last day closed (ISO date, included), at most {MAX_CLOSED_PERIOD_DAYS} days after "
    "the first."
)
_CLOSED_REASON = (
    f"Why, said where a promise or call falls on it: {MAX_CLOSED_REASON_LENGTH} characters at "
    "most; may be empty."
)


class ClosedPeriodOut(Out):
    first: date = Field(..., description=_FIRST_CLOSED, examples=["2026-12-25"])
    last: date = Field(..., description=_LAST_CLOSED, examples=["2026-12-26"])
    reason: str = Field(..., description=_CLOSED_REASON, examples=["Kerst"])


class ClosedPeriodIn(Input):
    first: date = Field(..., description=_FIRST_CLOSED, examples=["2026-12-25"])
    last: date | None = Field(
        None,
        description=f"{_LAST_CLOSED} Left out or null for a single day.",
        examples=["2026-12-26"],
    )
    reason: StrictStr = Field("", description=_CLOSED_REASON, examples=["Kerst"])


_STAFF_SEE_AMOUNTS = (
    "Whether staff see customers' total spend, customer value, probability alive, segment and "
    "the insights; owners always do."
)


# What each number of the settings means, for the answer and the PATCH.
_SETTING_SAID = {
    "promise_grace_hours": (
        "An open promise this many hours after its due moment counts as broken. The hours "
        "stand still on the days the business is closed (a closed weekday of `opening_hours`, "
        "a day of `closed_periods`): a promise due on Saturday evening is broken on Monday "
        "evening when Sunday is closed."
    ),
    "complaint_response_working_hours": (
        "A complaint's first response is due within this many working hours."
    ),
    "complaint_public_response_hours": (
        "A public complaint's (social media, review site) first response is due "
        "within this many hours."
    ),
    "complaint_resolution_days": (
        "A complaint is to be resolved within this many working days: by the "
        "closing of the last of them, not counting the day it arrives once the business has "
        "opened that day."
    ),
    "aftercare_delivery_days": (
        "Follow up a kept delivery promise after this many days; null: not."
    ),
    "aftercare_repair_days": "Follow up a kept repair promise after this many days; null: not.",
    "aftercare_complaint_days": "Follow up a resolved complaint after this many days; null: not.",
    "aftercare_quote_days": (
        "Ask whether the customer decided this many days after a quote was sent; null: not."
    ),
    "aftercare_purchase_min_cents": (
        "Follow up purchases of at least this amount, in whole cents; null: not."
    ),
    "aftercare_purchase_days": "After how many days such a purchase is followed up.",
    "aftercare_replan_days": "A customer not reached is tried again after this many days.",
    "coming_up_days": "Important dates show as coming up this many days ahead.",
}


class CareSettingsOut(Out):
    promise_grace_hours: int = Field(..., description=_SETTING_SAID["promise_grace_hours"])
    complaint_response_working_hours: int = Field(
        ..., description=_SETTING_SAID["complaint_response_working_hours"]
    )
    complaint_public_response_hours: int = Field(
        ..., description=_SETTING_SAID["complaint_public_response_hours"]
    )
    complaint_resolution_days: int = Field(
        ..., description=_SETTING_SAID["complaint_resolution_days"]
    )
    opening_hours: WeekOut = Field(
        ...,
        description="Per weekday the time the business opens and closes, in its time zone. "
        "Working hours count in them, and promises and follow-ups are warned off closed days.",
    )
    closed_periods: list[ClosedPeriodOut] = Field(
        ...,
        description="Days closed besides the week's closed days (holidays, a break), in order "
        "of their first day: no working hours count in them, no follow-up is planned on them.",
    )
    aftercare_delivery_days: int | None = Field(
        ..., description=_SETTING_SAID["aftercare_delivery_days"]
    )
    aftercare_repair_days: int | None = Field(
        ..., description=_SETTING_SAID["aftercare_repair_days"]
    )
    aftercare_complaint_days: int | None = Field(
        ..., description=_SETTING_SAID["aftercare_complaint_days"]
    )
    aftercare_quote_days: int | None = Field(..., description=_SETTING_SAID["aftercare_quote_days"])
    aftercare_purchase_min_cents: int | None = Field(
        ..., description=_SETTING_SAID["aftercare_purchase_min_cents"]
    )
    aftercare_purchase_days: int = Field(..., description=_SETTING_SAID["aftercare_purchase_days"])
    aftercare_purchase_rules: list[PurchaseRuleOut] = Field(
        ..., description="Follow-ups for a kind of purchase, in the owner's order (at most 20)."
    )
    aftercare_replan_days: int = Field(..., description=_SETTING_SAID["aftercare_replan_days"])
    coming_up_days: int = Field(..., description=_SETTING_SAID["coming_up_days"])
    staff_see_amounts: bool = Field(..., description=_STAFF_SEE_AMOUNTS)


_NULLABLE = frozenset(
    item.name for item in fields(CareSettings) if type(None) in getattr(item.type, "__args__", ())
)


def _number(name: str) -> Any:
    """A number's field: what it means (null: off, for the aftercare rules), its limits (the
    settings page's) and, as the docs' example, its default (zeros there would be refused by
    most limits)."""
    low, high = SETTING_LIMITS[name]
    return Field(
        None,
        description=f"{_SETTING_SAID[name]} {low} to {high}.",
        examples=[getattr(DEFAULTS, name)],
    )


class CareSettingsUpdate(Patch):
    """The settings to change; those left out stay as they are."""

    promise_grace_hours: StrictInt | None = _number("promise_grace_hours")
    complaint_response_working_hours: StrictInt | None = _number("complaint_response_working_hours")
    complaint_public_response_hours: StrictInt | None = _number("complaint_public_response_hours")
    complaint_resolution_days: StrictInt | None = _number("complaint_resolution_days")
    opening_hours: WeekIn | None = Field(
        None,
        description="The whole week: each of the seven days null (closed) or its `opens` and "
        "`closes` as HH:MM. At least one day is open.",
    )
    closed_periods: list[ClosedPeriodIn] | None = Field(
        None,
        description=f"Every closed period (at most {MAX_CLOSED_PERIODS}): the list replaces "
        "those stored; [] or null removes them all.",
    )
    aftercare_delivery_days: StrictInt | None = _number("aftercare_delivery_days")
    aftercare_repair_days: StrictInt | None = _number("aftercare_repair_days")
    aftercare_complaint_days: StrictInt | None = _number("aftercare_complaint_days")
    aftercare_quote_days: StrictInt | None = _number("aftercare_quote_days")
    aftercare_purchase_min_cents: StrictInt | None = _number("aftercare_purchase_min_cents")
    aftercare_purchase_days: StrictInt | None = _number("aftercare_purchase_days")
    aftercare_purchase_rules: list[PurchaseRuleIn] | None = Field(
        None,
        description="Every rule, in their order (at most 20): the list replaces the rules "
        "stored; [] or null removes them all.",
    )
    aftercare_replan_days: StrictInt | None = _number("aftercare_replan_days")
    coming_up_days: StrictInt | None = _number("coming_up_days")
    staff_see_amounts: StrictBool | None = Field(
        None, description=_STAFF_SEE_AMOUNTS, examples=[DEFAULTS.staff_see_amounts]
    )

    @classmethod
    def emptied(cls, name: str) -> Any:
        """Null switches an aftercare rule off and removes the rules for a kind of purchase;
        every other setting always has a value. (There is no model column to go by.)"""
        if name in _NULLABLE:
            return None
        if name in ("aftercare_purchase_rules", "closed_periods"):
            return []
        raise not_emptied()

    @classmethod
    def refusals(cls, request: HttpRequest, fields: dict) -> dict:
        # Only an owner changes them (403 otherwise): nobody else hears what they would meet.
        if not request.membership.is_owner:  # type: ignore[attr-defined]
            return {}
        refused = care_settings_update_refusals(
            business=business_of(request), **_service_values(fields)
        )
        return _at_their_fields(refused)


def _service_values(sent: dict[str, Any]) -> dict[str, Any]:
    """The body's settings as care_settings_update takes them: the week Monday first, each day
    None or its times (DAY_TIMES)."""
    values = dict(sent)
    if values.get("closed_periods") is not None:
        values["closed_periods"] = [
            {**period, "last": period["first"] if period.get("last") is None else period["last"]}
            for period in values["closed_periods"]
        ]
    if values.get("opening_hours") is not None:
        week = values["opening_hours"]
        values["opening_hours"] = [
            None if week[day] is None else tuple(week[day].get(name) for name in DAY_TIMES)
            for day in WEEKDAY_KEYS
        ]
    return values


def _at_their_fields(refused: dict[str, list[ValidationError]]) -> dict:
    """The service's refusals where the body has their fields: a day closing before it opens
    at ("opening_hours", "thursday", "closes") (the service names it as the page's field,
    thursday_closes; a break's at "break_starts"), a rule's problem at ("aftercare_purchase_rules", 0, "days"), its list
    counting from 0 as the schema's refusals do (the message says "Rule 1"), and a closed
    period's at ("closed_periods", 0, "last")."""
    located: dict[Any, list[ValidationError]] = {}
    for name, errors in refused.items():
        day, _sep, time_name = name.partition("_")
        for error in errors:
            params = error.params or {}
            if day in WEEKDAY_KEYS and time_name in DAY_TIMES:
                where: Any = ("opening_hours", day, time_name)
            elif name in ("aftercare_purchase_rules", "closed_periods") and "line" in params:
                where = (name, params["line"] - 1, params["name"])
            else:
                where = name
            located.setdefault(where, []).append(error)
    return located


def _care_settings_out(business) -> dict[str, Any]:
    settings = care_settings(business)
    values = {item.name: getattr(settings, item.name) for item in fields(CareSettings)}
    values["opening_hours"] = {
        day: None
        if hours is None
        else {
            name: None if clock is None else _hours_and_minutes(clock)
            for name, clock in zip(DAY_TIMES, hours, strict=True)
        }
        for day, hours in zip(WEEKDAY_KEYS, settings.opening_hours, strict=True)
    }
    values["aftercare_purchase_rules"] = [
        {"words": list(rule.words), "days": rule.days, "ask": rule.ask}
        for rule in settings.aftercare_purchase_rules
    ]
    values["closed_periods"] = [
        {"first": period.first, "last": period.last, "reason": period.reason}
        for period in settings.closed_periods
    ]
    return values


@router.get(
    "",
    response={200: CareSettingsOut, **OWNER_ERRORS},
    summary="Get the business's care settings (owners)",
    description="The targets and rules the promises, complaints, follow-ups and Today are "
    "judged by, as the settings page shows them; a business that never saved them reads the "
    "defaults. The `ETag` is their version, for the `If-Match` of a change. Owners only.",
)
def get_care_settings(request: HttpRequest, response: HttpResponse):
    require_owner(request)
    business = business_of(request)
    set_etag(response, care_settings_version(business))
    return _care_settings_out(business)


@router.patch(
    "",
    response={200: CareSettingsOut, **OWNER_CHANGE_ERRORS},
    summary="Change some of the care settings (owners)",
    description="Only the settings sent change, by the settings page's own rules and limits, "
    "and the change is in the page's history with who made it; `opening_hours` is the whole "
    "week, `closed_periods` and `aftercare_purchase_rules` replace their lists. With "
    "`If-Match`, 412 when the settings changed since they were read. Owners only.",
)
def update_care_settings(
    request: HttpRequest,
    payload: CareSettingsUpdate,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    require_owner(request)
    business = business_of(request)
    versions = expected_versions(if_match)
    # The condition before the checks of the values (RFC 9110, 13.2.2); the service compares
    # again under the business's lock.
    refuse_if_changed(business, expected_versions=versions, version=care_settings_version)
    sent = payload.model_dump(include=payload.model_fields_set)
    if sent:
        try:
            care_settings_update(
                business=business,
                actor=actor_of(request),
                expected_versions=versions,
                **_service_values(sent),
            )
        except ChangedMeanwhile:
            raise
        except ValidationError as refused:
            raise ValidationError(_at_their_fields(refused.error_dict)) from refused
    set_etag(response, care_settings_version(business))
    return _care_settings_out(business)
