"""Tenancy: every piece of business data belongs to one Business, and people reach a business
only through a Membership. API tokens belong to a membership, so they carry its business and role."""

import os
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    ProhibitNullCharactersValidator,
    RegexValidator,
)
from django.db import DatabaseError, IntegrityError, connections, models, router, transaction
from django.db.models import ExpressionWrapper, Value
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import Exact
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

# LENGTH() exists on every database; a regex check constraint would need a SQLite function.
models.CharField.register_lookup(Length)


# Files of the zone database that name no place: "localtime" is whatever zone the server is set
# to (another on the next server), "Factory" a placeholder, "posixrules" a default for rules.
NOT_A_PLACE = frozenset({"localtime", "Factory", "posixrules"})


@cache
def time_zones() -> tuple[str, ...]:
    """Every time zone name, sorted. Read once: the zone database is walked on disk for it
    (15 ms, twice for every look at the settings page)."""
    return tuple(sorted(zoneinfo.available_timezones() - NOT_A_PLACE))


# The zone database's table of one zone per place (per country, and regions within one): its
# current names only, such as Europe/Kyiv, without the old spelling Europe/Kiev or aliases such
# as US/Central and Etc/GMT+1 (which is UTC-1), of which a list of every name has a hundred.
ZONE_TABLE = "zone.tab"


@cache
def listed_time_zones() -> tuple[str, ...]:
    """The time zones to choose from, sorted: the places of the zone table and UTC. Every other
    name stays valid (validate_time_zone), for a business that has one already and for the API;
    where no zone table is installed (tzdata from PyPI only) every name is listed."""
    for folder in zoneinfo.TZPATH:
        try:
            with open(os.path.join(folder, ZONE_TABLE), encoding="utf-8") as table:
                rows = [line.split("\t") for line in table if not line.startswith("#")]
        except OSError:
            continue
        places = {row[2].strip() for row in rows if len(row) > 2}
        return tuple(sorted((places | {"UTC"}) & set(time_zones())))
    return time_zones()


def validate_time_zone(value: str) -> None:
    if value not in time_zones():
        raise ValidationError(
            _("Unknown time zone: %(zone)s"), code="time_zone", params={"zone": value}
        )


class Business(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_time_zone]
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="EUR",
        validators=[
            RegexValidator(r"^[A-Z]{3}$", _("Use a three-letter currency code such as EUR."))
        ],
    )
    language = models.CharField(
        _("language of the business"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The texts Klantvriend writes for you are in it: planned follow-ups, complaints "
            "from the survey (texts written earlier stay as they are). So are the screens and "
            "the morning email of every member who did not choose a language on their account "
            "page."
        ),
    )
    # Where a customer's reply to the shop's e-mails goes (their Reply-To): the sending address
    # (DEFAULT_FROM_EMAIL) is the server's, which no one in the shop reads. Empty: none known.
    contact_email = models.EmailField(
        _("email address of the business"),
        blank=True,
        help_text=_(
            "A customer who replies to a survey invitation writes to this address. Without it, "
            "such a reply reaches no one in the shop."
        ),
    )
    # Business-specific preferences (targets, rules) that other apps read through typed
    # accessors with defaults, so that a new setting needs no migration.
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When Today's "Getting started" card went for good: an owner hid it, or Today found every
    # step done. From then on Today reads none of the steps.
    getting_started_closed_at = models.DateTimeField(
        _("getting started closed at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(currency__length=3), name="business_currency_iso"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self) -> date:
        """The calendar date it is now where the business is, which decides what "today" means."""
        return timezone.localdate(timezone=self.tzinfo)

    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.tzinfo)

    def start_of(self, day: date) -> datetime:
        """The first moment of a calendar day where the business is. The calendar's first day
        began, east of UTC, before the first moment Python (and so a query) holds in UTC: the
        earliest it holds stands for it, so that a period asked from then holds everything."""
        start = datetime.combine(day, time.min, tzinfo=self.tzinfo)
        try:
            start.astimezone(UTC)
        except OverflowError:
            return datetime.min.replace(tzinfo=UTC)
        return start

    def end_of(self, day: date) -> datetime:
        """The first moment after a calendar day where the business is (the start of the next);
        after the calendar's last day, the last moment Python holds."""
        if day == date.max:
            return datetime.max.replace(tzinfo=UTC)
        return self.start_of(day + timedelta(days=1))

    def month_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The moments the calendar month of `day` begins and ends where the business is: the
        months of the charts and trends, and the rows each of their months opens to."""
        first = day.replace(day=1)
        return self.start_of(first), self.start_of((first + timedelta(days=31)).replace(day=1))


class Role(models.TextChoices):
    OWNER = "owner", _("owner")
    STAFF = "staff", _("staff")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(default=timezone.now)
    # Whether an owner gets the business's Today list by email each morning (today.digest);
    # their own choice on their account page. Staff get no morning email.
    morning_email = models.BooleanField(_("morning email"), default=True)
    # Whether an owner gets an email the moment a customer gives a low score in the survey
    # (surveys.alerts); their own choice on their account page, as the morning email is.
    low_score_email = models.BooleanField(_("email on a low score"), default=True)
    # Whether Today shows this member's own promises and follow-ups only ("Only mine"), as
    # they left it: kept here, as a login lasts a working day and the choice is for every day.
    today_only_mine = models.BooleanField(_("Today: only mine"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "business"], name="membership_unique_user_business"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.business} ({self.role})"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class Profile(models.Model):
    """What a person sets for themselves, whatever business they work in and whichever device
    they use: kept with the person rather than in a cookie, so it follows them from the counter
    tablet to their phone and does not pass to the next person at the tablet. A person who never
    chose anything has no row."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="profile"
    )
    # Empty: the language of the business the person is working in (core.language).
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, default=""
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    language__in=["", *(code for code, _name in settings.LANGUAGES)]
                ),
                name="profile_language_known",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class ApiToken(models.Model):
    """A bearer token for the REST API. Only a SHA-256 hash of the secret is stored; the secret
    itself is shown once, when the token is created."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.membership})"


_NO_NULL_CHARACTERS = ProhibitNullCharactersValidator()


def refuse_null_characters(value) -> None:
    if isinstance(value, str):
        _NO_NULL_CHARACTERS(value)


# What staff write about a customer's complaint, its resolution, a contact moment or what the
# customer said on a follow-up: room for a long e-mail pasted in, not for a document pasted by
# mistake, which filled the briefing staff read before they speak.
WRITTEN_MAX_LENGTH = 5000


class WrittenTextField(models.TextField):
    """A text staff write, of at most WRITTEN_MAX_LENGTH characters: refused longer by the
    model's validation (a TextField's max_length alone only sizes a form's field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", WRITTEN_MAX_LENGTH)
        super().__init__(*args, **kwargs)
        self.validators.append(MaxLengthValidator(self.max_length))


