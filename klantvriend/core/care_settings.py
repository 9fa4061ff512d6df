"""The business's own targets and aftercare rules, kept in Business.settings["care"].

Read through `care_settings(business)`, which fills in the defaults, so that a business that
never opened the settings page works with sensible values and a new setting needs no migration.
Written only through `care_settings_update`, which validates everything first."""

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, time, timedelta
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import AuditAction, audit_diff, audit_record
from .errors import Conflict, ValidationError
from .holidays import dutch_public_holidays
from .hooks import CARE_SETTINGS_CHANGED, run_in_transaction
from .language import shop_language
from .models import Business
from .shown import day_span_shown
from .versions import refuse_if_changed
from .working_hours import LATEST_PAST_MIDNIGHT, DayHours, WeekHours, open_days, same_hours

SETTINGS_KEY = "care"
# Monday to Saturday, 9 to 18: a shop's hours until its owner gives its own.
_SHOP_HOURS = same_hours(range(6), time(9, 0), time(18, 0))

# The owner's aftercare rules for a kind of purchase ("3 days after a colour, ask how it holds").
# Kept here with the other rules, not as a model: a handful of rules, edited and audited as one
# setting on the same page, read with the business already loaded when a purchase is recorded
# (no query per purchase), and nothing else refers to a single rule.
MAX_PURCHASE_RULES = 20
MAX_RULE_WORDS = 10
MAX_RULE_WORD_LENGTH = 40
# What to ask is a follow-up's note (300 characters); a purchase matching several rules asks
# all of theirs, so one rule's text stays well under it.
MAX_RULE_ASK_LENGTH = 150


@dataclass(frozen=True)
class PurchaseRule:
    """A follow-up after a purchase whose description has one of `words` (at the start of a
    word, whatever the capitals and accents: "kleur" matches "Uitgroei kleuren"), `days` after
    it, asking `ask`."""

    words: tuple[str, ...]
    days: int
    ask: str


def purchase_rule_words(typed: str | Iterable[str]) -> tuple[str, ...]:
    """The words of a rule as typed, comma-separated or as a list: trimmed, the empty ones
    left out, each once (the first spelling kept)."""
    parts = typed.split(",") if isinstance(typed, str) else [str(word) for word in typed]
    words: dict[str, str] = {}
    for part in parts:
        word = " ".join(part.split())
        if word:
            words.setdefault(word.casefold(), word)
    return tuple(words.values())


def _purchase_rule(raw: PurchaseRule | Mapping[str, Any]) -> PurchaseRule:
    """A rule as given to care_settings_update (or stored): its words and text trimmed, its
    days as given, so that _validate can say what is wrong with them."""
    if isinstance(raw, PurchaseRule):
        raw = asdict(raw)
    return PurchaseRule(
        words=purchase_rule_words(raw.get("words") or ()),
        days=raw.get("days"),  # type: ignore[arg-type]
        ask=str(raw.get("ask") or "").strip(),
    )


# Days closed besides the week's closed days. A few a year (the holidays, a summer break), and
# past ones kept for what was reckoned by them (a complaint's deadline over Christmas): room for
# some years of them. One period is at most a year: a shop closed longer has stopped.
MAX_CLOSED_PERIODS = 60
MAX_CLOSED_PERIOD_DAYS = 366
MAX_CLOSED_REASON_LENGTH = 60
# The years a closed day may fall in: a typing slip ("0026") is refused, not kept.
CLOSED_YEARS = (2000, 2200)


@dataclass(frozen=True)
class ClosedPeriod:
    """Days the business is closed besides its week's closed days, `first` to `last` both
    included, and why ("Kerst", "zomervakantie"): no follow-up is planned on them, a
    complaint's working hours do not run on them, and a promise due on one is said to fall on
    a closed day."""

    first: date
    last: date
    reason: str = ""

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@lru_cache(maxsize=64)
def _closed_dates(periods: tuple[ClosedPeriod, ...]) -> frozenset[date]:
    # Kept for the periods asked last: the settings are read afresh for every request, and
    # the complaint figures ask for each of their complaints.
    return frozenset(
        period.first + timedelta(days=offset) for period in periods for offset in range(period.days)
    )


