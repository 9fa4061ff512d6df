"""GET and PATCH /care-settings: the settings page's targets, opening hours and aftercare rules,
owners only, changed through the page's own service and recorded in its history."""

import json
from datetime import date, time

import pytest
from django.test import Client
from django.urls import reverse

from klantvriend.core.accounts import account_language_set
from klantvriend.core.audit import AuditAction
from klantvriend.core.care_settings import (
    DEFAULTS,
    ClosedPeriod,
    PurchaseRule,
    care_settings,
    care_settings_update,
    care_settings_version,
)
from klantvriend.core.models import AuditEvent, Business
from klantvriend.core.services import apitoken_create
from klantvriend.core.working_hours import DayHours
from klantvriend.isolation import snapshot

URL = "/api/v1/care-settings"
SHOP_DAY = {"opens": "09:00", "closes": "18:00"}
SHOP_WEEK = {
    "monday": SHOP_DAY,
    "tuesday": SHOP_DAY,
    "wednesday": SHOP_DAY,
    "thursday": SHOP_DAY,
    "friday": SHOP_DAY,
    "saturday": SHOP_DAY,
    "sunday": None,
}
NO_BREAK = {"break_starts": None, "break_ends": None}


def answered(week: dict) -> dict:
    """The week as the API answers it: each open day with its break, null for none."""
    return {day: None if hours is None else {**NO_BREAK, **hours} for day, hours in week.items()}


DEFAULT_ANSWER = {
    "promise_grace_hours": 24,
    "complaint_response_working_hours": 4,
    "complaint_public_response_hours": 1,
    "complaint_resolution_days": 3,
    "opening_hours": answered(SHOP_WEEK),
    "closed_periods": [],
    "aftercare_delivery_days": 3,
    "aftercare_repair_days": 7,
    "aftercare_complaint_days": 7,
    "aftercare_quote_days": 3,
    "aftercare_purchase_min_cents": 25000,
    "aftercare_purchase_days": 3,
    "aftercare_purchase_rules": [],
    "aftercare_replan_days": 2,
    "coming_up_days": 14,
    "staff_see_amounts": True,
}
COLOUR = {"words": ["kleur", "balayage"], "days": 3, "ask": "Vragen hoe de kleur houdt"}


def patch(client, data, **headers):
    return client.patch(
        URL, data=json.dumps(data), content_type="application/json", headers=headers
    )


def stored(business) -> dict:
    return care_settings(Business.objects.get(pk=business.pk)).__dict__


def _refused(response) -> list[tuple]:
    assert response.status_code == 422, response.content
    return [(tuple(item["loc"]), item["msg"], item["type"]) for item in response.json()["detail"]]


def test_an_owner_reads_every_setting_with_its_etag(api, business):
    response = api.get(URL)

    assert response.status_code == 200
    assert response.json() == DEFAULT_ANSWER
    assert response["ETag"] == f'"{care_settings_version(business)}"'


def test_what_the_page_saved_is_read_back(api, business, owner):
    care_settings_update(
        business=business,
        actor=owner,
        opening_hours=[None, *[(time(9), time(17, 30))] * 3, (time(12), time(21)), None, None],
        aftercare_purchase_rules=[COLOUR],
        aftercare_quote_days=None,
        staff_see_amounts=False,
    )

    body = api.get(URL).json()

    assert body["opening_hours"] == answered(
        {
            "monday": None,
            "tuesday": {"opens": "09:00", "closes": "17:30"},
            "wednesday": {"opens": "09:00", "closes": "17:30"},
            "thursday": {"opens": "09:00", "closes": "17:30"},
            "friday": {"opens": "12:00", "closes": "21:00"},
            "saturday": None,
            "sunday": None,
        }
    )
    assert body["aftercare_purchase_rules"] == [COLOUR]
    assert (body["aftercare_quote_days"], body["staff_see_amounts"]) == (None, False)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("promise_grace_hours", 48),
        ("complaint_response_working_hours", 8),
        ("complaint_public_response_hours", 2),
        ("complaint_resolution_days", 5),
        ("aftercare_delivery_days", 0),
        ("aftercare_delivery_days", None),
        ("aftercare_repair_days", 14),
        ("aftercare_repair_days", None),
        ("aftercare_complaint_days", 10),
        ("aftercare_complaint_days", None),
        ("aftercare_quote_days", 5),
        ("aftercare_quote_days", None),
        ("aftercare_purchase_min_cents", 9950),
        ("aftercare_purchase_min_cents", None),
        ("aftercare_purchase_days", 4),
        ("aftercare_replan_days", 3),
        ("coming_up_days", 28),
        ("staff_see_amounts", False),
    ],
)
def test_each_setting_is_written_alone_and_the_others_stay(api, business, name, value):
    response = patch(api, {name: value})

    assert response.status_code == 200, response.content
    assert response.json() == {**DEFAULT_ANSWER, name: value}
    assert stored(business) == {**DEFAULTS.__dict__, name: value}
    assert api.get(URL).json() == {**DEFAULT_ANSWER, name: value}