class ChangeTracked(models.QuerySet):
    """The rows of a model whose `updated_at` (auto_now) a client syncs by (the API's
    `changed_since`, docs/api.md "Syncing": customers, purchases). Every write of them moves
    `updated_at`, also the bulk ones that `auto_now` does not reach (it acts in Model.save()
    only): `update` (a merge moving a customer's purchases or the customers they referred, the
    referrer emptied when a customer is deleted, when the base manager is this one) and
    `bulk_update` (the customer import, an erasure scrubbing descriptions). A change the feed
    misses is never synced. A write that changes what the API shows of a row without writing
    the row (a tag linked by the customer import) calls `mark_changed`."""

    def update(self, **fields):
        fields.setdefault("updated_at", timezone.now())
        return super().update(**fields)

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        if "updated_at" not in fields:
            now = timezone.now()
            for row in objs:
                row.updated_at = now
            fields = [*fields, "updated_at"]
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def mark_changed(self) -> int:
        """Moves these rows' `updated_at` to now: something the API shows of them changed."""
        return self.update(updated_at=timezone.now())


class BusinessOwned(models.Model):
    """Base of every model holding business data: the business is part of the row itself, so a
    query that forgets to filter on it is visible in review and cheap to scope."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")

    # In a model with a `customer` key: the date fields that say when something happened with or
    # about the customer. The retention rule (importers.privacy) keeps every customer with a row
    # dated on or after its cutoff in one of them. There is no default: each such model decides,
    # `()` saying on purpose that its rows are no sign of life, and a test holds every model to it.
    # The latest of them per customer is kept by triggers (importers.models.CustomerActivity): a
    # model that declares dates needs a migration adding its triggers, and a test says so.
    activity_fields: ClassVar[tuple[str, ...]]

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        """Also refuses a NUL character in any text, as Django's form fields do: PostgreSQL
        cannot store one, and input that skips the forms (the API) would fail on saving.
        A business that is set is not looked up again: it is never input but the signed-in
        member's own, and Django's check of a key costs a query on every save."""
        errors = {}
        try:
            looked_up = exclude if self.business_id is None else {*(exclude or ()), "business"}
            super().clean_fields(exclude=looked_up)
        except ValidationError as refused:
            errors = refused.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            # Not the fields derived from others (search_text): the refusal names the input.
            if not isinstance(field, models.CharField | models.TextField) or not field.editable:
                continue
            if field.name in (exclude or ()):
                continue
            if field.name not in errors:
                try:
                    refuse_null_characters(getattr(self, field.attname))
                except ValidationError as refused:
                    errors[field.name] = refused.error_list
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        """As Django's, except that a unique constraint over the business and one field (a
        customer number, a receipt number), or an expression of one field (a customer number
        whatever its capitals), is refused on that field, with the code "unique":
        Django names the field only for a constraint of one field, and the business is never
        input. So an API client or a form learns which value is taken."""
        using = router.db_for_write(self.__class__, instance=self)
        passed = _checks_passed(self, exclude, using)
        errors: dict = {}
        for model_class, model_constraints in self.get_constraints():
            for constraint in model_constraints:
                try:
                    if constraint.name in passed:
                        if not passed[constraint.name]:
                            raise ValidationError(
                                constraint.get_violation_error_message(),
                                code=constraint.violation_error_code,
                            )
                        continue
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as refused:
                    over = _fields_of(constraint)
                    fields = [name for name in over if name != "business"]
                    if isinstance(constraint, models.UniqueConstraint) and len(fields) == 1:
                        params = dict(refused.params or {})
                        if "business" in over:
                            # Only a constraint within the business names the row: one of
                            # another business is never shown, not even by its id.
                            holder = _row_holding(model_class, constraint, self, using)
                            if holder is not None:
                                params["existing_id"] = holder
                        errors.setdefault(fields[0], []).append(
                            ValidationError(
                                refused.message, code=refused.code or "unique", params=params
                            )
                        )
                    else:
                        errors = refused.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _get_FIELD_display(self, field):
        # Django builds the value-to-label dict anew on every get_FOO_display() call; list
        # pages call it for every row, so each field keeps its dict (labels stay lazy, so the
        # language is still the request's).
        value = getattr(self, field.attname)
        return force_str(_choice_labels(field).get(value, value), strings_only=True)


@contextmanager
def refused_when_taken(instance: BusinessOwned) -> Iterator[None]:
    """Around the transaction that saves `instance` after its full_clean passed: when another
    request saved the same customer number or receipt number in between (a race that no check
    before the save can close), the database's unique constraint refuses the save, and this
    refuses it as full_clean would have ("unique", on the field, in the user's language)
    instead of a server error. The transaction must have been rolled back already, so put it
    outside `transaction.atomic()`."""
    try:
        yield
    except IntegrityError:
        instance.validate_constraints()  # raises the ValidationError of the constraint hit
        raise


def _checks_passed(instance: models.Model, exclude, using: str) -> dict[str, bool]:
    """Whether the row passes each check constraint of its own model, asked of the database in
    one query where Django asks one per constraint, each in a savepoint of its own (a customer:
    three checks, nine statements, on every save through full_clean). As Django's: a check
    over an excluded field is left out, and one the database cannot evaluate (an amount out of
    its range) is left to Django, which lets it pass and the database's constraint refuse."""
    model = type(instance)
    checks = [
        constraint
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint)
        and not (
            exclude and constraint._expression_refs_exclude(model, constraint.condition, exclude)
        )
    ]
    if not checks:
        return {}
    connection = connections[using]
    query = Query(None)
    for name, value in instance._get_field_expression_map(
        meta=model._meta, exclude=exclude
    ).items():
        query.add_annotation(
            value if hasattr(value, "resolve_expression") else Value(value), name, select=False
        )
    for number, constraint in enumerate(checks):
        condition = models.Q(constraint.condition)
        if connection.features.supports_comparing_boolean_expr:
            # A check does not fail when it evaluates to UNKNOWN (NULL).
            condition = Coalesce(condition, True, output_field=models.BooleanField())
        query.add_annotation(
            ExpressionWrapper(condition, output_field=models.BooleanField()), f"check_{number}"
        )
    savepoint = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with savepoint:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        return {}
    return {constraint.name: bool(value) for constraint, value in zip(checks, row, strict=True)}