def _closed_period(raw: ClosedPeriod | Mapping[str, Any]) -> ClosedPeriod:
    """A period as given to care_settings_update (or stored, its days as ISO text): its reason
    trimmed, its days as given when not text, so that _validate can say what is wrong."""
    if isinstance(raw, ClosedPeriod):
        raw = asdict(raw)

    def day(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None  # refused by _validate as no day

    return ClosedPeriod(
        first=day(raw.get("first")),
        last=day(raw.get("last")),
        reason=" ".join(str(raw.get("reason") or "").split()),
    )


@dataclass(frozen=True)
class CareSettings:
    # Promises: an open promise this long after its due moment counts as broken.
    promise_grace_hours: int = 24
    # Complaints: first response in working hours, resolution in working days; a public
    # complaint (social media, review site) gets a first response within clock hours.
    complaint_response_working_hours: int = 4
    complaint_public_response_hours: int = 1
    complaint_resolution_days: int = 3
    # Opening hours per weekday, Monday first (core.working_hours): the complaint clocks count
    # working hours and days in them, and promises and follow-ups are warned off the closed days.
    opening_hours: WeekHours = _SHOP_HOURS
    # Days closed besides the week's closed days (ClosedPeriod), in order of their first day.
    closed_periods: tuple[ClosedPeriod, ...] = ()
    # Aftercare rules; None switches a rule off.
    aftercare_delivery_days: int | None = 3
    aftercare_repair_days: int | None = 7
    aftercare_complaint_days: int | None = 7
    # A quote sent (its promise kept): has the customer decided?
    aftercare_quote_days: int | None = 3
    aftercare_purchase_min_cents: int | None = 25000
    aftercare_purchase_days: int = 3
    # The rules for a kind of purchase (PurchaseRule), in the owner's order.
    aftercare_purchase_rules: tuple[PurchaseRule, ...] = ()
    # A follow-up not reached is planned again this many days later.
    aftercare_replan_days: int = 2
    # How far ahead Today's "Coming up", its page and the profile look for the customers'
    # important dates: today and this many days on. A butcher orders for the anniversary the
    # week before, a garage calls a week or more before the yearly check to book it in (one
    # that books weeks ahead sets four); further ahead the list grows long enough to hide this
    # week's.
    coming_up_days: int = 14
    # Whether members who are not owners see what customers are worth: their spend so far,
    # customer value, probability alive, segment, and the insight pages (member_sees_amounts).
    # On by default, as before the setting existed. Each purchase's own amount stays in view
    # either way: it is the customer's history ("the colour last time was € 65"), which the
    # customer knows, and serving needs; what an owner means by amounts and customer value is
    # the sums and model figures that rank a customer, which the desk tablet shows them too.
    staff_see_amounts: bool = True

    @property
    def working_days(self) -> tuple[int, ...]:
        """The weekday numbers (Monday is 0) the business opens on."""
        return open_days(self.opening_hours)

    @property
    def closed_dates(self) -> frozenset[date]:
        """Every day of the closed periods: what core.working_hours skips (`closed`)."""
        return _closed_dates(self.closed_periods)

    def closed_period_on(self, day: date) -> ClosedPeriod | None:
        """The closed period `day` falls in, if any (the first, when two overlap)."""
        if day not in self.closed_dates:
            return None
        return next(period for period in self.closed_periods if period.first <= day <= period.last)


# A weekday's times, as the settings page's fields and the API name them (after the day's key:
# "friday_break_starts"): when it opens and closes, and the break it may close for in between.
DAY_TIMES = DayHours._fields
# Monday first, as the opening hours: the keys name a day in the errors and the form's fields.
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)
# Before each day had its own hours, one pair of times held for every working day. A business
# that saved its settings then has these keys stored, and keeps its hours (_decode).
_ONE_PAIR_OF_HOURS = ("working_days", "opening_time", "closing_time")

