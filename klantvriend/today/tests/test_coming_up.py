"""Today's "Coming up": the important dates falling from today to the care setting's days ahead, yearly ones
by month and day across the year's end and on 28 February for a 29 February in other years."""

from datetime import date, datetime

from django.utils import timezone

from klantvriend.core.care_settings import DEFAULTS, care_settings_update
from klantvriend.customers.important_dates import falls_on
from klantvriend.customers.tests.factories import CustomerFactory, ImportantDateFactory
from klantvriend.today.selectors import birthdays_coming_up, coming_up


def _shown(business, day, rows=10):
    found = coming_up(business=business, day=day, rows=rows)
    return [
        (coming.customer.name, coming.important_date.label, coming.day, coming.years)
        for coming in found.items
    ], found.total


def test_the_window_is_today_and_the_next_two_weeks_unless_the_shop_sets_another(business):
    anna = CustomerFactory(business=business, name="Anna")
    ImportantDateFactory(customer=anna, label="APK", date=date(2019, 12, 15))
    ImportantDateFactory(customer=anna, label="Jaarlijkse beurt", date=date(2020, 12, 29))

    two_weeks = _shown(business, date(2026, 12, 1))
    care_settings_update(business=business, actor=None, coming_up_days=28)
    four_weeks = _shown(business, date(2026, 12, 1))

    assert DEFAULTS.coming_up_days == 14
    assert two_weeks == ([("Anna", "APK", date(2026, 12, 15), 7)], 1)
    assert four_weeks == (
        [
            ("Anna", "APK", date(2026, 12, 15), 7),
            ("Anna", "Jaarlijkse beurt", date(2026, 12, 29), 6),
        ],
        2,
    )


def test_late_december_looks_into_january_the_soonest_first(business):
    anna = CustomerFactory(business=business, name="Anna")
    bram = CustomerFactory(business=business, name="bram")  # sorted without regard to capitals
    ImportantDateFactory(customer=anna, label="APK", date=date(2019, 1, 8))
    ImportantDateFactory(customer=bram, label="Trouwdag", date=date(2001, 12, 24))
    ImportantDateFactory(customer=anna, label="Jaarlijkse beurt", date=date(2024, 12, 28))
    ImportantDateFactory(customer=bram, label="Verjaardag dochter", date=date(2015, 12, 28))
    ImportantDateFactory(customer=anna, label="Te laat", date=date(2019, 1, 9))  # a day past
    ImportantDateFactory(customer=anna, label="Gisteren", date=date(2010, 12, 24))
    ImportantDateFactory(customer=anna, label="Opgehaald", date=date(2026, 12, 24), yearly=False)

    assert _shown(business, date(2026, 12, 25)) == (
        [
            ("Anna", "Jaarlijkse beurt", date(2026, 12, 28), 2),
            ("bram", "Verjaardag dochter", date(2026, 12, 28), 11),
            ("Anna", "APK", date(2027, 1, 8), 8),
        ],
        3,
    )


def test_a_one_off_date_only_on_its_own_day_and_a_yearly_one_from_its_own_date(business):
    anna = CustomerFactory(business=business, name="Anna")
    ImportantDateFactory(customer=anna, label="Auto ophalen", date=date(2026, 12, 3), yearly=False)
    ImportantDateFactory(customer=anna, label="Vorig jaar", date=date(2025, 12, 4), yearly=False)
    ImportantDateFactory(customer=anna, label="Eerste APK", date=date(2026, 12, 10))  # ahead
    ImportantDateFactory(customer=anna, label="Volgend jaar", date=date(2027, 12, 5))

    assert _shown(business, date(2026, 12, 1)) == (
        [
            ("Anna", "Auto ophalen", date(2026, 12, 3), None),
            ("Anna", "Eerste APK", date(2026, 12, 10), None),  # its first day: no years yet
        ],
        2,
    )


