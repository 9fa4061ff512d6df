import re
from collections.abc import Mapping
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klantvriend.core.db import AsciiLower, MonthDay
from klantvriend.core.errors import Conflict
from klantvriend.core.models import Business, BusinessOwned, ChangeTracked, WrittenTextField
from klantvriend.core.money import MAX_CENTS

from . import identity
from .text import (
    SEARCH_TEXT_LENGTH,
    SORT_NAME_LENGTH,
    postcode_tidied,
    search_text_for,
    sort_name_for,
)

# Digits with the separators people write, at least 8 of them: six digits were taken, a local
# number without its area code that nobody can call (a Dutch number has 10, a Belgian 9).
PHONE_PATTERN = re.compile(r"^(?=(?:[^0-9]*[0-9]){8})\+?[0-9 ()./-]{8,25}$")
phone_validator = RegexValidator(
    PHONE_PATTERN,
    _(
        "Enter a phone number of at least 8 digits, optionally starting with +, such as 06 12345678."
    ),
    code="phone",
)


currency_validator = RegexValidator(
    r"^[A-Z]{3}$", _("Use a three-letter currency code such as EUR."), code="currency"
)


class AcquisitionChannel(models.TextChoices):
    WALK_IN = "walk_in", _("walk-in")
    REFERRAL = "referral", _("referral")
    ONLINE = "online", _("online")
    ADVERTISEMENT = "advertisement", _("advertisement")
    OTHER = "other", _("other")
    # Of a customer an import brought in: a till's or a client file says nothing of how they
    # came, and "walk-in" was then a wrong fact about them, in the copy of their data too.
    UNKNOWN = "unknown", _("not known")


class LegalBasis(models.TextChoices):
    """Grounds of the AVG/GDPR (art. 6) on which marketing messages may be sent."""

    NONE = "", _("none recorded")
    CONSENT = "consent", _("consent")
    SOFT_OPT_IN = "soft_opt_in", _("soft opt-in (existing customer)")
    LEGITIMATE_INTEREST = "legitimate_interest", _("legitimate interest")


class ConsentSource(models.TextChoices):
    """Where a change of consent was recorded: shown in the consent history (the access page)
    and given by the API as its code. Records from before the customer form named itself have
    none."""

    WEB = "web", _("customer form")
    API = "api", _("API (a linked system)")
    IMPORT = "import", _("file import")
    ERASURE = "erasure", _("anonymisation")
    # The customer's own click on the opt-out link of an email (surveys.services.email_stop).
    EMAIL_LINK = "email_link", _("opt-out link in an email")
    # An objection to marketing (AVG art. 21) recorded as a privacy request and answered by
    # withdrawing the consent (customers.privacy_requests.privacy_request_handle).
    PRIVACY_REQUEST = "privacy_request", _("objection to marketing (privacy request)")


# A customer's days that lie behind them, each with the words its refusal of a day after today
# takes. Typed in a year to come (2030 for 2003), a birthday would be congratulated on a
# negative age on the Today page, and a customer since next month would be counted among next
# month's new customers and congratulated on an anniversary before their first year.
DAYS_GONE_BY = {
    "birthday": _("A birthday cannot lie in the future."),
    "customer_since": _("“Customer since” cannot lie in the future: today at the latest."),
}


# No one alive was born, and no shop's customer came, before 1900: an earlier year is a typing
# error ("0001", "0198"), which Today's "Coming up" wished a happy 2026th birthday (as
# core.moments.EARLIEST, for the moments recorded).
EARLIEST_DAY = date(1900, 1, 1)


def unlikely_day_errors(
    days: Mapping[str, date | None],
    *,
    today: date,
    previous: Mapping[str, date | None] | None = None,
) -> dict[str, list[ValidationError]]:
    """The refusal of each day in `days` (a field of DAYS_GONE_BY: its day) that lies after
    `today`, the business's local date (Business.today), or before 1900; today itself is fine.
    With `previous` (the customer's days as stored), only a day given anew is judged: one equal
    to what is stored was stored before the rule (imported, or sent by the API, before it
    refused one) and stays until someone changes it. The one rule of the services (and so of
    the API, services.customer_full_clean), of the web's customer form (judged with the form's
    own checks, so that one submission shows every refusal) and of the importer's lines."""
    refused = {}
    for name, day in days.items():
        if day is None or (previous is not None and day == previous.get(name)):
            continue
        if day > today:
            refused[name] = [ValidationError(DAYS_GONE_BY[name], code="future")]
        elif day < EARLIEST_DAY:
            refused[name] = [too_early_error()]
    return refused


