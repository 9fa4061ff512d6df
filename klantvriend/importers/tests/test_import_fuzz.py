"""Whatever a file holds, the import answers with a count or with reasons, never an exception,
and a refused file stores nothing."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klantvriend.customers.models import Customer
from klantvriend.importers.service import data_import

# Cells made of what breaks CSV files: separators, quotes, line breaks, and plain words.
CELL = st.text(alphabet=st.sampled_from(list('ab ;"\n,é1')), max_size=12)
LINE = st.lists(CELL, min_size=1, max_size=3).map(";".join)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(LINE, max_size=5))
def test_any_file_is_imported_whole_or_refused_with_nothing_stored(tmp_path, business, lines):
    Customer.objects.filter(business=business).delete()
    path = tmp_path / "fuzz.csv"
    path.write_text("naam;notities;plaats\n" + "\n".join(lines) + "\n", encoding="utf-8")

    result = data_import(business=business, kind="customers", path=path)

    stored = Customer.objects.filter(business=business).count()
    if result.ok:
        assert stored == result.created
    else:
        assert stored == 0
        assert all(error.message for error in result.errors)