def test_29_february_falls_on_28_february_in_other_years(business):
    anna = CustomerFactory(business=business, name="Anna")
    ImportantDateFactory(customer=anna, label="Trouwdag", date=date(2020, 2, 29))
    ImportantDateFactory(customer=anna, label="Beurt", date=date(2021, 2, 28))
    ImportantDateFactory(customer=anna, label="Maart", date=date(2021, 3, 1))

    # 2027 has no 29 February: it is remembered on the 28th, with the 28th's own dates.
    assert _shown(business, date(2027, 2, 27))[0] == [
        ("Anna", "Beurt", date(2027, 2, 28), 6),
        ("Anna", "Trouwdag", date(2027, 2, 28), 7),
        ("Anna", "Maart", date(2027, 3, 1), 6),
    ]
    # 2028 has one: the 28th and the 29th each keep their own.
    assert _shown(business, date(2028, 2, 27))[0] == [
        ("Anna", "Beurt", date(2028, 2, 28), 7),
        ("Anna", "Trouwdag", date(2028, 2, 29), 8),
        ("Anna", "Maart", date(2028, 3, 1), 7),
    ]
    # Looking from 29 February 2028, the 28th has passed.
    assert [label for _n, label, *_rest in _shown(business, date(2028, 2, 29))[0]] == [
        "Trouwdag",
        "Maart",
    ]
    assert falls_on(when=date(2020, 2, 29), yearly=True, day=date(2027, 2, 28), days=14) == date(
        2027, 2, 28
    )
    assert falls_on(when=date(2020, 2, 29), yearly=True, day=date(2027, 3, 1), days=14) is None


def test_29_february_is_listed_among_the_28th_by_name(business):
    ImportantDateFactory(
        customer=CustomerFactory(business=business, name="Cees"),
        label="APK",
        date=date(2021, 2, 28),
    )
    ImportantDateFactory(
        customer=CustomerFactory(business=business, name="Bram"),
        label="APK",
        date=date(2024, 2, 29),
    )
    ImportantDateFactory(
        customer=CustomerFactory(business=business, name="Anna"), label="APK", date=date(2021, 3, 1)
    )

    assert _shown(business, date(2027, 2, 28))[0] == [
        ("Bram", "APK", date(2027, 2, 28), 3),
        ("Cees", "APK", date(2027, 2, 28), 6),
        ("Anna", "APK", date(2027, 3, 1), 6),
    ]


def test_the_last_day_of_the_window_is_in_and_the_next_is_out(business):
    anna = CustomerFactory(business=business, name="Anna")
    ImportantDateFactory(customer=anna, label="Laatste dag", date=date(2020, 12, 15))
    ImportantDateFactory(customer=anna, label="Dag erna", date=date(2020, 12, 16))
    ImportantDateFactory(customer=anna, label="Eenmalig", date=date(2026, 12, 16), yearly=False)

    assert _shown(business, date(2026, 12, 1)) == (
        [("Anna", "Laatste dag", date(2026, 12, 15), 6)],
        1,
    )


def test_no_consent_is_needed_but_anonymised_and_other_businesses_never_show(
    business, other_business
):
    day = date(2026, 12, 1)
    without_consent = CustomerFactory(business=business, name="Anna", marketing_consent=False)
    ImportantDateFactory(customer=without_consent, label="APK", date=date(2020, 12, 2))
    erased = CustomerFactory(business=business, name="Geanonimiseerd", erased_at=timezone.now())
    ImportantDateFactory(customer=erased, label="APK", date=date(2020, 12, 2))
    elsewhere = CustomerFactory(business=other_business, name="Elders")
    ImportantDateFactory(customer=elsewhere, label="APK", date=date(2020, 12, 2))

    assert _shown(business, day) == ([("Anna", "APK", date(2026, 12, 2), 6)], 1)
    assert _shown(other_business, day) == ([("Elders", "APK", date(2026, 12, 2), 6)], 1)


