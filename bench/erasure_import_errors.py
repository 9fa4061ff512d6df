"""An erasure and an access request of one customer in a business whose import history keeps
1,000 pages of errors (100,000 errors, ten refused files of 10,000), three of them quoting the
customer, and the recording of a refused file's 10,000 errors, each step in a transaction
rolled back:

    DATABASE_URL=sqlite:////tmp/erasure_bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/erasure_bench.sqlite3 PYTHONPATH=$PWD .venv/bin/python \
        bench/erasure_import_errors.py --runs 5

Run from a worktree of the code before and of the code after on the same database: the history
is made once (by whichever runs first) and left for the other. Prints each step's runs and
median in milliseconds; with the code after also what reading and scrubbing every page would
cost (the alternative to asking the database for the pages that may quote the person). Not
part of the test run."""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "false")

PAGES, PER_PAGE, PAGES_PER_FILE = 1000, 100, 100
MESSAGE = (
    "Dit e-mailadres staat ook op regel %s; geef elke klant een klantnummer, of houd één regel "
    "per klant."
)


class RolledBack(Exception):
    pass


def history(business) -> None:
    """Ten refused files of 10,000 errors about other customers (e-mail addresses, phone
    numbers, names), three of whose errors quote Jan de Vries."""
    from django.utils import timezone

    from klantvriend.importers.models import ImportErrorPage, ImportRecord

    now = timezone.now()
    records = ImportRecord.objects.bulk_create(
        ImportRecord(
            business=business,
            source=ImportRecord.Source.COMMAND,
            kind="customers",
            file_name=f"klanten-{file}.csv",
            file_size=1_000_000,
            state=ImportRecord.State.REFUSED,
            started_at=now,
            finished_at=now,
            rows=PAGES_PER_FILE * PER_PAGE,
            error_count=PAGES_PER_FILE * PER_PAGE,
        )
        for file in range(PAGES // PAGES_PER_FILE)
    )
    quoting = {17: "jan@devries.example", 503: "06 8765 4321", 988: "Jan de Vries"}
    pages = []
    for number in range(PAGES):
        errors = []
        for row in range(PER_PAGE):
            n = number * PER_PAGE + row
            value = (f"klant{n}@example.nl", f"06{n:08d}x", f"Klant {n} Achternaam{n}")[n % 3]
            errors.append([n + 2, "E-mail", value, MESSAGE % (n + 1), "duplicate"])
        if number in quoting:
            errors[50][2] = quoting[number]
        pages.append(
            ImportErrorPage(
                record=records[number // PAGES_PER_FILE],
                number=number % PAGES_PER_FILE + 1,
                errors=errors,
            )
        )
    ImportErrorPage.objects.bulk_create(pages, batch_size=100)


def timed(step, runs: int) -> list[float]:
    from django.db import transaction

    times = []
    for _run in range(runs):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                step()
                times.append((time.perf_counter() - started) * 1000)
                raise RolledBack
        except RolledBack:
            pass
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    django.setup()
    from django.contrib.auth import get_user_model

    from klantvriend.core.models import Business
    from klantvriend.core.services import business_create, user_create
    from klantvriend.customers import services
    from klantvriend.customers.models import Customer
    from klantvriend.importers import privacy
    from klantvriend.importers.models import ImportErrorPage

    business = Business.objects.filter(name="Bench erasure").first()
    if business is None:
        owner = get_user_model().objects.filter(username="bench-erasure").first() or user_create(
            username="bench-erasure", password="pw-bench-erasure"
        )
        business = business_create(name="Bench erasure", owner=owner)
        history(business)
    customer = Customer.objects.filter(business=business, name="Jan de Vries").first()
    if customer is None:
        customer = services.customer_create(
            business=business, name="Jan de Vries", email="jan@devries.example", phone="0687654321"
        )
    print(
        f"{ImportErrorPage.objects.filter(record__business=business).count()} pages of errors, "
        f"{'after' if hasattr(privacy, '_identifying_strings') else 'before'}"
    )
    from django.utils import timezone

    from klantvriend.importers import history as import_history
    from klantvriend.importers.models import ImportRecord
    from klantvriend.importers.results import ImportResult, RowError

    refused = ImportResult(
        kind="customers",
        dry_run=False,
        errors=[
            RowError(n + 2, "E-mail", f"klant{n}@example.nl", MESSAGE % (n + 1), "duplicate")
            for n in range(10_000)
        ],
        error_count=10_000,
    )

    def record() -> None:
        started = ImportRecord.objects.create(
            business=business,
            source=ImportRecord.Source.COMMAND,
            kind="customers",
            file_name="klanten.csv",
            file_size=1,
            started_at=timezone.now(),
        )
        import_history.import_record_finish(
            record=started, result=refused, state=ImportRecord.State.REFUSED
        )

    steps = {
        "erasure": lambda: privacy.customer_erase(customer=customer, forget_now=False),
        "access request": lambda: privacy.customer_personal_data(customer=customer),
        "record 10,000": record,
    }
    if hasattr(privacy, "_identifying_strings"):
        from klantvriend.importers.scrubbing import scrubber

        strings = privacy._identifying_strings(customer)
        every_page = ImportErrorPage.objects.filter(record__business=business)
        steps["scrub every page"] = lambda: import_history._rewrite(every_page, scrubber(strings))
    for name, step in steps.items():
        times = timed(step, arguments.runs)
        runs = " ".join(f"{ms:6.0f}" for ms in times)
        print(f"{name:17s} {runs} ms, median {statistics.median(times):.0f}")


if __name__ == "__main__":
    main()
