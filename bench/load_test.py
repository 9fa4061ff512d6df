"""Concurrency and durability under load: gunicorn with several workers, 32 concurrent clients
doing a realistic mix of reads and writes through the API for a bounded time, on 127.0.0.1.
Afterwards every acknowledged write must be in the database, counted one by one.

    .venv/bin/python bench/load_test.py --database-url sqlite:////tmp/load.sqlite3
    .venv/bin/python bench/load_test.py --database-url postgres://postgres@127.0.0.1:54330/load

The database is created (migrated) and filled with a small demo shop when empty. Exits non-zero
on any error or lost write. Not part of the test run."""

import argparse
import random
import threading
import time
import uuid
from collections import Counter

import requests
from server import Instance


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    options = parser.parse_args()
    instance = Instance(options.database_url)
    manage = instance.manage

    manage("migrate", "--verbosity", "0")
    manage("demo", "--if-empty", "--customers", "500", "--username", "load")
    token = manage("apitoken", "load", "--name", "load_test").strip()
    run_id = uuid.uuid4().hex[:8]
    acknowledged: list[str] = []  # purchases' and new customers' references
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    deadline = 0.0

    def client(number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        rng = random.Random(number)
        customer_ids = [
            c["id"] for c in session.get(f"{base}/customers?limit=200", timeout=30).json()["items"]
        ]
        sequence = 0
        while time.monotonic() < deadline:
            roll = rng.random()
            try:
                if roll < 0.35:  # a purchase rung up at the till
                    sequence += 1
                    reference = f"load-{run_id}-{number}-{sequence}"
                    response = session.post(
                        f"{base}/purchases",
                        json={
                            "customer": rng.choice(customer_ids),
                            "amount_cents": rng.randint(100, 9000),
                            "description": "Belasting",
                            "external_ref": reference,
                        },
                        timeout=30,
                    )
                    kind = "write"
                    if response.status_code == 201:
                        with lock:
                            acknowledged.append(reference)
                elif roll < 0.45:  # a contact moment
                    response = session.post(
                        f"{base}/contact-moments",
                        json={
                            "customer": rng.choice(customer_ids),
                            "kind": "call",
                            "summary": f"load {run_id}",
                        },
                        timeout=30,
                    )
                    kind = "write"
                elif roll < 0.50:  # a walk-in customer added at the counter
                    sequence += 1
                    reference = f"load-{run_id}-{number}-{sequence}"
                    new = {"name": f"Loop Klant {number}-{sequence}", "external_ref": reference}
                    if rng.random() < 0.5:  # "my neighbour sent me": a tally the database keeps
                        new["referred_by"] = rng.choice(customer_ids)
                    response = session.post(f"{base}/customers", json=new, timeout=30)
                    kind = "write"
                    if response.status_code == 201:
                        with lock:
                            acknowledged.append(reference)
                elif roll < 0.77:
                    response = session.get(
                        f"{base}/customers/{rng.choice(customer_ids)}", timeout=30
                    )
                    kind = "read"
                else:
                    response = session.get(f"{base}/customers?search=an&limit=20", timeout=30)
                    kind = "read"
                expected = 201 if kind == "write" else 200
                outcome = (
                    "ok" if response.status_code == expected else f"HTTP {response.status_code}"
                )
            except requests.RequestException as error:
                outcome = type(error).__name__
            with lock:
                outcomes[f"{kind if outcome == 'ok' else 'error'}: {outcome}"] += 1

    with instance.serving(workers=options.workers, port=options.port) as root_url:
        base = f"{root_url}/api/v1"
        deadline = time.monotonic() + options.seconds
        threads = [threading.Thread(target=client, args=(n,)) for n in range(options.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

    # Every acknowledged purchase and new customer is looked up by its reference; the kept
    # number of customers (migration customers 0006) must equal a real count afterwards, each
    # customer's kept spend (0009) the sum of their purchases, and each referrer's kept tally
    # (0027) the number of customers they referred and what those bought.
    probe = (
        "import django, sys; django.setup();"
        "from django.db.models import Sum;"
        "from klantvriend.customers.models import Customer, CustomerCount, CustomerSpend, Purchase,"
        " ReferrerTally;"
        f"refs = set(Purchase.objects.filter(external_ref__startswith='load-{run_id}-')"
        ".values_list('external_ref', flat=True));"
        f"refs |= set(Customer.objects.filter(external_ref__startswith='load-{run_id}-')"
        ".values_list('external_ref', flat=True));"
        "wanted = set(sys.stdin.read().split());"
        "kept = sum(CustomerCount.objects.values_list('customers', flat=True));"
        "summed = {c: n for c, n in Purchase.objects.order_by().values_list('customer_id')"
        ".annotate(n=Sum('amount_cents')) if n};"
        "spent = dict(CustomerSpend.objects.exclude(cents=0).values_list('customer_id', 'cents'));"
        "pairs = list(Customer.objects.filter(referred_by__isnull=False)"
        ".values_list('pk', 'referred_by_id'));"
        "tally = {r: (sum(1 for _, of in pairs if of == r),"
        " sum(summed.get(c, 0) for c, of in pairs if of == r)) for r in {of for _, of in pairs}};"
        "kept_tally = {r: (n, cents) for r, n, cents in ReferrerTally.objects.filter(referred__gt=0)"
        ".values_list('referrer_id', 'referred', 'cents')};"
        "print(len(wanted), len(wanted & refs), len(refs - wanted), kept, Customer.objects.count(),"
        " len(summed), int(summed == spent), len(tally), int(tally == kept_tally))"
    )
    counted = instance.python("-c", probe, stdin="\n".join(acknowledged)).split()
    (
        acknowledged_count,
        found,
        unacknowledged_extra,
        kept,
        customers,
        buyers,
        spend_agrees,
        referrers,
        tally_agrees,
    ) = map(int, counted)
    total = sum(outcomes.values())
    errors = sum(count for name, count in outcomes.items() if name.startswith("error"))
    print(
        f"{options.database_url.split(':')[0]}: {options.clients} clients, {options.workers} workers, "
        f"{elapsed:.0f} s, {total} requests ({total / elapsed:.0f}/s)"
    )
    for name, count in sorted(outcomes.items()):
        print(f"  {name:<24}{count:>8}")
    print(
        f"  acknowledged purchases and new customers {acknowledged_count}, found in the database "
        f"{found}, lost {acknowledged_count - found}, stored without acknowledgement "
        f"{unacknowledged_extra}"
    )
    print(f"  customers counted {customers}, kept count {kept}")
    print(
        f"  kept spend of the {buyers} customers with purchases: {'ok' if spend_agrees else 'WRONG'}"
    )
    print(f"  kept tally of the {referrers} referrers: {'ok' if tally_agrees else 'WRONG'}")
    consistent = kept == customers and spend_agrees and tally_agrees
    return 0 if errors == 0 and found == acknowledged_count and consistent else 1


if __name__ == "__main__":
    raise SystemExit(main())