DEFAULTS = CareSettings()
SETTING_LIMITS: dict[str, tuple[int, int]] = {
    "promise_grace_hours": (0, 24 * 60),
    "complaint_response_working_hours": (1, 24 * 10),
    "complaint_public_response_hours": (1, 24 * 7),
    "complaint_resolution_days": (1, 365),
    "aftercare_delivery_days": (0, 365),
    "aftercare_repair_days": (0, 365),
    "aftercare_complaint_days": (0, 365),
    "aftercare_quote_days": (1, 365),
    "aftercare_purchase_min_cents": (0, 10**11),
    "aftercare_purchase_days": (0, 365),
    "aftercare_replan_days": (1, 60),
    "coming_up_days": (1, 60),
}
_OPTIONAL = {
    "aftercare_delivery_days",
    "aftercare_repair_days",
    "aftercare_complaint_days",
    "aftercare_quote_days",
    "aftercare_purchase_min_cents",
}

_SWITCHES = {"staff_see_amounts"}


def _decode_week(raw: Any) -> WeekHours:
    """The stored opening hours: seven entries, each null (closed), ["09:00", "18:00"], or with
    its break after them, ["12:00", "22:00", "14:30", "17:30"]."""
    if not isinstance(raw, list) or len(raw) != 7:
        raise ValueError("seven days expected")
    return tuple(
        None if day is None else DayHours(*(time.fromisoformat(clock) for clock in day))
        for day in raw
    )


def _encode_day(hours: DayHours | None) -> list[str] | None:
    """A day's hours as _decode_week reads them: its break only when it has one."""
    if hours is None:
        return None
    return [clock.strftime("%H:%M") for clock in hours if clock is not None]


def _decode_one_pair(stored: dict[str, Any]) -> WeekHours:
    """The hours as kept before each day had its own: the same times on each working day. A
    damaged value falls back to its default, as every setting does."""

    def read(name: str, parse, default):
        try:
            return parse(stored[name])
        except (KeyError, TypeError, ValueError):
            return default

    return same_hours(
        read("working_days", lambda raw: {int(day) for day in raw}, range(6)),
        read("opening_time", time.fromisoformat, time(9, 0)),
        read("closing_time", time.fromisoformat, time(18, 0)),
    )


def _decode(stored: dict[str, Any]) -> CareSettings:
    values: dict[str, Any] = {}
    if "opening_hours" not in stored and any(name in stored for name in _ONE_PAIR_OF_HOURS):
        values["opening_hours"] = _decode_one_pair(stored)
    for item in fields(CareSettings):
        if item.name not in stored:
            continue
        raw = stored[item.name]
        try:
            if item.name == "opening_hours":
                values[item.name] = _decode_week(raw)
            elif item.name in _SWITCHES:
                if not isinstance(raw, bool):
                    continue
                values[item.name] = raw
            elif item.name == "aftercare_purchase_rules":
                values[item.name] = _decode_purchase_rules(raw)
            elif item.name == "closed_periods":
                values[item.name] = _decode_closed_periods(raw)
            elif raw is None and item.name in _OPTIONAL:
                values[item.name] = None
            else:
                values[item.name] = int(raw)
        except (TypeError, ValueError, IndexError):
            continue  # a damaged value falls back to its default rather than breaking pages
    return replace(DEFAULTS, **values)


def _decode_purchase_rules(raw: Any) -> tuple[PurchaseRule, ...]:
    """The stored rules; a damaged one is left out rather than breaking every purchase."""
    rules = []
    for item in raw:
        try:
            rule = _purchase_rule(item)
        except (AttributeError, TypeError):
            continue
        if not _purchase_rule_problems(rule):
            rules.append(rule)
    return tuple(rules)


