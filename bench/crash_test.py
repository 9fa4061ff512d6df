"""Crash safety of imports: `kill -9` in the middle of a large import leaves no partial import
and a consistent database (SQLite's integrity check, the search index, the kept counts and
spend); running the import again completes it, and a third run adds nothing.

    .venv/bin/python bench/crash_test.py                                   # SQLite, temporary file
    .venv/bin/python bench/crash_test.py --database-url postgres://postgres@127.0.0.1:54330/crash

The PostgreSQL database must exist and be empty (createdb crash). Exits non-zero on any
partial import, inconsistency or missing row. Not part of the test run."""

import argparse
import signal
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from import_bench import generate
from server import PYTHON, ROOT, Instance

COUNT_PURCHASES = (
    "import django; django.setup();"
    "from klantvriend.customers.models import Purchase; print(Purchase.objects.count())"
)

# The numbers of customers per business and per tag and each customer's spend that triggers
# keep (migrations customers 0006, 0007 and 0009) must agree with real counts and sums, after a
# kill as after a completed import.
COUNTS_AGREE = (
    "import django; django.setup();"
    "from django.db.models import Count, Sum;"
    "from klantvriend.customers.models import"
    " Customer, CustomerCount, CustomerSpend, Purchase, Tag, TagCount;"
    "real = dict(Customer.objects.order_by().values_list('business_id').annotate(n=Count('pk')));"
    "kept = dict(CustomerCount.objects.filter(customers__gt=0).values_list('business_id', 'customers'));"
    "tags = {t: n for t, n in Tag.objects.annotate(n=Count('customers')).values_list('pk', 'n') if n};"
    "kept_tags = dict(TagCount.objects.filter(customers__gt=0).values_list('tag_id', 'customers'));"
    "summed = {c: n for c, n in Purchase.objects.order_by().values_list('customer_id')"
    ".annotate(n=Sum('amount_cents')) if n};"
    "spent = dict(CustomerSpend.objects.exclude(cents=0).values_list('customer_id', 'cents'));"
    "print(real == kept and tags == kept_tags and summed == spent)"
)


def counts_agree(instance: Instance) -> bool:
    return instance.python("-c", COUNTS_AGREE).strip() == "True"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument(
        "--kill-after", type=float, default=0.5, help="share of a full import's time"
    )
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="klantvriend-crash-"))
    sqlite_path = workdir / "crash.sqlite3"
    instance = Instance(options.database_url or f"sqlite:///{sqlite_path}")
    instance.manage("migrate", "--verbosity", "0")
    instance.manage("demo", "--customers", "10", "--username", "crash")
    export = workdir / "kassa.csv"
    generate(export, options.rows, customers=options.rows // 20)
    before = int(instance.python("-c", COUNT_PURCHASES))
    command = [PYTHON, "manage.py", "import_data", "purchases", str(export)]

    # A full run on a copy would be the cleanest way to time it; the import's own speed is known
    # from bench/import_bench.py, so the kill moment is a share of a measured dry run instead.
    started = time.monotonic()
    subprocess.run(
        [*command, "--dry-run"], cwd=ROOT, env=instance.environment, capture_output=True, check=True
    )
    kill_at = max(1.0, (time.monotonic() - started) * options.kill_after)

    victim = subprocess.Popen(
        command,
        cwd=ROOT,
        env=instance.environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(kill_at)
    still_running = victim.poll() is None
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    after_kill = int(instance.python("-c", COUNT_PURCHASES))
    consistent = counts_agree(instance)
    if not options.database_url:
        with sqlite3.connect(sqlite_path) as check:
            consistent &= check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            try:  # the customer search index (an FTS5 table) raises when it disagrees
                check.execute(
                    "INSERT INTO customers_customer_search(customers_customer_search)"
                    " VALUES ('integrity-check')"
                )
            except sqlite3.DatabaseError:
                consistent = False

    instance.manage("import_data", "purchases", str(export))
    completed = int(instance.python("-c", COUNT_PURCHASES))
    instance.manage("import_data", "purchases", str(export))
    repeated = int(instance.python("-c", COUNT_PURCHASES))
    consistent = consistent and counts_agree(instance)

    engine = "postgresql" if options.database_url.startswith("postgres") else "sqlite"
    print(
        f"{engine}: {options.rows} rows, killed after {kill_at:.1f} s (import still running: {still_running})"
    )
    print(
        f"  purchases before {before}, after the kill {after_kill} (partial rows: {after_kill - before})"
    )
    print(f"  integrity check, kept counts and spend: {'ok' if consistent else 'FAILED'}")
    print(
        f"  after a second run {completed} (missing: {before + options.rows - completed}), "
        f"after a third run {repeated} (duplicates: {repeated - completed})"
    )
    ok = (
        still_running and consistent and after_kill == before and completed == before + options.rows
    )
    return 0 if ok and repeated == completed else 1


if __name__ == "__main__":
    raise SystemExit(main())