def too_early_error() -> ValidationError:
    return ValidationError(_("Check the year: this day lies before 1900."), code="too_early")


def refuse_early_day(day: date, *, field: str) -> None:
    """Refuses `day` on `field` when it lies before 1900 (EARLIEST_DAY): the rule of the
    customer's days for an important date, which Today's "Coming up" counts years from too."""
    if isinstance(day, date) and day < EARLIEST_DAY:
        raise ValidationError({field: too_early_error()})


def refuse_marketing_consent_without_basis(consent: bool, basis: str) -> None:
    """Consent must be demonstrable (AVG/GDPR art. 7(1)): news and offers go out only on a
    recorded legal basis, so consent on record with none is refused. (The model, and so the
    forms and the API, and the importer's lines.)"""
    if consent and not basis:
        raise ValidationError(
            _(
                "News and offers need a legal basis: consent, soft opt-in or legitimate "
                "interest. Withdraw the consent instead of emptying its basis."
            ),
            code="basis_required",
        )


TAG_MAX_LENGTH = 50


def refuse_long_tag(name: str) -> None:
    """A tag longer than its column is refused rather than cut short without a word (the
    forms, the API and the importer)."""
    if len(name) > TAG_MAX_LENGTH:
        raise ValidationError(
            _("A tag can be at most %(max)d characters long: %(tag)s")
            % {"max": TAG_MAX_LENGTH, "tag": name},
            code="too_long",
        )