def _decode_closed_periods(raw: Any) -> tuple[ClosedPeriod, ...]:
    """The stored periods; a damaged one is left out rather than breaking every page."""
    periods = []
    for item in raw:
        try:
            period = _closed_period(item)
        except (AttributeError, TypeError, ValueError):
            continue
        if not _closed_period_problems(period):
            periods.append(period)
    return tuple(periods)


def _encode(settings: CareSettings) -> dict[str, Any]:
    data = asdict(settings)
    data["opening_hours"] = [_encode_day(day) for day in settings.opening_hours]
    data["aftercare_purchase_rules"] = [
        {"words": list(rule.words), "days": rule.days, "ask": rule.ask}
        for rule in settings.aftercare_purchase_rules
    ]
    data["closed_periods"] = [
        {
            "first": period.first.isoformat(),
            "last": period.last.isoformat(),
            "reason": period.reason,
        }
        for period in settings.closed_periods
    ]
    return data


def care_settings(business: Business) -> CareSettings:
    return _decode((business.settings or {}).get(SETTINGS_KEY, {}))


def shop_closed_on(business: Business, day: date) -> bool:
    """Whether `day` is none of the business's working days, or one of its closed periods: a
    promise or a call planned for it is said to fall on a closed day (planned for the closed
    Sunday, they were saved without a word)."""
    settings = care_settings(business)
    return day.weekday() not in settings.working_days or day in settings.closed_dates


def care_settings_saved(business: Business) -> bool:
    """Whether an owner ever saved the settings, if only to confirm the defaults: Today's
    getting-started step "working hours" is done then."""
    return SETTINGS_KEY in (business.settings or {})


def member_sees_amounts(*, business: Business, membership) -> bool:
    """Whether this member may see customers' money figures and model figures: total spend,
    customer value, probability alive, segment, the list's figures and the insight pages. An
    owner always does; others as the owner chose (staff_see_amounts). The one place that
    answers it, for the views and (through the context) the templates. Reads the business
    already loaded with the membership: no query."""
    return bool(membership is not None and membership.is_owner) or (
        care_settings(business).staff_see_amounts
    )


def _validate(settings: CareSettings, current: CareSettings) -> None:
    """Refuses (ValidationError, per field) what is wrong in `settings`, the settings as they
    would be stored instead of `current`."""
    errors: dict[str, ValidationError] = {}
    for name, (low, high) in SETTING_LIMITS.items():
        value = getattr(settings, name)
        if value is None and name in _OPTIONAL:
            continue
        if not _whole_number_within(value, low, high):
            errors[name] = ValidationError(
                _("Enter a whole number from %(low)s to %(high)s."),
                code="out_of_range",
                params={"low": low, "high": high},
            )
    for name in _SWITCHES:
        if not isinstance(getattr(settings, name), bool):
            errors[name] = ValidationError(_("Choose yes or no."), code="invalid")
    errors.update(_opening_hours_errors(settings.opening_hours))
    rules = settings.aftercare_purchase_rules
    refused = []
    for line, rule in enumerate(rules, start=1):
        for name, code in _purchase_rule_problems(rule).items():
            field, problem = _purchase_rule_problem_text(name, code)
            refused.append(
                ValidationError(
                    _("Rule %(line)s, %(field)s: %(problem)s"),
                    code=code,
                    # `name`: the rule's field as stored (words, days, ask), where the API
                    # places the refusal.
                    params={"line": line, "field": field, "problem": problem, "name": name},
                )
            )
    if len(rules) > MAX_PURCHASE_RULES:
        refused.insert(
            0,
            ValidationError(
                _("At most %(count)s rules for a kind of purchase."),
                code="too_many",
                params={"count": MAX_PURCHASE_RULES},
            ),
        )
    if refused:
        errors["aftercare_purchase_rules"] = ValidationError(refused)
    closed = _closed_periods_errors(settings.closed_periods, kept=current.closed_periods)
    if closed:
        errors["closed_periods"] = ValidationError(closed)
    if errors:
        raise ValidationError(errors)


