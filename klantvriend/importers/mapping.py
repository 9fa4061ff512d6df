"""Which column of the file holds which field: found from Dutch or English headers, and
overridden per field (`--column email=Mailadres`, or the choices on the preview page)."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .reading import TableFormat, header_key

CUSTOMERS, PURCHASES = "customers", "purchases"
KINDS = (CUSTOMERS, PURCHASES)

_NUMBER = [
    "customer_number",
    "klantnummer",
    "klantnr",
    "klantcode",
    "klantid",
    "relatienummer",
    "relatienr",
    "debiteurnummer",
    "debiteurnr",
    "lidnummer",
    "customernumber",
    "customerno",
    "customerid",
    "customerref",
    "clientnumber",
]
# A person who works in the business, as a column names them: who served a purchase, or a
# customer's regular staff member.
_STAFF = [
    "medewerker",
    "kapper",
    "kapster",
    "verkoper",
    "verkoopster",
    "monteur",
    "behandelaar",
    "staff",
    "employee",
]
_NAME = ["naam", "klantnaam", "volledigenaam", "name", "fullname", "customername", "klant"]
_EMAIL = ["email", "emailadres", "mail", "mailadres", "emailaddress"]
_PHONE = [
    "telefoon",
    "telefoonnummer",
    "tel",
    "telnr",
    "mobiel",
    "mobielnummer",
    "gsm",
    "phone",
    "phonenumber",
    "mobile",
    "telephone",
]


@dataclass(frozen=True)
class Field:
    name: str
    label: object  # lazy translated text
    synonyms: tuple[str, ...]
    required: bool = False


def _field(name, label, synonyms, required=False) -> Field:
    return Field(name, label, tuple(header_key(s) for s in [name, *synonyms]), required)


FIELDS: dict[str, tuple[Field, ...]] = {
    CUSTOMERS: (
        # "external_ref": the column of the export's own customers.csv (and of the API).
        _field("customer_number", _("customer number"), [*_NUMBER, "external_ref"]),
        _field("name", _("name"), _NAME),
        _field("first_name", _("first name"), ["voornaam", "firstname", "givenname", "roepnaam"]),
        _field(
            "name_infix", _("name prefix (van, de)"), ["tussenvoegsel", "tussenvoegsels", "infix"]
        ),
        _field("last_name", _("last name"), ["achternaam", "lastname", "surname", "familienaam"]),
        _field(
            "company", _("company"), ["bedrijf", "bedrijfsnaam", "firma", "organisatie", "company"]
        ),
        _field("email", _("email"), _EMAIL),
        _field("phone", _("phone"), _PHONE),
        _field(
            "street",
            _("street and number"),
            ["straat", "adres", "straatnaam", "straathuisnummer", "adresregel", "address"],
        ),
        _field("house_number", _("house number"), ["huisnummer", "huisnr", "nr", "housenumber"]),
        _field("postal_code", _("postal code"), ["postcode", "zip", "zipcode", "postalcode"]),
        _field("city", _("city"), ["plaats", "woonplaats", "stad", "gemeente", "city", "town"]),
        _field(
            "birthday", _("birthday"), ["geboortedatum", "verjaardag", "dateofbirth", "birthdate"]
        ),
        _field("customer_since", _("customer since"), ["klantsinds", "sinds", "inschrijfdatum"]),
        _field(
            "notes",
            _("personal notes"),
            ["notities", "notitie", "opmerkingen", "opmerking", "note", "remarks"],
        ),
        _field("preferences", _("preferences"), ["voorkeuren", "voorkeur", "wensen"]),
        # Stored only with the customer's explicit consent (GDPR art. 9): from the consent
        # column's "yes", or the consent on record (customer_import._health_notes_kept). A
        # restaurant's "Allergieën" could otherwise only go under preferences, as a taste.
        _field(
            "special_notes",
            _("health, diet and allergies"),
            [
                "allergie",
                "allergieen",
                "allergenen",
                "dieet",
                "dieetwensen",
                "gezondheid",
                "allergies",
                "allergy",
                "diet",
                "dietaryrequirements",
            ],
        ),
        _field(
            "special_category_consent",
            # Short: the page lays the fields out in columns.
            _("consent for health and diet notes"),
            [
                "toestemmingallergie",
                "toestemmingallergieen",
                "toestemmingdieet",
                "toestemminggezondheid",
                "allergyconsent",
                "healthconsent",
            ],
        ),
        _field(
            "marketing_consent",
            _("marketing consent"),
            ["nieuwsbrief", "marketing", "toestemmingmarketing", "newsletter", "optin"],
        ),
        _field(
            "marketing_consent_basis",
            _("legal basis"),
            ["grondslag", "legalbasis", "grondslagmarketing"],
        ),
        _field("tags", _("tags"), ["labels", "groepen", "groep", "kenmerken"]),
        # How they came, and who brought them in (importers.referrers): the export's
        # customers.csv writes "acquisition_channel" and "referred_by" (the referrer's number).
        _field(
            "acquisition_channel",
            _("came to us through"),
            ["herkomst", "kanaal", "bijonsgekomenvia", "gekomenvia", "channel", "source"],
        ),
        _field(
            "referred_by",
            _("referred by"),
            [
                "aangebrachtdoor",
                "doorverwezendoor",
                "verwezendoor",
                "aanbrenger",
                "tipgever",
                "referrer",
                "referredby",
            ],
        ),
        # Their own regular staff member, matched to a member as who served a purchase is
        # (importers.members); "regular_member" is the column of the export's customers.csv.
        _field(
            "regular_member",
            _("regular staff member"),
            [
                "vastemedewerker",
                "vastekapper",
                "vastekapster",
                "vastemonteur",
                "eigenkapper",
                "eigenmonteur",
                *_STAFF,
                "regularstaff",
                "regularstaffmember",
                "stylist",
                "mechanic",
            ],
        ),
    ),
    PURCHASES: (
        _field("customer_number", _("customer number"), _NUMBER),
        _field("name", _("name"), _NAME),
        _field("email", _("email"), _EMAIL),
        _field("phone", _("phone"), _PHONE),
        _field(
            "date",
            _("date"),
            [
                "datum",
                "aankoopdatum",
                "bondatum",
                "transactiedatum",
                # An office bills: its export is of invoices, a web shop's of orders.
                "factuurdatum",
                "orderdatum",
                "verkoopdatum",
                "invoicedate",
                "orderdate",
                "datumtijd",
                "at",
                "moment",
                "purchasedate",
                "datetime",
            ],
            required=True,
        ),
        _field("time", _("time"), ["tijd", "tijdstip"]),
        _field(
            "amount",
            _("amount"),
            [
                "bedrag",
                "totaal",
                "totaalbedrag",
                "factuurbedrag",
                "bedraginclbtw",
                "bedragincl",
                "totaalincl",
                "totaalinclbtw",
                "omzet",
                "prijs",
                "total",
                "price",
            ],
            required=True,
        ),
        _field("currency", _("currency"), ["valuta", "munt"]),
        _field(
            "description",
            _("description"),
            [
                "omschrijving",
                "artikel",
                "artikelen",
                "product",
                "producten",
                "behandeling",
                "behandelingen",
                "dienst",
                "diensten",
                "item",
                "items",
                "service",
                "services",
                "treatment",
            ],
        ),
        _field(
            "receipt_number",
            _("receipt number"),
            [
                "bonnummer",
                "bonnr",
                "bon",
                "kassabon",
                "factuurnummer",
                "transactienummer",
                "receipt",
                "receiptno",
                "invoicenumber",
                "external_ref",
            ],
        ),
        # Who served the customer, matched to a member by name or user name (purchase_import).
        _field(
            "member",
            _("served by"),
            [
                *_STAFF,
                "geholpendoor",
                "bedienddoor",
                "servedby",
                "cashier",
            ],
        ),
    ),
}


def field_names(kind: str) -> list[str]:
    return [item.name for item in FIELDS[kind]]


class MappingError(ValueError):
    def __init__(self, messages: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _field, message in messages))
        self.messages = messages  # (field or "", message)


def _header_keys(item: Field) -> tuple[str, ...]:
    """The headers a field is found by: its synonyms, then its own label in each language the
    pages speak, so that a column named as the import page names the field ("Straat en
    huisnummer") is never left unread."""
    labels = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.append(header_key(str(item.label)))
    return (*item.synonyms, *labels)


def unread_headers(table: TableFormat, mapping: dict[str, str]) -> list[str]:
    """The file's columns that no field reads, in the file's order."""
    read = set(mapping.values())
    return [header for header in table.headers if header and header not in read]


# Columns that sum up a customer's visits (how many, the last, the total) in a customer file:
# a restaurant's guest list. Purchases come from a file of purchases, a line each; a count or
# a last day alone is no purchase (visits_summarised).
_SUMMARY_KEYS = frozenset(
    header_key(header)
    for header in (
        "aantal bezoeken",
        "bezoeken",
        "laatste bezoek",
        "eerste bezoek",
        "aantal aankopen",
        "laatste aankoop",
        "totaal besteed",
        "omzet",
        "visits",
        "last visit",
        "number of visits",
        "last purchase",
        "total spent",
    )
)


def visits_summarised(headers: list[str]) -> bool:
    """Whether any of `headers` (those no field reads) sums up visits or purchases."""
    return any(header_key(header) in _SUMMARY_KEYS for header in headers)


def detect_mapping(kind: str, table: TableFormat) -> dict[str, str]:
    """{field: header} for every field whose header the file has; the first matching header
    wins, and a header is used for one field only."""
    keys = {}
    for header in table.headers:
        keys.setdefault(header_key(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for item in FIELDS[kind]:
        for synonym in _header_keys(item):
            header = keys.get(synonym)
            if header is not None and header not in used:
                mapping[item.name] = header
                used.add(header)
                break
    return mapping


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    overrides = {}
    for pair in pairs:
        field, separator, header = pair.partition("=")
        if not separator or not field.strip():
            raise MappingError(
                [("", str(_("Write a column choice as FIELD=HEADER.")) + f" ({pair})")]
            )
        overrides[field.strip()] = header.strip()
    return overrides


def build_mapping(
    kind: str, table: TableFormat, overrides: dict[str, str] | None = None
) -> dict[str, str]:
    """The detected mapping with the user's choices applied; an empty header means "not in this
    file". Refuses unknown fields, headers the file lacks, and missing required fields."""
    mapping = detect_mapping(kind, table)
    problems: list[tuple[str, str]] = []
    names = set(field_names(kind))
    for field, header in (overrides or {}).items():
        if field not in names:
            problems.append(
                (
                    field,
                    str(_("There is no field %(field)s; choose from: %(fields)s."))
                    % {"field": field, "fields": ", ".join(field_names(kind))},
                )
            )
            continue
        if not header:
            mapping.pop(field, None)
            continue
        if header not in table.headers:
            matches = [h for h in table.headers if header_key(h) == header_key(header)]
            if not matches:
                problems.append(
                    (
                        field,
                        str(_("The file has no column %(header)s.")) % {"header": header},
                    )
                )
                continue
            header = matches[0]
        for other, chosen in list(mapping.items()):
            if chosen == header and other != field and other not in (overrides or {}):
                del mapping[other]
        mapping[field] = header
    for item in FIELDS[kind]:
        if item.required and item.name not in mapping:
            problems.append(
                (
                    item.name,
                    str(_("No column for %(field)s was found; choose one."))
                    % {"field": item.label},
                )
            )
    if kind == CUSTOMERS and not ({"name", "first_name", "last_name"} & set(mapping)):
        problems.append(
            ("name", str(_("No column with the customer's name was found; choose one.")))
        )
    if kind == PURCHASES and not ({"customer_number", "email"} & set(mapping)):
        problems.append(
            (
                "customer_number",
                str(
                    _(
                        "A purchase must be linked to a customer: choose the column with the "
                        "customer number or the email address."
                    )
                ),
            )
        )
    if problems:
        raise MappingError(problems)
    return mapping
