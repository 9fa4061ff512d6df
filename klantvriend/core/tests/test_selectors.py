import pytest

from klantvriend.core.errors import NotFound
from klantvriend.core.models import Membership
from klantvriend.core.selectors import owned_get


def test_owned_get_finds_the_row_of_the_business_and_nothing_else(membership, other_business):
    rows = Membership.objects.select_related("user")

    assert owned_get(rows, business=membership.business, pk=membership.pk) == membership
    assert owned_get(rows, business=membership.business, pk=str(membership.pk)) == membership
    # Another business's row, a missing one, and what a request may hold instead of an id:
    # all the same NotFound, so that nobody learns which ids exist elsewhere.
    for business, pk in [
        (other_business, membership.pk),
        (membership.business, membership.pk + 1000),
        (membership.business, "abc"),
        (membership.business, None),
        (membership.business, 10**20),
    ]:
        with pytest.raises(NotFound):
            owned_get(rows, business=business, pk=pk)