def _closed_periods_errors(
    periods: tuple[ClosedPeriod, ...], *, kept: tuple[ClosedPeriod, ...]
) -> list[ValidationError]:
    """Per period what is wrong with it, numbered as listed ("Closed days 2, until: …"), and
    whether there are too many. A new period (not among those `kept`) that shares a day with
    another is refused: a day closed for two reasons would be said for the first alone, and
    removing one period would leave its days closed. Periods kept as they were are not checked
    again, so that nothing stored earlier blocks removing them; one left out of the list is
    gone, and its days free for another (a summer break made longer)."""
    refused = []
    for line, period in enumerate(periods, start=1):
        problems = {
            name: (code, closed_period_problem_text(code))
            for name, code in _closed_period_problems(period).items()
        }
        if not problems and period not in kept:
            staying = [other for other in kept if other in periods]  # not those it replaces
            clash = _overlapped(period, periods[: line - 1]) or _overlapped(period, staying)
            if clash is not None:
                problems["first"] = ("overlaps", closed_period_problem_text("overlaps", clash))
        refused.extend(
            ValidationError(
                _("Closed days %(line)s, %(field)s: %(problem)s"),
                code=code,
                params={
                    "line": line,
                    "field": str(CLOSED_PERIOD_FIELD_NAMES[name]),
                    "problem": problem,
                    "name": name,
                },
            )
            for name, (code, problem) in problems.items()
        )
    if len(periods) > MAX_CLOSED_PERIODS:
        refused.insert(
            0,
            ValidationError(
                _("At most %(count)s closed periods; remove some that are past."),
                code="too_many",
                params={"count": MAX_CLOSED_PERIODS},
            ),
        )
    return refused


def _overlapped(period: ClosedPeriod, others: Iterable[ClosedPeriod]) -> ClosedPeriod | None:
    """The first of `others` that shares a day with `period`."""
    return next(
        (other for other in others if other.first <= period.last and period.first <= other.last),
        None,
    )


# A closed period's fields as the page and the refusals name them.
CLOSED_PERIOD_FIELD_NAMES = {
    "first": gettext_lazy("closed from"),
    "last": gettext_lazy("up to and including"),
    "reason": gettext_lazy("why"),
}


def _closed_period_problems(period: ClosedPeriod) -> dict[str, str]:
    """What is wrong with one period: per field (first, last, reason) the code of its first
    problem. Plain codes: every read of the settings checks the stored periods."""
    low, high = CLOSED_YEARS

    def a_day(value: Any) -> bool:
        return isinstance(value, date) and low <= value.year <= high

    checks = (
        ("first", "day_required", not isinstance(period.first, date)),
        ("first", "year_out_of_range", isinstance(period.first, date) and not a_day(period.first)),
        ("last", "day_required", not isinstance(period.last, date)),
        ("last", "year_out_of_range", isinstance(period.last, date) and not a_day(period.last)),
        (
            "last",
            "last_before_first",
            a_day(period.first) and a_day(period.last) and period.last < period.first,
        ),
        (
            "last",
            "too_long",
            a_day(period.first) and a_day(period.last) and period.days > MAX_CLOSED_PERIOD_DAYS,
        ),
        ("reason", "reason_too_long", len(period.reason) > MAX_CLOSED_REASON_LENGTH),
        ("reason", "null_character", "\x00" in period.reason),
    )
    return _first_problems(checks)


def _first_problems(checks: Iterable[tuple[str, str, bool]]) -> dict[str, str]:
    """Per field the code of its first check (field, code, failed) that failed."""
    problems: dict[str, str] = {}
    for field, code, failed in checks:
        if failed:
            problems.setdefault(field, code)
    return problems