class Tag(BusinessOwned):
    name = models.CharField(_("name"), max_length=TAG_MAX_LENGTH)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["business", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class Customer(BusinessOwned):
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=25, blank=True, validators=[phone_validator])
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    preferences = WrittenTextField(
        _("what matters to this customer"),
        blank=True,
        help_text=_(
            "Preferences and wishes, for example: prefers a call to an email, always in a hurry."
        ),
    )
    notes = WrittenTextField(
        _("personal notes"),
        blank=True,
        help_text=_(
            "Something personal to ask about next time, for example: daughter starts school."
        ),
    )
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    customer_since = models.DateField(_("customer since"), default=timezone.localdate)
    # False for a customer a file brought in without their "customer since" (importers.
    # customer_import): `customer_since` is then the day of the import, by which they were a
    # customer, perhaps for years already. They do not count as new that day (the scorecard's
    # referrals, the acquisition report) nor have their anniversary on it. A day given for them
    # (the card, the API, a file) or a purchase before it (services.customers_since_moved_back)
    # makes it known.
    customer_since_known = models.BooleanField(
        _("customer since known"), default=True, db_default=True, editable=False
    )
    acquisition_channel = models.CharField(
        _("came to us through"),
        max_length=20,
        choices=AcquisitionChannel.choices,
        default=AcquisitionChannel.WALK_IN,
    )
    referred_by = models.ForeignKey(
        "self",
        verbose_name=_("referred by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    # Their own hairdresser, mechanic or adviser, whom the briefing names. A member of this
    # business only (services: core.members.member_of_business); when they leave, the customers
    # they were the regular of are let go of in the same step (services'
    # customers_regular_member_release), so the field never names someone who left.
    regular_member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("regular staff member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marketing_consent = models.BooleanField(_("may receive news and offers"), default=False)
    marketing_consent_basis = models.CharField(
        _("legal basis"),
        max_length=30,
        choices=LegalBasis.choices,
        blank=True,
        default=LegalBasis.NONE,
    )
    marketing_consent_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    special_category_consent = models.BooleanField(
        _("explicit consent for health, diet or allergy notes"), default=False
    )
    special_category_consent_at = models.DateTimeField(
        _("explicit consent recorded at"), null=True, blank=True
    )
    special_notes = WrittenTextField(
        _("health, diet and allergies"),
        blank=True,
        help_text=_("Only with the customer's explicit consent (GDPR art. 9)."),
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    external_ref = models.CharField(_("customer number"), max_length=100, blank=True)
    # Folded name, company, e-mail, phone digits and address (text.search_text_for): an accent-
    # and case-insensitive search that works the same on SQLite and PostgreSQL, through a
    # trigram index (migration 0005).
    search_text = models.CharField(max_length=SEARCH_TEXT_LENGTH, editable=False, default="")
    # The name as every list of customers sorts it (text.sort_name_for), "jan" beside "Jan" and
    # "Ümit" beside "Ulla" (migration 0049).
    sort_name = models.CharField(
        max_length=SORT_NAME_LENGTH, editable=False, default="", db_default=""
    )
    # The name, e-mail address and phone number as the list of possible duplicates compares
    # them (identity.match_keys), so that it groups customers through an index instead of
    # normalising 100,000 of them on every view; "" for none (migration 0024).
    match_name = models.CharField(
        max_length=identity.MATCH_KEY_LENGTH, editable=False, default="", db_default=""
    )
    match_email = models.CharField(
        max_length=identity.MATCH_KEY_LENGTH, editable=False, default="", db_default=""
    )
    match_phone = models.CharField(
        max_length=identity.MATCH_KEY_LENGTH, editable=False, default="", db_default=""
    )
    # Set when the person's data was erased (AVG/GDPR art. 17): the row stays for the purchases
    # the business must keep for seven years, with nothing left that identifies the person.
    erased_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    objects = ChangeTracked.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["sort_name", "id"]
        # Deletion empties the referrer of the customers a deleted one referred through the
        # base manager's `update`: with this one, their `updated_at` moves too.
        base_manager_name = "objects"
        indexes = [
            # The list in name order; with the search text in it, a search too short for the
            # trigram index ("th") finds its page of matches in the index alone, without
            # visiting the customer rows it passes (20,000 of them for "th" at 100,000).
            models.Index(
                fields=["business", "sort_name", "id", "search_text"],
                name="customer_sort_name_search",
            ),
            models.Index(fields=["business", "search_text"], name="customer_business_search"),
            # The API's changed_since (docs/api.md, "Syncing"): a page of the customers changed
            # since a moment, in the order of the index, without sorting all of the business's.
            models.Index(fields=["business", "updated_at", "id"], name="customer_business_changed"),
            # The ambassador ranking groups the referred customers of a business by referrer.
            models.Index(fields=["business", "referred_by"], name="customer_business_referrer"),
            # The list of possible duplicates reads the customers of a business by each key
            # (selectors.duplicate_groups), oldest record first: with the id, from the index.
            models.Index(fields=["business", "match_email", "id"], name="customer_match_email"),
            models.Index(fields=["business", "match_phone", "id"], name="customer_match_phone"),
            models.Index(fields=["business", "match_name", "id"], name="customer_match_name"),
            # The few anonymised customers, whom rankings and Today's lists leave out
            # (selectors.anonymised_customer_ids).
            models.Index(
                fields=["business"],
                condition=models.Q(erased_at__isnull=False),
                name="customer_business_anonymised",
            ),
            # Consent on record without a legal basis, stored before the model refused that: the
            # privacy page counts and lists these few customers by name, from an index that
            # holds only them (selectors.customers_with_consent_without_basis).
            models.Index(
                fields=["business", "sort_name", "id"],
                condition=models.Q(marketing_consent=True, marketing_consent_basis=""),
                name="customer_consent_no_basis",
            ),
            # The acquisition report (new customers per month and channel) and the list sorted
            # by newest customers; with the referrer, the channel a customer came through
            # (selectors.came_through) is read from the index alone: the walk-in customers
            # counted in 4 ms instead of 24 at 100,000 customers (each row read for its
            # referrer), and the list of a channel found and sorted by day without its rows.
            # Whether the day is known too, which the counts of new customers ask.
            models.Index(
                fields=[
                    "business",
                    "customer_since",
                    "acquisition_channel",
                    "referred_by",
                    "customer_since_known",
                ],
                name="customer_business_since",
            ),
            # Today's birthdays and customer anniversaries (gestures.selectors.occasions_today).
            models.Index(models.F("business"), MonthDay("birthday"), name="customer_birthday_day"),
            models.Index(
                models.F("business"), MonthDay("customer_since"), name="customer_since_day"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="customer_name_not_empty",
                violation_error_message=_("A customer needs a name."),
            ),
            models.CheckConstraint(
                condition=models.Q(special_notes="") | models.Q(special_category_consent=True),
                name="customer_special_notes_need_consent",
                violation_error_message=_(
                    "Health, diet or allergy notes may only be stored with the customer's explicit consent."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(referred_by=models.F("id")),
                name="customer_not_own_referrer",
                violation_error_message=_("A customer cannot have referred themselves."),
            ),
            # K-1001 and k-1001 are one customer number (identity.customer_number_key): two
            # customers cannot have it, however their saves interleave. Customers without a
            # number do not collide. The importers find customers by their number through its
            # index. Migration 0016 renumbered pairs that were there before, 0017 added it.
            models.UniqueConstraint(
                models.F("business"),
                AsciiLower("external_ref"),
                condition=~models.Q(external_ref=""),
                name="customer_unique_number_key",
                violation_error_code="unique",
                violation_error_message=_("Another customer already has this customer number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = self.name.strip()
        self.postal_code = postcode_tidied(self.postal_code)
        # A day after today in a birthday or customer-since date is refused by the services,
        # which know whether it is given anew (DAYS_GONE_BY, services.customer_full_clean).
        if self.referred_by_id is not None:
            if self.referred_by.business_id != self.business_id:
                # Same message as a missing row: another business's customer must not be confirmed.
                raise ValidationError(
                    {
                        "referred_by": ValidationError(
                            _("This customer does not exist."), code="not_found"
                        )
                    }
                )
            if self.pk is not None and self.referred_by_id == self.pk:
                raise ValidationError(
                    {
                        "referred_by": ValidationError(
                            _("A customer cannot have referred themselves."), code="self_referral"
                        )
                    }
                )
            # A referral chain that leads back to this customer would be a cycle.
            seen, ancestor = {self.pk}, self.referred_by
            while ancestor is not None:
                if ancestor.pk in seen:
                    # Named, not "a circle": whoever records it sees which way round it went.
                    raise ValidationError(
                        {
                            "referred_by": ValidationError(
                                _(
                                    "%(referrer)s came in through %(name)s (directly or through "
                                    "others), so cannot have brought %(name)s in."
                                )
                                % {"referrer": self.referred_by.name, "name": self.name},
                                code="referral_cycle",
                            )
                        }
                    )
                seen.add(ancestor.pk)
                ancestor = ancestor.referred_by
        try:
            refuse_marketing_consent_without_basis(
                self.marketing_consent, self.marketing_consent_basis
            )
        except ValidationError as refused:
            raise ValidationError({"marketing_consent_basis": refused}) from None
        if self.special_notes.strip() and not self.special_category_consent:
            raise ValidationError(
                {
                    "special_notes": ValidationError(
                        _(
                            "Health, diet or allergy notes may only be stored with the customer's explicit consent."
                        ),
                        code="special_category_consent",
                    )
                }
            )

    @property
    def contact_way(self) -> str:
        """How to get in touch with the customer unasked (a customer slipping away): "phone",
        the personal way, else "email", else "" when neither is known."""
        if self.phone:
            return "phone"
        return "email" if self.email else ""

    def refuse_if_anonymised(self) -> None:
        """Nothing new is recorded about a person who was anonymised at their request (AVG art.
        17): no change to their record and no new record of theirs, which would hold personal
        data again that a second erasure could not reach. What was left open can still be closed
        (a promise kept, a complaint resolved)."""
        if self.erased_at is not None:
            raise Conflict(
                _("This customer has been anonymised: nothing new can be recorded about them."),
                code="anonymised",
            )

    def refresh_derived_fields(self) -> None:
        """Writes the fields made from the others (DERIVED_FIELDS): every write of a customer
        calls it before it saves, also the bulk ones (imports, the demo). An anonymised
        customer has no search text: what is left of them is a placeholder ("Geanonimiseerde
        klant 12") that nobody looks them up by, and that made a search for "klant" or for a
        number list every anonymised customer. The list without a search still shows them."""
        self.search_text = (
            ""
            if self.erased_at
            else search_text_for(
                name=self.name,
                company=self.company,
                email=self.email,
                phone=self.phone,
                street=self.street,
                postal_code=self.postal_code,
                city=self.city,
            )
        )
        self.sort_name = sort_name_for(self.name)
        keys = identity.match_keys(
            name=self.name, email=self.email, phone=self.phone, anonymised=bool(self.erased_at)
        )
        for field, key in keys.items():
            setattr(self, field, key)


# The fields of a customer made from the others by refresh_derived_fields: not typed, not
# exported, not part of a record's version, and written with the fields they are made of.
DERIVED_FIELDS = ("search_text", "sort_name", "match_name", "match_email", "match_phone")


class CustomerCount(models.Model):
    """How many customers a business has, kept by the database itself (triggers of migration
    0006), so that the customer list shows its total without counting every customer again on
    every page: a count grows with the shop, this read does not."""

    business = models.OneToOneField(
        Business, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    customers = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.business_id}: {self.customers}"


class MatchKind(models.TextChoices):
    """What customers listed as possible duplicates share (Customer.match_<kind>)."""

    EMAIL = "email", _("the same email address")
    PHONE = "phone", _("the same phone number")
    NAME = "name", _("the same name")


class MatchCount(models.Model):
    """How many customers of a business share one match key (Customer.match_email, match_phone,
    match_name), kept by triggers on the customers table (migration 0024) as CustomerCount is:
    the list of possible duplicates reads the keys shared by more than one customer from an
    index that holds only those, instead of grouping every customer on every view (12 to 40 ms
    per key at 100,000 customers on SQLite). A key that no customer has any more has no row.
    `apart`: how many pairs of the customers who share the key the owner marked as different
    people (DistinctPair), kept by the triggers of migration 0025; the key is no group to list
    once every pair of its customers is (`OPEN`). `newest`: the id of its latest customer,
    kept by the triggers of migration 0026; the list shows the groups of few customers first,
    of one size those with the latest records first (an import's new doubles), and pages by
    both (selectors.duplicate_keys), since no two keys of a kind share `newest`."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=MatchKind.choices)
    key = models.CharField(max_length=identity.MATCH_KEY_LENGTH)
    customers = models.IntegerField(default=0)
    apart = models.IntegerField(default=0)
    newest = models.BigIntegerField(default=0)

    # Shared by more than one customer, some two of whom are not marked as different people:
    # n customers make n(n-1)/2 pairs.
    OPEN = models.Q(customers__gt=1) & models.Q(
        apart__lt=models.F("customers") * (models.F("customers") - 1) / 2
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["business", "kind", "key"], name="match_count_key"),
        ]
        indexes = [
            # The counts and pairs in the index itself: the tabs' counts and the list's pages of
            # keys, in the list's order (fewest customers first, then the latest), are read from
            # it alone, forwards or backwards.
            models.Index(
                fields=["business", "kind", "customers", "-newest", "apart", "key"],
                condition=models.Q(customers__gt=1),
                name="match_count_shared_fewest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business_id} {self.kind} {self.key}: {self.customers}"


class DistinctPair(BusinessOwned):
    """Two customers the owner said are not the same person, for the list of possible
    duplicates to stop offering them as one (their other pairs stay on it). The lower id is
    `first`. Ids only, no key or name: whatever they share may change or be erased. Goes with
    either customer when deleted or anonymised; a merge moves it onto the kept record
    (customers.services.distinct_pairs_move). The triggers of migration 0025 count the pairs
    of each shared key (MatchCount.apart): rows are only inserted and deleted, never updated."""

    first = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("not the same person")
        verbose_name_plural = _("not the same person")
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="distinct_pair_unique"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="distinct_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["business", "-decided_at"], name="distinct_pair_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class CustomerSpend(models.Model):
    """What a customer has bought in all (the sum of their purchases), kept by triggers on the
    purchases (migration 0009), as CustomerCount is for the number of customers: the ambassador
    ranking sums what the customers each referrer brought in had bought, which, summed from the
    purchases, read 440,000 of them at 100,000 customers on every view. A customer without
    purchases has no row."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="spend"
    )
    cents = models.BigIntegerField(_("total spend"), default=0)

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.cents}"


class CustomerLastPurchase(models.Model):
    """When a customer last bought (the latest moment of their purchases) and first bought (the
    earliest), kept by triggers on the purchases (migrations 0031 and 0032) beside what they
    spent (CustomerSpend): the customer list by last purchase sorted every customer by a
    subquery over their purchases (180 ms for a deep page at 100,000 customers) and now finds
    each page through this index (core.rows.ByFigure); the scorecard's returning customers count
    who bought in a window from the two moments and the long absences (CustomerAbsence) instead
    of asking every customer's purchases (insights.scorecard.repeat_buyers). A customer who never
    bought has no row, and loses it with their last purchase."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="last_purchase"
    )
    # Found through the index below, whose first column it is: one index fewer to write.
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    at = models.DateTimeField()
    first_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The list by last purchase: a deep page's moment found, and the moments before it
            # counted, from the index alone (core.rows.ByFigure); the customers who bought since
            # a moment counted by their first purchase, from the index alone too.
            models.Index(
                fields=["business", "at", "customer", "first_at"], name="customer_last_purchase"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.first_at} - {self.at}"


# The shortest time between two purchases of a customer that CustomerAbsence keeps (migration
# 0032 spells it in its triggers; on SQLite exact to a millisecond). A window longer than this
# is read from the kept moments (insights.scorecard._away_throughout); the scorecard's 90 days
# are (a test holds them to it). Two months rather than the 90 days themselves, so that the
# rounding stays far from the scorecard's windows.
ABSENCE_KEPT_FROM = timedelta(days=60)


class CustomerAbsence(models.Model):
    """A long time a customer did not buy: two of their purchases one after the other (no
    purchase between them) at least ABSENCE_KEPT_FROM apart, kept by triggers on the purchases
    (migration 0032). Whether a customer bought in a window between their first and their last
    purchase is a matter of the purchases between; it is not, when the window is longer than that:
    they did not buy in it exactly when one of their absences spans it, and at most one
    can (insights.scorecard.repeat_buyers). Few customers stay away that long, so the absences
    that span a window are counted from the index below instead of asking every customer."""

    # Both found through an index whose first column they are: two indexes fewer to write.
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    since = models.DateTimeField()  # the purchase before
    until = models.DateTimeField()  # the purchase that ended it

    class Meta:
        constraints = [
            # A customer's absences are found by it (the triggers), and one begins at each
            # purchase at most.
            models.UniqueConstraint(fields=["customer", "since"], name="customer_absence_unique")
        ]
        indexes = [
            # Those that span a window: ended after it (few), begun before it.
            models.Index(fields=["business", "until", "since"], name="customer_absence_until")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.since} - {self.until}"


class ReferrerTally(models.Model):
    """How many customers each customer referred and what those bought in all (their
    CustomerSpend added up), kept by triggers on the customers and on CustomerSpend (migration
    0027): the ambassador ranking grouped every referred customer with their spend on every
    view, 22,000 of them at 100,000 customers (40 ms on PostgreSQL), and now reads its first
    rows from an index in ranking order. A row stays, at zero, when its last referred customer
    goes."""

    referrer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="referred_tally"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    referred = models.IntegerField(default=0)
    cents = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["business", "-cents", "-referred", "referrer"], name="referrer_tally_rank"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referrer_id}: {self.referred}, {self.cents}"


class TagCount(models.Model):
    """How many customers carry a tag, kept by triggers on the tag links (migration 0007) for
    the tag filter's counts, as CustomerCount is for the list's total. A row of its own rather
    than a column of Tag, so that saving a tag can never write back a stale count."""

    tag = models.OneToOneField(
        Tag, primary_key=True, on_delete=models.CASCADE, related_name="counted"
    )
    customers = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.tag_id}: {self.customers}"


class ConsentKind(models.TextChoices):
    MARKETING = "marketing", _("news and offers")
    SPECIAL_CATEGORY = "special_category", _("health, diet or allergy notes")


class ConsentRecord(BusinessOwned):
    """One change of a customer's consent, with its legal basis: the history an inspector (or the
    customer) may ask for. Written by the customer services on every change, never edited."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consent_records")
    # Giving or withdrawing consent is the customer telling the business something.
    activity_fields = ("at",)
    kind = models.CharField(_("consent for"), max_length=20, choices=ConsentKind.choices)
    given = models.BooleanField(_("given"))
    basis = models.CharField(
        _("legal basis"), max_length=30, choices=LegalBasis.choices, blank=True, default=""
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    source = models.CharField(
        _("recorded through"), max_length=20, choices=ConsentSource.choices, blank=True
    )

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "at"], name="consent_customer_at")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ConsentKind.values), name="consent_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {'+' if self.given else '-'} {self.at:%Y-%m-%d}"


class ImportantDate(BusinessOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="important_dates")
    # None: the date is one of the person's life (a birthday, a wedding day), not of contact with
    # the business, and a yearly one would keep the customer for ever.
    activity_fields = ()
    label = models.CharField(_("what"), max_length=100)
    date = models.DateField(_("date"))
    yearly = models.BooleanField(_("every year"), default=True)
    # When someone last called the customer about it ("Called" on Today's "Coming up"), so that
    # a colleague does not call again before it falls (ComingDate.called_on).
    called_at = models.DateTimeField(_("called about it"), null=True, blank=True)
    # The call that set `called_at`, on the customer's timeline: taken back with it when the
    # call was tapped by mistake (services.important_date_called_undo).
    called_moment = models.ForeignKey(
        "ContactMoment",
        verbose_name=_("call"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("important date")
        verbose_name_plural = _("important dates")
        ordering = ["date"]
        indexes = [
            # Today's coming important dates (selectors.important_dates_coming): the yearly ones
            # by month and day, as the birthdays (Customer.Meta), the one-off ones by date.
            models.Index(models.F("business"), MonthDay("date"), name="important_date_day"),
            models.Index(fields=["business", "date"], name="important_date_business_date"),
        ]
        constraints = [
            # The same day twice would be remembered twice (on Today, in the briefing). Exactly
            # the same "what": capitals compared alike would need a Unicode fold, which SQLite
            # and PostgreSQL do not share. Migration customers 0029 merged the doubles of before.
            models.UniqueConstraint(
                fields=["customer", "label", "date"],
                name="important_date_unique",
                violation_error_code="unique",
                violation_error_message=_("This customer already has this important date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.date})"

    def validate_constraints(self, exclude=None):
        """important_date_unique refused on the date, naming what is there already: Django
        names no field for a constraint over several. The id of the date there (`existing_id`,
        of the same customer, so of the same business) lets an API client carry on with it.
        Asked by full_clean before the save, and again by core.models.refused_when_taken when
        the database refused a save that raced another one, so that the one that lost hears
        the same refusal, naming the one that won."""
        excluded = set(exclude or ())
        existing_id = None
        # Not when the date or what it is was refused itself (full_clean excludes those).
        if not excluded & {"customer", "label", "date"} and isinstance(self.date, date):
            existing_id = (
                ImportantDate.objects.filter(
                    customer_id=self.customer_id, label=self.label, date=self.date
                )
                .exclude(pk=self.pk)
                .values_list("pk", flat=True)
                .first()
            )
        if existing_id is None:
            super().validate_constraints(exclude)
            return
        errors = {
            "date": [
                ValidationError(
                    _("This customer already has “%(label)s” on this date."),
                    code="unique",
                    params={"label": self.label, "existing_id": existing_id},
                )
            ]
        }
        try:
            # The others, without the unique constraint said above in its own words.
            super().validate_constraints(excluded | {"date"})
        except ValidationError as refused:
            errors = refused.update_error_dict(errors)
        raise ValidationError(errors)


class ContactKind(models.TextChoices):
    VISIT = "visit", _("visit")
    CALL = "call", _("call")
    EMAIL = "email", _("email")
    MESSAGE = "message", _("message")
    NOTE = "note", _("note")


class ContactMoment(BusinessOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contact_moments")
    # When the contact took place, not when it was typed in.
    activity_fields = ("at",)
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = WrittenTextField(_("summary"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("contact moment")
        verbose_name_plural = _("contact moments")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "at"], name="contact_customer_at"),
            models.Index(fields=["business", "at"], name="contact_business_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ContactKind.values), name="contact_kind_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(summary=""),
                name="contact_summary_not_empty",
                violation_error_message=_("Write a short summary."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


# The columns of a purchase that bulk loaders (the demo, the purchase import) write, in this
# order, through core.bulk.insert_rows.
PURCHASE_ROW_FIELDS = (
    "business",
    "customer",
    "at",
    "amount_cents",
    "currency",
    "description",
    "external_ref",
    "created_at",
    "updated_at",
)


class Purchase(BusinessOwned):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases")
    # When it was bought: importing an old till file today is no sign of life.
    activity_fields = ("at",)
    at = models.DateTimeField(_("when"), default=timezone.now)
    # False for a purchase whose file gave its date alone: its `at` is noon of that day (the
    # purchase import), which keeps it on its day and in order but is no time anyone saw; the
    # pages show its date alone (web's `when` filter). db_default: the bulk loaders that do not
    # write the column (the demo) record purchases whose time is known.
    time_known = models.BooleanField(_("time of day known"), default=True, db_default=True)
    # Money in integer cents: exact sums, no floating-point rounding.
    amount_cents = models.BigIntegerField(
        _("amount"),
        validators=[
            MinValueValidator(0, message=_("The amount cannot be negative.")),
            MaxValueValidator(MAX_CENTS, message=_("This amount is too large.")),
        ],
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", validators=[currency_validator]
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    external_ref = models.CharField(_("receipt number"), max_length=100, blank=True)
    # Who served the customer: "the same stylist as last time" is asked for by name. A member
    # of this business only (services.purchase_create); kept as a fiscal record when they go.
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    # What a client syncs purchases by (the API's changed_since, docs/api.md "Syncing"): moved by
    # every write of the row, the bulk ones too (ChangeTracked); the bulk loaders write it.
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    objects = ChangeTracked.as_manager()

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "at"], name="purchase_customer_at"),
            # A period's purchases; holding the customer and the amount, a month's sums per
            # customer (the revenue chart's rows) are read from the index alone.
            models.Index(
                fields=["business", "at", "customer", "amount_cents"], name="purchase_business_at"
            ),
            # A page of the purchases changed since a moment, in the order of the index.
            models.Index(fields=["business", "updated_at", "id"], name="purchase_business_changed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gte=0),
                name="purchase_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(currency__length=3), name="purchase_currency_iso"
            ),
            models.UniqueConstraint(
                fields=["business", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="purchase_unique_external_ref",
                violation_error_message=_("A purchase with this receipt number already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_cents / 100:.2f} {self.currency} {self.at:%Y-%m-%d}"


class IdentifierKind(models.TextChoices):
    CUSTOMER_NUMBER = identity.CUSTOMER_NUMBER, _("customer number")
    EMAIL = identity.EMAIL, _("email")
    PHONE = identity.PHONE, _("phone")


class ErasedIdentity(BusinessOwned):
    """A customer number, e-mail address or phone number of a person whose data was erased, kept
    only as a salted one-way digest (identity.identity_digest), so that an import of a file that
    still holds it (a till exports its whole history again) puts the rows on the anonymised
    customer instead of bringing the person back. The digest cannot be read back; it only matches an
    identifier someone already has. Written by erasure, never edited."""

    # The anonymised customer; when that row is deleted the memory stays, so the person still
    # does not come back (their rows are then left out of an import).
    customer = models.ForeignKey(
        Customer, null=True, on_delete=models.SET_NULL, related_name="erased_identities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IdentifierKind.choices)
    salt = models.CharField(_("random salt"), max_length=32)
    digest = models.CharField(_("identifier (hashed)"), max_length=64)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("erased identifier")
        verbose_name_plural = _("erased identifiers")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "digest"], name="erased_identity_unique_digest"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=IdentifierKind.values), name="erased_identity_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}…"


class PrivacyRequestKind(models.TextChoices):
    """The rights a customer asks to exercise (AVG/GDPR), each answered within one month of the
    day it came in (art. 12(3))."""

    ACCESS = "access", _("copy of their data (article 15)")
    CORRECTION = "correction", _("correction (article 16)")
    ERASURE = "erasure", _("erasure (article 17)")
    OBJECTION = "objection", _("objection to marketing (article 21)")
    OTHER = "other", _("other")


class PrivacyRequestChannel(models.TextChoices):
    COUNTER = "counter", _("at the counter")
    PHONE = "phone", _("by phone")
    EMAIL = "email", _("by email")
    LETTER = "letter", _("by letter")


class PrivacyRequestAnswer(models.TextChoices):
    """How a request was handled: by the step that answers it (the copy given, the erasure,
    the consent withdrawn) or by the owner's own word with a note."""

    COPY_GIVEN = "copy_given", _("copy given to the customer")
    ERASED = "erased", _("customer anonymised")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("marketing consent withdrawn")
    BY_HAND = "by_hand", _("marked as handled")


class PrivacyRequest(BusinessOwned):
    """A request of a customer about their data, recorded the day it comes in, so that the
    month the law gives to answer (core.audit.one_month_after) is counted from it and shown to
    the owner until it is handled (customers.privacy_requests)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="privacy_requests"
    )
    # None: a request is about the data, not a visit or a purchase; it keeps no one from the
    # retention rule, whose erasure handles it (importers.privacy.customer_erase).
    activity_fields = ()
    kind = models.CharField(_("request"), max_length=20, choices=PrivacyRequestKind.choices)
    received_on = models.DateField(_("received on"))
    channel = models.CharField(_("came in"), max_length=20, choices=PrivacyRequestChannel.choices)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_how = models.CharField(
        _("handled how"), max_length=20, choices=PrivacyRequestAnswer.choices, blank=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_note = models.TextField(_("how it was answered"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["received_on", "id"]
        indexes = [
            # The open requests of a business, the oldest (soonest due) first: Today and the
            # requests page read only these.
            models.Index(
                fields=["business", "received_on", "id"],
                condition=models.Q(handled_at__isnull=True),
                name="privacy_request_open",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=PrivacyRequestKind.values),
                name="privacy_request_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(channel__in=PrivacyRequestChannel.values),
                name="privacy_request_channel_valid",
            ),
            # Handled is a moment and a way together, never one without the other.
            models.CheckConstraint(
                condition=models.Q(handled_at__isnull=True, handled_how="")
                | models.Q(handled_at__isnull=False, handled_how__in=PrivacyRequestAnswer.values),
                name="privacy_request_handled_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.received_on:%Y-%m-%d}"


__all__ = [
    "AcquisitionChannel",
    "Business",
    "ConsentKind",
    "ConsentRecord",
    "ConsentSource",
    "ContactKind",
    "ContactMoment",
    "Customer",
    "DistinctPair",
    "ErasedIdentity",
    "IdentifierKind",
    "ImportantDate",
    "LegalBasis",
    "MatchCount",
    "MatchKind",
    "PrivacyRequest",
    "PrivacyRequestAnswer",
    "PrivacyRequestChannel",
    "PrivacyRequestKind",
    "Purchase",
    "Tag",
]