def _row_holding(
    model: type[models.Model],
    constraint: models.UniqueConstraint,
    instance: models.Model,
    using: str,
) -> int | None:
    """The id of the row that holds what `constraint` refused of `instance` (the receipt number
    or customer number taken), found as Django's UniqueConstraint.validate finds that one
    exists: a till retrying a sale carries on with the row it made before. None when it is
    gone again (removed meanwhile)."""
    if constraint.fields:
        rows = model._default_manager.using(using).filter(
            **{
                field.attname: getattr(instance, field.attname)
                for field in map(model._meta.get_field, constraint.fields)
            }
        )
    else:
        replacements = {
            models.F(name): value
            for name, value in instance._get_field_expression_map(meta=model._meta).items()
        }
        rows = model._default_manager.using(using).filter(
            *(
                Exact(expression, expression.replace_expressions(replacements))
                for expression in constraint.expressions
            )
        )
    if constraint.condition is not None:
        rows = rows.filter(constraint.condition)
    if not instance._state.adding and instance.pk is not None:
        rows = rows.exclude(pk=instance.pk)
    return rows.order_by("pk").values_list("pk", flat=True).first()


def _fields_of(constraint: models.BaseConstraint) -> list[str]:
    """The fields a constraint is over: its `fields`, else the fields its expressions read."""
    if getattr(constraint, "fields", ()):
        return list(constraint.fields)
    names: list[str] = []
    pending = list(getattr(constraint, "expressions", ()))
    while pending:
        expression = pending.pop(0)
        if isinstance(expression, models.F):
            names.append(expression.name)
        elif hasattr(expression, "get_source_expressions"):
            pending.extend(expression.get_source_expressions())
    return names