def closed_period_problem_text(code: str, overlapped: ClosedPeriod | None = None) -> str:
    """What is wrong with a closed period's field, as the refusal words it; for "overlaps",
    the period `overlapped`."""
    low, high = CLOSED_YEARS
    if code == "overlaps":
        assert overlapped is not None
        days = day_span_shown(overlapped.first, overlapped.last)
        return (
            _("these days overlap %(reason)s (%(days)s); change that one, or choose other days.")
            % {"reason": overlapped.reason, "days": days}
            if overlapped.reason
            else _("these days overlap %(days)s; change that one, or choose other days.")
            % {"days": days}
        )
    return {
        "day_required": _("give a day."),
        "year_out_of_range": _("give a day from the year %(low)s to %(high)s.")
        % {"low": low, "high": high},
        "last_before_first": _("the last day closed cannot lie before the first."),
        "too_long": _("at most %(count)s days at a time.") % {"count": MAX_CLOSED_PERIOD_DAYS},
        "reason_too_long": _("at most %(count)s characters.") % {"count": MAX_CLOSED_REASON_LENGTH},
        "null_character": _("a null character is not allowed."),
    }[code]


def _opening_hours_errors(week: WeekHours) -> dict[str, ValidationError]:
    """Per day "<weekday>_closes" when it closes when it opens or later than
    LATEST_PAST_MIDNIGHT the next morning, "<weekday>_break_starts" for a break half given or
    not inside the hours; "opening_hours" when the week has no open day. Each message names
    the day."""
    if len(week) != 7:
        return {
            "opening_hours": ValidationError(
                _("Give the opening hours of all seven days."), code="invalid"
            )
        }
    errors = {}
    for weekday, hours in enumerate(week):
        if hours is None:
            continue
        day, key = WEEKDAY_NAMES[weekday], WEEKDAY_KEYS[weekday]
        if hours.opens == hours.closes or (
            hours.past_midnight and hours.closes > LATEST_PAST_MIDNIGHT
        ):
            errors[f"{key}_closes"] = ValidationError(
                _(
                    "The closing time on %(day)s must be later than the opening time, or after "
                    "midnight at %(latest)s at the latest."
                ),
                code="closing_before_opening",
                params={"day": day, "latest": LATEST_PAST_MIDNIGHT.strftime("%H:%M")},
            )
        elif _break_problem(hours):
            errors[f"{key}_break_starts"] = ValidationError(
                _(
                    "The break on %(day)s must start after opening and end before closing, "
                    "later than it starts."
                ),
                code="break_outside_hours",
                params={"day": day},
            )
    if not any(hours is not None for hours in week):
        errors["opening_hours"] = ValidationError(
            _("Open on at least one day of the week: a day not marked closed."), code="required"
        )
    return errors


def _break_problem(hours: DayHours) -> bool:
    """Whether the day's break is half given, or not from after its opening to before its
    closing (counted on from the opening, past midnight too)."""
    starts, ends = hours.break_starts, hours.break_ends
    if starts is None and ends is None:
        return False
    if starts is None or ends is None:
        return True

    def after_opening(clock: time) -> int:
        minutes = clock.hour * 60 + clock.minute - (hours.opens.hour * 60 + hours.opens.minute)
        return minutes % (24 * 60)

    return not (0 < after_opening(starts) < after_opening(ends) < after_opening(hours.closes))


def _purchase_rule_problems(rule: PurchaseRule) -> dict[str, str]:
    """What is wrong with one rule: per field (words, days, ask) the code of its first problem.
    Plain codes, no text: every read of the settings checks the stored rules
    (_decode_purchase_rules)."""
    low, high = SETTING_LIMITS["aftercare_purchase_days"]
    checks = (
        ("words", "words_required", not rule.words),
        ("words", "too_many_words", len(rule.words) > MAX_RULE_WORDS),
        ("words", "word_too_long", any(len(word) > MAX_RULE_WORD_LENGTH for word in rule.words)),
        # PostgreSQL's JSON holds no NUL character: the form's fields refuse it before this,
        # the API's text would reach the database.
        ("words", "null_character", any("\x00" in word for word in rule.words)),
        ("days", "days_out_of_range", not _whole_number_within(rule.days, low, high)),
        ("ask", "ask_required", not rule.ask),
        ("ask", "ask_too_long", len(rule.ask) > MAX_RULE_ASK_LENGTH),
        ("ask", "null_character", "\x00" in rule.ask),
    )
    return _first_problems(checks)