def test_the_opening_hours_are_written_a_week_at_a_time(api, business):
    week = {**SHOP_WEEK, "thursday": {"opens": "09:00", "closes": "21:00"}, "saturday": None}

    response = patch(api, {"opening_hours": week})

    assert response.status_code == 200
    assert response.json()["opening_hours"] == answered(week)
    settings = care_settings(Business.objects.get(pk=business.pk))
    assert settings.opening_hours == (
        DayHours(time(9), time(18)),
        DayHours(time(9), time(18)),
        DayHours(time(9), time(18)),
        DayHours(time(9), time(21)),
        DayHours(time(9), time(18)),
        None,
        None,
    )
    assert settings.working_days == (0, 1, 2, 3, 4)


def test_the_rules_for_a_kind_of_purchase_are_replaced_as_a_list(api, business):
    rules = [
        {
            "words": [" kleur ", "Kleur", "balayage"],
            "days": 3,
            "ask": " Vragen hoe de kleur houdt ",
        },
        {"words": ["knippen"], "days": 0, "ask": "Zit het goed?"},
    ]

    written = patch(api, {"aftercare_purchase_rules": rules})
    emptied = patch(api, {"aftercare_purchase_rules": None})

    # Trimmed and each word once, as the page stores them (core.care_settings).
    assert written.json()["aftercare_purchase_rules"] == [
        COLOUR,
        {"words": ["knippen"], "days": 0, "ask": "Zit het goed?"},
    ]
    assert (emptied.status_code, emptied.json()["aftercare_purchase_rules"]) == (200, [])
    assert stored(business)["aftercare_purchase_rules"] == ()