def test_the_first_rows_the_total_and_those_called_about_in_at_most_three_queries(
    business, django_assert_max_num_queries
):
    dates = []
    for number in range(12):
        customer = CustomerFactory(business=business, name=f"Klant {number:02}")
        dates.append(
            ImportantDateFactory(customer=customer, label="APK", date=date(2020, 12, 1 + number))
        )
    day = date(2026, 12, 1)
    # Called about this time: the first (shown) and the last (not among the first ten), the
    # one on the morning the window of the soonest opened (14 days before today) too; last
    # year's call, the day before that, was of another time.
    called = {
        0: (2026, 12, 1, 9),
        11: (2026, 11, 20, 16),
        4: (2026, 11, 17, 0),
        7: (2026, 11, 16, 23),
    }
    for index, (year, month, day_of_month, hour) in called.items():
        dates[index].called_at = datetime(year, month, day_of_month, hour, tzinfo=business.tzinfo)
        dates[index].save(update_fields=["called_at"])

    with django_assert_max_num_queries(3):
        found = coming_up(business=business, day=day)
    with django_assert_max_num_queries(1):  # all twelve shown: counted from the rows
        whole = coming_up(business=business, day=day, rows=20)

    assert (found.total, found.called, found.to_call) == (12, 3, 9)
    assert [coming.customer.name for coming in found.items] == [
        f"Klant {number:02}" for number in range(10)
    ]
    assert [coming.called_on for coming in found.items] == [
        date(2026, 12, 1),
        None,
        None,
        None,
        date(2026, 11, 17),
        None,
        None,
        None,
        None,
        None,
    ]
    assert (whole.total, whole.called, whole.to_call) == (12, 3, 9)
    assert [coming.called_on for coming in whole.items][10:] == [None, date(2026, 11, 20)]


def _birthdays(business, day, rows=10):
    found = birthdays_coming_up(business=business, day=day, rows=rows)
    return [(b.customer.name, b.day, b.age) for b in found.items], found.total


def test_birthdays_after_today_in_the_window_the_soonest_first_of_consenting_customers_only(
    business, other_business
):
    """Today's birthdays are on "To celebrate today"; those of the coming days under "Coming up",
    across the year's end, 29 February on the 28th, never without marketing consent, of an
    anonymised customer or of another business."""
    day = date(2026, 12, 24)

    def customer(name, birthday, **fields):
        return CustomerFactory(
            business=fields.pop("business", business),
            name=name,
            birthday=birthday,
            marketing_consent=fields.pop("marketing_consent", True),
            **fields,
        )

    customer("Vandaag", date(1980, 12, 24))
    customer("Nieuwjaar", date(1990, 1, 1))
    customer("Kerst", date(1976, 12, 25))
    customer("Oudjaar", date(2000, 12, 31))
    customer("Laatste dag", date(1985, 1, 7))
    customer("Te ver", date(1985, 1, 8))
    customer("Geen toestemming", date(1970, 12, 26), marketing_consent=False)
    customer("Elders", date(1970, 12, 26), business=other_business)
    customer("Geen verjaardag", None)
    CustomerFactory(
        business=business,
        name="Geanonimiseerd",
        birthday=date(1970, 12, 27),
        marketing_consent=True,
        erased_at=timezone.now(),
    )

    assert _birthdays(business, day) == (
        [
            ("Kerst", date(2026, 12, 25), 50),
            ("Oudjaar", date(2026, 12, 31), 26),
            ("Nieuwjaar", date(2027, 1, 1), 37),
            ("Laatste dag", date(2027, 1, 7), 42),
        ],
        4,
    )
    assert _birthdays(business, day, rows=2) == (
        [("Kerst", date(2026, 12, 25), 50), ("Oudjaar", date(2026, 12, 31), 26)],
        4,
    )


def test_a_29_february_birthday_comes_up_on_the_28th_in_a_common_year(business):
    CustomerFactory(
        business=business, name="Schrikkel", birthday=date(2000, 2, 29), marketing_consent=True
    )

    assert _birthdays(business, date(2027, 2, 20)) == (
        [("Schrikkel", date(2027, 2, 28), 27)],
        1,
    )
    # On the 28th itself it is today's, on "To celebrate today".
    assert _birthdays(business, date(2027, 2, 28)) == ([], 0)
