"""The language a person reads Klantvriend in: their own choice, else the business's."""

import pytest
from django.core.exceptions import ValidationError

from klantvriend.core.accounts import account_language_set
from klantvriend.core.language import own_language, reader_language
from klantvriend.core.models import Profile
from klantvriend.core.selectors import membership_list_for_user


@pytest.mark.parametrize(
    ("own", "business_language", "read"), [("", "en", "en"), ("nl", "en", "nl"), ("en", "nl", "en")]
)
def test_a_person_reads_their_own_choice_else_the_language_of_the_business(
    business, own, business_language, read
):
    business.language = business_language

    assert reader_language(own=own, business=business) == read


def test_a_person_in_no_business_who_never_chose_has_no_language_of_their_own():
    assert reader_language(own="", business=None) is None
    assert reader_language(own="en", business=None) == "en"


def test_the_choice_is_stored_changed_and_given_back(owner, business):
    assert own_language(user=owner) == ""
    assert [m.own_language for m in membership_list_for_user(user=owner)] == [""]

    account_language_set(user=owner, language="en")
    assert own_language(user=owner) == "en"
    assert [m.own_language for m in membership_list_for_user(user=owner)] == ["en"]

    account_language_set(user=owner, language="")
    assert Profile.objects.get(user=owner).language == ""


@pytest.mark.parametrize("value", ["fr", "EN", "en-gb", " en", "x" * 20])
def test_a_language_klantvriend_does_not_speak_is_refused_and_nothing_changes(owner, value):
    account_language_set(user=owner, language="nl")

    with pytest.raises(ValidationError) as refused:
        account_language_set(user=owner, language=value)

    assert refused.value.error_dict["language"][0].code == "invalid_choice"
    assert Profile.objects.get(user=owner).language == "nl"