def _purchase_rule_problem_text(name: str, code: str) -> tuple[str, str]:
    """A rule's problem as the refusal words it: (the field as the page names it, what is
    wrong)."""
    low, high = SETTING_LIMITS["aftercare_purchase_days"]
    words, days, ask = _("words"), _("after (days)"), _("what to ask")
    if code == "null_character":
        return ({"words": words, "ask": ask}[name], _("a null character is not allowed."))
    return {
        "words_required": (words, _("give at least one word.")),
        "too_many_words": (words, _("give at most %(count)s words.") % {"count": MAX_RULE_WORDS}),
        "word_too_long": (
            words,
            _("a word has at most %(count)s characters.") % {"count": MAX_RULE_WORD_LENGTH},
        ),
        "days_out_of_range": (
            days,
            _("enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
        ),
        "ask_required": (ask, _("say what to ask the customer.")),
        "ask_too_long": (ask, _("at most %(count)s characters.") % {"count": MAX_RULE_ASK_LENGTH}),
    }[code]


def _whole_number_within(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def care_settings_version(business: Business) -> str:
    """A digest of the business's care settings as they read (defaults filled in): the API's
    ETag of them. It changes with every change of a setting and with nothing else, also not
    when an owner saves the defaults they had."""
    text = json.dumps(_encode(care_settings(business)), sort_keys=True)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _changed(business: Business, values: dict[str, Any]) -> tuple[CareSettings, CareSettings]:
    """The settings now and as `values` (any of CareSettings' fields) would make them."""
    unknown = set(values) - {item.name for item in fields(CareSettings)}
    if unknown:
        raise TypeError(f"Unknown care settings: {sorted(unknown)}")
    current = care_settings(business)
    if "opening_hours" in values:
        values["opening_hours"] = tuple(
            None if hours is None else DayHours(*hours) for hours in values["opening_hours"]
        )
    if "aftercare_purchase_rules" in values:
        values["aftercare_purchase_rules"] = tuple(
            _purchase_rule(rule) for rule in values["aftercare_purchase_rules"]
        )
    if "closed_periods" in values:
        # In the order given, so that a refusal numbers them so; stored in order of their days
        # (care_settings_update).
        values["closed_periods"] = tuple(
            _closed_period(period) for period in values["closed_periods"]
        )
    return current, replace(current, **values)


def care_settings_update_refusals(
    *, business: Business, **values: Any
) -> dict[str, list[ValidationError]]:
    """What care_settings_update would refuse of `values`, per field as it refuses them,
    writing nothing: for the API to list with the refusals of its schema."""
    try:
        current, updated = _changed(business, values)
        _validate(updated, current)
    except ValidationError as refused:
        return refused.error_dict
    return {}


def care_settings_update(
    *,
    business: Business,
    actor,
    expected_versions: Collection[str] | None = None,
    **values: Any,
) -> CareSettings:
    """Changes the settings named in `values`, keeping the others; all of them are checked
    first, and a refusal (ValidationError, per field) stores nothing. `expected_versions`: the
    versions (care_settings_version) the caller read, compared under the business's lock
    (ChangedMeanwhile otherwise); None sets no condition. The settings not named are those
    of the locked row, not of `business` as the caller read it: a change saved meanwhile to
    another setting is kept."""
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        refuse_if_changed(
            locked, expected_versions=expected_versions, version=care_settings_version
        )
        current, updated = _changed(locked, values)
        _validate(updated, current)
        updated = replace(
            updated,
            closed_periods=tuple(
                sorted(updated.closed_periods, key=lambda period: (period.first, period.last))
            ),
        )
        stored = dict(locked.settings or {})
        stored[SETTINGS_KEY] = _encode(updated)
        locked.settings = stored
        locked.save(update_fields=["settings"])
        changes = audit_diff(_encode(current), _encode(updated))
        if changes:
            derived = run_in_transaction(
                CARE_SETTINGS_CHANGED, business=locked, before=current, after=updated
            )
            changes.update({name: [None, count] for name, count in derived.items()})
        audit_record(
            business=business,
            actor=actor,
            action=AuditAction.SETTINGS,
            obj=business,
            changes=changes,
        )
    business.settings = stored
    return updated


def closed_period_add(
    *,
    business: Business,
    actor,
    first: Any,
    last: Any = None,
    reason: str = "",
    replacing: ClosedPeriod | None = None,
) -> ClosedPeriod | None:
    """Adds the days `first` to `last` (both included; `first` alone when None) to the
    business's closed periods, under its lock: two added at the same moment are both kept (a
    whole list saved by each would keep one). Returns the period added; None when it was there
    already (sent twice), and nothing changes. Refused per field (first, last, reason;
    ValidationError) when a day is missing, the last lies before the first, or the days
    overlap another period's; on "closed_periods" when there would be too many. Nothing is
    stored then.
    `replacing`: a period changed (a summer break made a week longer), taken out as this one
    goes in; refused (Conflict) when it is no longer there, removed or changed meanwhile."""
    period = _closed_period(
        {"first": first, "last": first if last is None else last, "reason": reason}
    )
    problems = _closed_period_problems(period)
    if last is None:
        # The last day is the first: what is wrong with it is said once, at the first.
        problems.pop("last", None)
    if problems:
        raise ValidationError(
            {
                name: ValidationError(capfirst(closed_period_problem_text(code)), code=code)
                for name, code in problems.items()
            }
        )
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        periods = care_settings(locked).closed_periods
        if replacing is not None:
            if replacing not in periods:
                raise Conflict(
                    _("These closed days were changed or removed meanwhile; see them again."),
                    code="changed",
                )
            periods = tuple(kept for kept in periods if kept != replacing)
        if period in periods:
            if replacing is not None:  # changed into a period there already: the old one goes
                care_settings_update(business=business, actor=actor, closed_periods=periods)
            return None
        clash = _overlapped(period, periods)
        if clash is not None:
            raise ValidationError(
                {
                    "first": ValidationError(
                        capfirst(closed_period_problem_text("overlaps", clash)), code="overlaps"
                    )
                }
            )
        care_settings_update(business=business, actor=actor, closed_periods=[*periods, period])
    return period


def closed_period_remove(*, business: Business, actor, period: ClosedPeriod) -> bool:
    """Takes `period` out of the business's closed periods, under its lock; whether it was
    there (removed meanwhile by someone else, it is not, and nothing changes)."""
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        periods = care_settings(locked).closed_periods
        if period not in periods:
            return False
        care_settings_update(
            business=business,
            actor=actor,
            closed_periods=[kept for kept in periods if kept != period],
        )
    return True


def closed_periods_add_holidays(*, business: Business, actor, year: int) -> list[ClosedPeriod]:
    """Adds the Dutch public holidays of `year` most shops close on (core.holidays) to the
    closed periods at once, named in the shop's language ("Tweede Paasdag" is in "Pasen"),
    under the business's lock; one whose days are closed already, if only in part (a
    Christmas break), is not added. Returns those added.
    Refused ("closed_periods", ValidationError) when there would be too many, or for a year
    outside CLOSED_YEARS; nothing is stored then."""
    low, high = CLOSED_YEARS
    if not low <= year <= high:
        raise ValidationError(
            {
                "year": ValidationError(
                    capfirst(closed_period_problem_text("year_out_of_range")),
                    code="year_out_of_range",
                )
            }
        )
    with shop_language(business):
        holidays = [
            ClosedPeriod(first, last, str(name))
            for first, last, name in dutch_public_holidays(year)
        ]
    with transaction.atomic():
        locked = Business.objects.select_for_update().get(pk=business.pk)
        periods = care_settings(locked).closed_periods
        added = [holiday for holiday in holidays if _overlapped(holiday, periods) is None]
        if added:
            care_settings_update(business=business, actor=actor, closed_periods=[*periods, *added])
    return added
