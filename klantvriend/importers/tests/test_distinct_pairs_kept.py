"""Customers marked as not the same person (DistinctPair) through the privacy duties and
merging: erasure and deletion remove the decisions, a merge moves them onto the kept record,
and the counts of the list of possible duplicates follow."""

import pytest
from django.db.models import Q

from klantvriend.core.errors import Conflict
from klantvriend.customers import selectors, services
from klantvriend.customers.models import DistinctPair
from klantvriend.customers.tests.test_distinct_pairs import (
    _apart_counted,
    _apart_kept,
    _jan,
    _mark,
    _pairs,
)
from klantvriend.importers.merge import customer_merge
from klantvriend.importers.privacy import customer_delete, customer_erase


def test_an_anonymised_customer_cannot_be_marked(business):
    first, second = _jan(business), _jan(business)
    customer_erase(customer=first)

    with pytest.raises(Conflict):
        _mark(business, first, second)

    assert DistinctPair.objects.count() == 0


def test_erasure_and_deletion_remove_the_decision(business, owner):
    first, second, third = _jan(business), _jan(business), _jan(business)
    _mark(business, first, second)
    _mark(business, second, third)
    _mark(business, first, third)

    customer_erase(customer=second, actor=owner)
    assert _pairs(business) == {("Jan de Vries", "Jan de Vries")}
    assert not DistinctPair.objects.filter(Q(first=second) | Q(second=second)).exists()

    customer_delete(customer=third, actor=owner)
    assert DistinctPair.objects.count() == 0
    assert _apart_kept(business) == _apart_counted(business) == set()


def test_a_merge_moves_the_decisions_onto_the_kept_record(business, owner):
    # Given Jan twice (to merge), a third Jan told apart from the second record, and a pair of
    # the two records themselves that the owner overrules by merging,
    keep = _jan(business, phone="06-11111111")
    other = _jan(business)
    neighbour = _jan(business, phone="06-22222222")
    cousin = services.customer_create(business=business, name="Jan Bakker")
    _mark(business, keep, other, actor=owner)
    moved = _mark(business, other, neighbour, actor=owner)
    _mark(business, other, cousin)
    _mark(business, keep, cousin)  # the kept record has that one already

    customer_merge(keep=keep, other=other, actor=owner)

    pairs = DistinctPair.objects.order_by("second_id")
    assert list(pairs.values_list("first_id", "second_id")) == [
        (keep.pk, neighbour.pk),
        (keep.pk, cousin.pk),
    ]
    # The moved decision keeps who took it and when.
    assert pairs[0].decided_by == owner
    assert pairs[0].decided_at == moved.decided_at
    assert _apart_kept(business) == _apart_counted(business) == {("name", "jan de vries", 1)}
    assert selectors.duplicate_counts(business=business)["name"] == 0
