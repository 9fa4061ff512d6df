"""The care settings' version (the API's ETag of them) and the refusals asked before writing:
a change made only while the settings are as read, and a question that stores nothing."""

from datetime import time

import pytest

from klantvriend.core.care_settings import (
    care_settings,
    care_settings_update,
    care_settings_update_refusals,
    care_settings_version,
)
from klantvriend.core.errors import ChangedMeanwhile
from klantvriend.core.models import Business
from klantvriend.isolation import snapshot


def test_the_version_changes_with_a_setting_and_not_with_the_same_values(business, owner):
    first = care_settings_version(business)

    care_settings_update(business=business, actor=owner, coming_up_days=14)
    unchanged = care_settings_version(Business.objects.get(pk=business.pk))
    care_settings_update(business=business, actor=owner, coming_up_days=15)

    assert unchanged == first
    assert care_settings_version(Business.objects.get(pk=business.pk)) != first


def test_a_change_against_an_old_version_is_refused_and_stores_nothing(business, owner):
    read = care_settings_version(business)
    care_settings_update(business=business, actor=owner, coming_up_days=21)
    before = snapshot()

    with pytest.raises(ChangedMeanwhile):
        care_settings_update(
            business=Business.objects.get(pk=business.pk),
            actor=owner,
            expected_versions=[read],
            coming_up_days=7,
        )

    assert snapshot() == before
    assert care_settings(Business.objects.get(pk=business.pk)).coming_up_days == 21


def test_a_change_against_the_current_version_is_made(business, owner):
    read = care_settings_version(business)

    care_settings_update(business=business, actor=owner, expected_versions=[read], coming_up_days=7)

    assert care_settings(Business.objects.get(pk=business.pk)).coming_up_days == 7


def test_the_refusals_are_the_update_s_and_nothing_is_written(business, owner):
    before = snapshot()

    refused = care_settings_update_refusals(
        business=business,
        opening_hours=[(time(18), time(9)), *[None] * 6],
        aftercare_purchase_rules=[{"words": ["kleur"], "days": 3, "ask": "x\x00"}],
    )
    accepted = care_settings_update_refusals(business=business, coming_up_days=30)

    assert {name: [error.code for error in errors] for name, errors in refused.items()} == {
        "monday_closes": ["closing_before_opening"],
        "aftercare_purchase_rules": ["null_character"],
    }
    assert refused["aftercare_purchase_rules"][0].params["name"] == "ask"
    assert accepted == {}
    assert snapshot() == before


def test_a_change_keeps_what_another_saved_meanwhile_to_another_setting(business, owner):
    """Two owners read the settings; one changes the look-ahead, the other then the quote's
    aftercare from their older copy: the first change stays (no lost update)."""
    read_by_one = Business.objects.get(pk=business.pk)
    read_by_other = Business.objects.get(pk=business.pk)

    care_settings_update(business=read_by_one, actor=owner, coming_up_days=21)
    care_settings_update(business=read_by_other, actor=owner, aftercare_quote_days=4)

    stored = care_settings(Business.objects.get(pk=business.pk))
    assert (stored.coming_up_days, stored.aftercare_quote_days) == (21, 4)
    assert care_settings(read_by_other) == stored