def test_the_closed_periods_are_replaced_as_a_list_in_order_of_their_days(api, business):
    written = patch(
        api,
        {
            "closed_periods": [
                {"first": "2027-04-27", "last": "2027-04-27", "reason": "Koningsdag"},
                {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst"},
            ]
        },
    )
    read = api.get(URL)
    emptied = patch(api, {"closed_periods": None})

    assert written.status_code == 200
    assert (
        written.json()["closed_periods"]
        == read.json()["closed_periods"]
        == [
            {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst"},
            {"first": "2027-04-27", "last": "2027-04-27", "reason": "Koningsdag"},
        ]
    )
    assert (emptied.status_code, emptied.json()["closed_periods"]) == (200, [])
    assert stored(business)["closed_periods"] == ()


def test_a_closed_period_refused_is_named_where_the_body_has_it(api, business):
    before = Business.objects.get(pk=business.pk).settings

    refused = patch(
        api,
        {
            "coming_up_days": 28,
            "closed_periods": [
                {"first": "2026-12-25", "last": "2026-12-26"},
                {"first": "2026-12-31", "last": "2026-12-30", "reason": "Oud en nieuw"},
            ],
        },
    )
    incomplete = patch(api, {"closed_periods": [{"last": "2027-01-01"}]})
    overlapping = patch(
        api,
        {
            "closed_periods": [
                {"first": "2026-12-21", "last": "2027-01-03", "reason": "Kerstvakantie"},
                {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst"},
            ]
        },
    )

    assert _refused(refused) == [
        (
            ("body", "closed_periods", 1, "last"),
            "Closed days 2, up to and including: the last day closed cannot lie before the first.",
            "last_before_first",
        ),
    ]
    assert _refused(incomplete) == [
        (("body", "closed_periods", 0, "first"), "This field is required.", "missing")
    ]
    assert _refused(overlapping) == [
        (
            ("body", "closed_periods", 1, "first"),
            "Closed days 2, closed from: these days overlap Kerstvakantie (Mon\xa021\xa0Dec\xa0"
            "2026 – Sun\xa03\xa0Jan\xa02027); change that one, or choose other days.",
            "overlaps",
        ),
    ]
    assert Business.objects.get(pk=business.pk).settings == before


def test_a_closed_period_without_its_last_day_is_a_single_day(api, business):
    response = patch(api, {"closed_periods": [{"first": "2027-04-27", "reason": "Koningsdag"}]})

    assert response.status_code == 200
    assert response.json()["closed_periods"] == [
        {"first": "2027-04-27", "last": "2027-04-27", "reason": "Koningsdag"}
    ]
    assert stored(business)["closed_periods"] == (
        ClosedPeriod(date(2027, 4, 27), date(2027, 4, 27), "Koningsdag"),
    )


def test_closed_periods_stored_overlapping_do_not_block_removing_one(api, business, owner):
    # Stored before overlaps were refused: changing the list keeps what is kept as it was.
    christmas = ClosedPeriod(date(2026, 12, 25), date(2026, 12, 26), "Kerst")
    care_settings_update(business=business, actor=owner, closed_periods=[christmas])
    settings = dict(Business.objects.get(pk=business.pk).settings)
    settings["care"] = {
        **settings["care"],
        "closed_periods": [
            {"first": "2026-12-21", "last": "2027-01-03", "reason": "Kerstvakantie"},
            {"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst"},
        ],
    }
    Business.objects.filter(pk=business.pk).update(settings=settings)

    response = patch(
        api, {"closed_periods": [{"first": "2026-12-25", "last": "2026-12-26", "reason": "Kerst"}]}
    )

    assert response.status_code == 200
    assert stored(business)["closed_periods"] == (christmas,)


def test_a_change_is_in_the_history_the_settings_page_shows(api, business, owner, owner_client):
    patch(api, {"coming_up_days": 28, "aftercare_purchase_rules": [COLOUR]})

    event = AuditEvent.objects.get(business=business, action=AuditAction.SETTINGS)
    assert event.actor == owner
    assert event.changes == {
        "coming_up_days": [14, 28],
        "aftercare_purchase_rules": [[], [COLOUR]],
    }
    page = owner_client.get(reverse("web:care_settings"))
    history = [changes for _event, changes in page.context["history"]]
    assert history == [
        [
            ("Belangrijke datums zoveel dagen vooruit tonen", "14", "28"),
            (
                "Nazorg bij een soort aankoop",
                "—",
                "kleur, balayage na 3 dagen: Vragen hoe de kleur houdt",
            ),
        ]
    ]


def test_an_empty_patch_changes_nothing(api, business):
    before = snapshot()

    response = patch(api, {})

    assert (response.status_code, response.json()) == (200, DEFAULT_ANSWER)
    assert snapshot() == before


# Refusals: a message naming the field, in the member's language, and nothing stored.


@pytest.mark.parametrize(
    ("body", "refusals"),
    [
        (
            {"opening_hours": {**SHOP_WEEK, "thursday": {"opens": "18:00", "closes": "09:00"}}},
            [
                (
                    ("body", "opening_hours", "thursday", "closes"),
                    "The closing time on Thursday must be later than the opening time, or after midnight at 06:00 at the latest.",
                    "closing_before_opening",
                )
            ],
        ),
        (
            {"opening_hours": {**SHOP_WEEK, "monday": {"opens": "09:00", "closes": "09:00"}}},
            [
                (
                    ("body", "opening_hours", "monday", "closes"),
                    "The closing time on Monday must be later than the opening time, or after midnight at 06:00 at the latest.",
                    "closing_before_opening",
                )
            ],
        ),
        (
            {"opening_hours": dict.fromkeys(SHOP_WEEK)},
            [
                (
                    ("body", "opening_hours"),
                    "Open on at least one day of the week: a day not marked closed.",
                    "required",
                )
            ],
        ),
        (
            {"opening_hours": {**SHOP_WEEK, "friday": {"opens": "09:00"}}},
            [(("body", "opening_hours", "friday", "closes"), "This field is required.", "missing")],
        ),
        (
            {"opening_hours": {day: SHOP_DAY for day in list(SHOP_WEEK)[:6]}},
            [(("body", "opening_hours", "sunday"), "This field is required.", "missing")],
        ),
        (
            {"opening_hours": {**SHOP_WEEK, "sunday": {"closed": True}}},
            [
                (
                    ("body", "opening_hours", "sunday", "opens"),
                    "This field is required.",
                    "missing",
                ),
                (
                    ("body", "opening_hours", "sunday", "closes"),
                    "This field is required.",
                    "missing",
                ),
                (
                    ("body", "opening_hours", "sunday", "closed"),
                    "Unknown field: closed. Did you mean closes?",
                    "extra_forbidden",
                ),
            ],
        ),
        (
            {"opening_hours": {**SHOP_WEEK, "monday": {"opens": "9:00", "closes": 64800}}},
            [
                (
                    ("body", "opening_hours", "monday", "opens"),
                    "Enter a time of day as HH:MM, e.g. 09:30.",
                    "value_error",
                ),
                (
                    ("body", "opening_hours", "monday", "closes"),
                    "Enter a time of day as HH:MM, e.g. 09:30.",
                    "value_error",
                ),
            ],
        ),
        (
            {"opening_hours": {**SHOP_WEEK, "monday": {"opens": "24:00", "closes": "09:00:30"}}},
            [
                (
                    ("body", "opening_hours", "monday", "opens"),
                    "Enter a time of day as HH:MM, e.g. 09:30.",
                    "value_error",
                ),
                (
                    ("body", "opening_hours", "monday", "closes"),
                    "Enter a time of day as HH:MM, e.g. 09:30.",
                    "value_error",
                ),
            ],
        ),
        (
            {"opening_hours": None},
            [
                (
                    ("body", "opening_hours"),
                    "This field cannot be emptied; leave it out to keep its value.",
                    "null",
                )
            ],
        ),
        (
            {"aftercare_purchase_rules": [{"words": ["kleur"], "days": 3}]},
            [
                (
                    ("body", "aftercare_purchase_rules", 0, "ask"),
                    "This field is required.",
                    "missing",
                )
            ],
        ),
        (
            {"aftercare_purchase_rules": [COLOUR, {"words": [" ", ""], "days": 400, "ask": " "}]},
            [
                (
                    ("body", "aftercare_purchase_rules", 1, "words"),
                    "Rule 2, words: give at least one word.",
                    "words_required",
                ),
                (
                    ("body", "aftercare_purchase_rules", 1, "days"),
                    "Rule 2, after (days): enter a whole number from 0 to 365.",
                    "days_out_of_range",
                ),
                (
                    ("body", "aftercare_purchase_rules", 1, "ask"),
                    "Rule 2, what to ask: say what to ask the customer.",
                    "ask_required",
                ),
            ],
        ),
        (
            {"aftercare_purchase_rules": [{**COLOUR, "ask": "Hoe\x00 gaat het?"}]},
            [
                (
                    ("body", "aftercare_purchase_rules", 0, "ask"),
                    "Rule 1, what to ask: a null character is not allowed.",
                    "null_character",
                )
            ],
        ),
        (
            {"aftercare_purchase_rules": [COLOUR] * 21},
            [
                (
                    ("body", "aftercare_purchase_rules"),
                    "At most 20 rules for a kind of purchase.",
                    "too_many",
                )
            ],
        ),
        (
            {"aftercare_purchase_rules": [{**COLOUR, "words": "kleur", "dayz": 3}]},
            [
                (
                    ("body", "aftercare_purchase_rules", 0, "words"),
                    "Enter a list of values.",
                    "list_type",
                ),
                (
                    ("body", "aftercare_purchase_rules", 0, "dayz"),
                    "Unknown field: dayz. Did you mean days?",
                    "extra_forbidden",
                ),
            ],
        ),
        (
            {"promise_grace_hours": "24", "staff_see_amounts": "no", "coming_up_days": 1.5},
            [
                (("body", "promise_grace_hours"), "Enter a whole number.", "int_type"),
                (("body", "coming_up_days"), "Enter a whole number.", "int_type"),
                (("body", "staff_see_amounts"), "Enter true or false.", "bool_type"),
            ],
        ),
        (
            {"aftercare_purchase_min_cents": "250.00"},
            [
                (
                    ("body", "aftercare_purchase_min_cents"),
                    "Give the amount in whole cents, as a number: 1250 for 12.50.",
                    "int_type",
                )
            ],
        ),
        (
            {"complaint_resolution_days": 0, "coming_up_days": 61, "aftercare_quote_days": 0},
            [
                (
                    ("body", "complaint_resolution_days"),
                    "Enter a whole number from 1 to 365.",
                    "out_of_range",
                ),
                (
                    ("body", "aftercare_quote_days"),
                    "Enter a whole number from 1 to 365.",
                    "out_of_range",
                ),
                (("body", "coming_up_days"), "Enter a whole number from 1 to 60.", "out_of_range"),
            ],
        ),
        (
            {"staff_see_amounts": None, "promise_grace_hours": None},
            [
                (
                    ("body", "promise_grace_hours"),
                    "This field cannot be emptied; leave it out to keep its value.",
                    "null",
                ),
                (
                    ("body", "staff_see_amounts"),
                    "This field cannot be emptied; leave it out to keep its value.",
                    "null",
                ),
            ],
        ),
        (
            {"coming_up_day": 28},
            [
                (
                    ("body", "coming_up_day"),
                    "Unknown field: coming_up_day. Did you mean coming_up_days?",
                    "extra_forbidden",
                )
            ],
        ),
    ],
)
def test_a_refused_change_names_its_field_and_stores_nothing(api, business, body, refusals):
    before = snapshot()

    response = patch(api, body)

    assert sorted(_refused(response)) == sorted(refusals)
    assert snapshot() == before


def test_every_refusal_comes_at_once_the_schemas_and_the_services(api, business):
    before = snapshot()

    response = patch(
        api,
        {
            "promise_grace_hours": "veel",
            "opening_hours": {**SHOP_WEEK, "thursday": {"opens": "21:00", "closes": "09:00"}},
            "aftercare_purchase_rules": [COLOUR] * 21,
        },
    )

    assert _refused(response) == [
        (("body", "promise_grace_hours"), "Enter a whole number.", "int_type"),
        (
            ("body", "opening_hours", "thursday", "closes"),
            "The closing time on Thursday must be later than the opening time, or after midnight at 06:00 at the latest.",
            "closing_before_opening",
        ),
        (
            ("body", "aftercare_purchase_rules"),
            "At most 20 rules for a kind of purchase.",
            "too_many",
        ),
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("own", "messages"),
    [
        (
            "nl",
            [
                "De sluitingstijd op donderdag moet later zijn dan de openingstijd, of na middernacht uiterlijk 06:00.",
                "Regel 1, na (dagen): vul een heel getal in van 0 tot 365.",
                "Voer een geheel getal in.",
            ],
        ),
        (
            "en",
            [
                "The closing time on Thursday must be later than the opening time, or after midnight at 06:00 at the latest.",
                "Rule 1, after (days): enter a whole number from 0 to 365.",
                "Enter a whole number.",
            ],
        ),
    ],
)
def test_refusals_speak_the_token_member_s_language(membership, business, own, messages):
    account_language_set(user=membership.user, language=own)
    key = apitoken_create(membership=membership, name="till")[1]
    before = snapshot()

    response = Client(headers={"Authorization": f"Bearer {key}"}).patch(
        URL,
        data=json.dumps(
            {
                "opening_hours": {**SHOP_WEEK, "thursday": {"opens": "18:00", "closes": "09:00"}},
                "aftercare_purchase_rules": [{**COLOUR, "days": -1}],
                "coming_up_days": "7",
            }
        ),
        content_type="application/json",
    )

    assert sorted(message for _loc, message, _type in _refused(response)) == sorted(messages)
    assert response["Content-Language"] == own
    assert snapshot() == before


# Who may: owners, as on the settings page.


def test_a_staff_token_may_neither_read_nor_change_the_settings(business, staff_user):
    membership = business.memberships.get(user=staff_user)
    staff = Client(
        headers={
            "Authorization": f"Bearer {apitoken_create(membership=membership)[1]}",
            "Accept-Language": "en",
        }
    )
    before = snapshot()

    read = staff.get(URL)
    changed = patch(staff, {"staff_see_amounts": True, "coming_up_days": 99})

    owner_only = {"detail": "Only an owner of the business may do this."}
    assert (read.status_code, read.json()) == (403, owner_only)
    # Refused as a staff member before its values are judged: no word on what they would meet.
    assert (changed.status_code, changed.json()) == (403, owner_only)
    assert snapshot() == before


def test_another_business_token_reads_and_changes_only_its_own(
    api, other_api, business, other_business, owner
):
    care_settings_update(
        business=business, actor=owner, coming_up_days=30, aftercare_purchase_rules=[COLOUR]
    )
    ours = stored(business)

    theirs = other_api.get(URL)
    changed = patch(other_api, {"coming_up_days": 7, "aftercare_purchase_rules": []})

    assert theirs.json() == DEFAULT_ANSWER
    assert changed.json()["coming_up_days"] == 7
    assert stored(business) == ours
    assert stored(other_business)["coming_up_days"] == 7
    assert api.get(URL).json()["aftercare_purchase_rules"] == [COLOUR]
    assert (
        not AuditEvent.objects.filter(business=business, action=AuditAction.SETTINGS)
        .exclude(actor=owner)
        .exists()
    )


def test_without_a_token_nothing_is_read_or_changed(client, business):
    before = snapshot()

    assert client.get(URL).status_code == 401
    assert patch(client, {"coming_up_days": 7}).status_code == 401
    assert snapshot() == before


# Versions and retries, as for every record the API changes.


def test_a_change_with_the_etag_read_is_made_and_an_old_one_is_refused(api, business, owner):
    etag = api.get(URL)["ETag"]

    changed = patch(api, {"coming_up_days": 21}, **{"If-Match": etag})
    before = snapshot()
    stale = patch(api, {"coming_up_days": 7}, **{"If-Match": etag})

    assert changed.status_code == 200
    assert changed["ETag"] not in (etag, None)
    assert changed["ETag"] == api.get(URL)["ETag"]
    assert stale.status_code == 412
    assert stale.json()["code"] == "changed_meanwhile"
    assert snapshot() == before
    assert stored(business)["coming_up_days"] == 21


def test_a_change_to_the_values_stored_keeps_the_etag(api, business):
    etag = api.get(URL)["ETag"]

    response = patch(api, {"coming_up_days": 14, "opening_hours": SHOP_WEEK}, **{"If-Match": etag})

    assert (response.status_code, response["ETag"]) == (200, etag)


def test_a_retry_with_the_same_idempotency_key_is_done_once(api, business):
    key = {"Idempotency-Key": "c0ffee00-0000-4000-8000-000000000001"}

    first = patch(api, {"aftercare_purchase_rules": [COLOUR]}, **key)
    again = patch(api, {"aftercare_purchase_rules": [COLOUR]}, **key)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert AuditEvent.objects.filter(business=business, action=AuditAction.SETTINGS).count() == 1
    assert stored(business)["aftercare_purchase_rules"] == (
        PurchaseRule(words=("kleur", "balayage"), days=3, ask="Vragen hoe de kleur houdt"),
    )


def test_a_restaurant_writes_its_break_and_its_late_night(api, business):
    lunch_and_dinner = {"opens": "12:00", "closes": "22:00", "break_starts": "14:30"}
    week = {
        **SHOP_WEEK,
        "tuesday": {**lunch_and_dinner, "break_ends": "17:30"},
        "friday": {"opens": "17:00", "closes": "01:00"},
    }

    response = patch(api, {"opening_hours": week})

    assert response.status_code == 200, response.content
    assert response.json()["opening_hours"] == answered(week)
    settings = care_settings(Business.objects.get(pk=business.pk))
    assert settings.opening_hours[1] == DayHours(time(12), time(22), time(14, 30), time(17, 30))
    assert settings.opening_hours[4] == DayHours(time(17), time(1))
    before = snapshot()

    half = patch(api, {"opening_hours": {**SHOP_WEEK, "tuesday": lunch_and_dinner}})

    assert _refused(half) == [
        (
            ("body", "opening_hours", "tuesday", "break_starts"),
            "The break on Tuesday must start after opening and end before closing, later than "
            "it starts.",
            "break_outside_hours",
        )
    ]
    assert snapshot() == before


def test_a_closed_period_is_made_longer_by_sending_the_list_with_it_changed(api, business):
    summer = {"first": "2027-07-19", "last": "2027-07-31", "reason": "Zomer"}
    patch(api, {"closed_periods": [summer]})

    longer = patch(api, {"closed_periods": [{**summer, "last": "2027-08-07"}]})

    assert longer.status_code == 200, longer.content
    assert stored(business)["closed_periods"] == (
        ClosedPeriod(date(2027, 7, 19), date(2027, 8, 7), "Zomer"),
    )
