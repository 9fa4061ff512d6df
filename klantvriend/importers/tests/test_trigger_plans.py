"""On PostgreSQL the trigger functions run their statements through EXECUTE (importers 0002,
core.db.planned_at_each_firing), so that each is planned at each firing with the rows it is
given: PL/pgSQL kept the plan of a connection's first firing, and after a one-row edit a demo of
1,000 customers on the same connection took 34 s instead of 2.8 (bench/trigger_plans.py)."""

import re

import pytest
from django.db import connection

from config.settings.base import database_from_env
from klantvriend.core.db import planned_at_each_firing, planned_once, trigger_functions
from klantvriend.customers.models import Customer, ReferrerTally
from klantvriend.customers.services import customer_update
from klantvriend.customers.tests.factories import CustomerFactory, PurchaseFactory

WRITTEN = """
    BEGIN
        DELETE FROM kept WHERE customer_id IN (SELECT id FROM removed);
        INSERT INTO kept (customer_id, note) SELECT id, 'a; b' FROM added
            WHERE name <> 'it''s; here';
        RETURN NULL;
    END """


def test_each_statement_is_run_through_execute_and_a_semicolon_in_a_string_stays_in_it():
    assert planned_at_each_firing(WRITTEN) == (
        "BEGIN\n"
        "    EXECUTE $planned$DELETE FROM kept WHERE customer_id IN (SELECT id FROM removed)"
        "$planned$;\n"
        "    EXECUTE $planned$INSERT INTO kept (customer_id, note) SELECT id, 'a; b' FROM added\n"
        "            WHERE name <> 'it''s; here'$planned$;\n"
        "    RETURN NULL;\n"
        "END"
    )


def test_it_is_undone_statement_for_statement_and_doing_it_twice_changes_nothing():
    planned = planned_at_each_firing(WRITTEN)

    assert planned_at_each_firing(planned) == planned
    assert planned_once(planned) == (
        "BEGIN\n"
        "    DELETE FROM kept WHERE customer_id IN (SELECT id FROM removed);\n"
        "    INSERT INTO kept (customer_id, note) SELECT id, 'a; b' FROM added\n"
        "            WHERE name <> 'it''s; here';\n"
        "    RETURN NULL;\n"
        "END"
    )


@pytest.mark.parametrize(
    ("source", "refusal"),
    [
        ("DECLARE n int; BEGIN RETURN NULL; END", "not a BEGIN … END block"),
        ("BEGIN DELETE FROM kept; RETURN NEW; END", "does not end in RETURN NULL"),
        ("BEGIN DELETE FROM kept; RETURN NULL END", "a statement without its closing semicolon"),
        ("BEGIN DELETE FROM kept WHERE a = '$planned$'; RETURN NULL; END", "holds $planned$"),
    ],
)
def test_a_body_of_another_shape_is_refused_with_what_was_found(source, refusal):
    with pytest.raises(ValueError, match=re.escape(refusal)):
        planned_at_each_firing(source)


@pytest.mark.django_db
def test_every_trigger_function_plans_its_statements_at_each_firing():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's triggers are no functions: compiled with the statement firing them")
    with connection.cursor() as cursor:
        functions = trigger_functions(cursor)

    # The figures kept by triggers (customers 0006-0032, importers 0001, surveys 0007 and 0009,
    # promises 0009): a count that drops says a migration dropped functions, one that grows
    # that a new one must be checked here.
    assert len(functions) == 69
    written_once = {
        name: source
        for name, source in functions.items()
        if planned_at_each_firing(source) != source.strip()
    }
    assert written_once == {}


@pytest.mark.django_db
def test_postgresql_compiles_no_query_with_jit(monkeypatch):
    """A trigger's statement over its transition tables is estimated at millions of rows, and
    JIT-compiled it took a second or more for a few thousand (config.settings.base)."""
    monkeypatch.setenv(
        "DATABASE_URL", "postgres://kv@db.example/klantvriend?options=-c%20work_mem%3D64MB"
    )
    assert database_from_env()["OPTIONS"]["options"] == "-c jit=off -c work_mem=64MB"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/klantvriend.sqlite3")
    assert "options" not in database_from_env()["OPTIONS"]
    if connection.vendor == "postgresql":  # the suite's own connection, on its PostgreSQL run
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",)


@pytest.mark.django_db
def test_the_figures_are_kept_through_executed_statements_on_an_edit_then_many(business):
    """The statements still see the transition tables through EXECUTE: one edit, then many
    rows in one statement, on the same connection, each kept."""
    customer = CustomerFactory(business=business, name="Anna de Vries")
    customer_update(customer=customer, name="Anna de Vries-Bakker")
    others = CustomerFactory.create_batch(30, business=business)
    for other in others:
        PurchaseFactory(customer=other, amount_cents=1_000)

    Customer.objects.filter(pk__in=[other.pk for other in others]).update(referred_by=customer)

    tally = ReferrerTally.objects.get(referrer=customer)
    assert (tally.referred, tally.cents) == (30, 30 * 1_000)