@cache
def _choice_labels(field: models.Field) -> dict:
    return dict(field.flatchoices)


class AuditEvent(models.Model):
    """Who did what to which record, and what changed. Generic on purpose (object type and id
    rather than a foreign key per model), so promises, complaints, follow-ups and later privacy
    requests all write to the same trail that an owner can show an inspector."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=30)
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.BigIntegerField(_("object id"))
    # Kept (as NULL) when the customer is erased, so the trail outlives the personal data.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["business", "object_type", "object_id"], name="audit_object"),
            models.Index(fields=["customer", "at"], name="audit_customer_at"),
            # The customers merged away or deleted since a moment, for a client that keeps a
            # copy (customers.selectors.customers_removed): a few events among the many.
            models.Index(fields=["business", "action", "at"], name="audit_business_action"),
            # The audit log, newest first, of the whole trail or of a period (audit.audit_trail):
            # without it a page of 50 events sorts every event of the business, hundreds of
            # thousands in a shop whose profiles are opened all day.
            models.Index(fields=["business", "at"], name="audit_business_at"),
            # The audit log narrowed to a kind other than the looks (exports, copies given,
            # changes, consent, erasures, requests: audit.AUDIT_KINDS): the few events among the
            # looks, newest first, without passing every look of the shop. Its condition is
            # audit.NOT_A_LOOK (tested), written out as above.
            models.Index(
                fields=["business", "at"],
                condition=~models.Q(action="viewed"),
                name="audit_trail_not_viewed",
            ),
            # The profile's "who did what": the changes only, not the looks, which outnumber
            # them for a customer opened at every visit (audit.audit_for_customer). Its
            # condition is audit.CHANGES_ONLY (tested), written out: audit imports this module.
            models.Index(
                fields=["customer", "at"],
                condition=~models.Q(action="viewed") & ~models.Q(action="exported"),
                name="audit_customer_changes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} #{self.object_id}"


class CalendarToken(models.Model):
    """The secret in a member's calendar-feed URL. Calendar apps cannot send a bearer header, so
    the secret lives in the URL; only its hash is stored, and revoking it kills the old URL."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.membership})"


class LoginFailure(models.Model):
    """A failed log-in, kept briefly to slow down password guessing (see core.selectors.login_wait)."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class IdempotentRequest(models.Model):
    """A write sent to the API with an Idempotency-Key header and the answer it got (docs/api.md),
    kept for a day: a client that retries it (after a time-out, a dropped connection) gets the
    same answer again instead of a second record. Tied to the token, so one integration's keys
    never meet another's; the unique key is what lets only one of two simultaneous requests
    with the same key through."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    # Empty only inside the transaction of the first request, which fills it before it commits.
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.TextField(blank=True)
    # The answer's headers that say what it is about (its ETag, a created record's Location),
    # given again with it: a replayed 201 without them left the client without the address.
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("repeatable API request")
        verbose_name_plural = _("repeatable API requests")
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotentrequest_token_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotentrequest_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


class PasswordResetRequest(models.Model):
    """A "forgot your password" request, kept for a day to limit how many reset e-mails one
    address receives and one visitor can ask for (core.accounts.password_reset_allowed). The
    typed e-mail address is kept only as a keyed digest: whoever typed it may be anyone."""

    email_digest = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")

    def __str__(self) -> str:
        return f"{self.email_digest[:8]}… {self.at:%Y-%m-%d %H:%M}"
