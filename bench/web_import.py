"""A large till export imported through the web interface, as an owner would: upload, preview,
Import, and the page followed until the outcome shows (not part of the tests).

    .venv/bin/python bench/web_import.py --rows 200000 --customers 10000

Generates the file as import_bench does, makes a fresh SQLite database in a temporary folder (or
uses the empty PostgreSQL database of --database-url) with one owner, starts gunicorn on
127.0.0.1 with its default limit of 30 seconds per request, and prints when the Import was
answered, the progress the page showed, the outcome, and the purchases counted in the database.
Exits non-zero unless every row was stored."""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

from import_bench import generate
from server import Instance, logged_in

OWNER = ("eigenaar", "pw-eigenaar-12345")
MAPPING = {
    "column_date": "Datum",
    "column_time": "Tijd",
    "column_amount": "Bedrag",
    "column_customer_number": "Klantnummer",
    "column_name": "Naam",
    "column_description": "Omschrijving",
    "column_receipt_number": "Bonnummer",
}


def csrf_of(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        till = Path(folder) / "kassa.csv"
        generate(till, options.rows, options.customers)
        instance = Instance(options.database_url or f"sqlite:///{folder}/bench.sqlite3")
        instance.manage("migrate", "--verbosity", "0")
        instance.manage(
            "createbusiness", "Slagerij Groot", "--owner", OWNER[0], "--password", OWNER[1]
        )
        with instance.serving(workers=2, timeout=30) as base:
            browser = logged_in(base, *OWNER)
            start = browser.get(f"{base}/data/import/")
            with till.open("rb") as data:
                uploaded = browser.post(
                    f"{base}/data/import/",
                    data={"kind": "purchases", "csrfmiddlewaretoken": csrf_of(start.text)},
                    files={"file": ("kassa.csv", data, "text/csv")},
                    headers={"Referer": f"{base}/data/import/"},
                    allow_redirects=False,
                )
            page_url = base + uploaded.headers["Location"]
            preview = browser.get(page_url)
            began = time.perf_counter()
            answer = browser.post(
                page_url,
                data={**MAPPING, "action": "import", "csrfmiddlewaretoken": csrf_of(preview.text)},
                headers={"Referer": page_url},
                allow_redirects=False,
            )
            print(f"Import answered {answer.status_code} in {time.perf_counter() - began:.2f} s")
            shown = None
            while True:
                part = browser.get(page_url, headers={"HX-Request": "true"})
                progress = re.search(r'data-testid="import-progress">(.*?)</p>', part.text, re.S)
                if progress is None:
                    break
                text = re.sub(r"<[^>]+>", "", progress.group(1)).strip()
                if text != shown:
                    print(f"{time.perf_counter() - began:6.1f} s  {text}")
                    shown = text
                time.sleep(1)
            outcome = browser.get(page_url).text
            result = re.search(r'data-testid="import-result"[^>]*>(.*?)</section>', outcome, re.S)
            words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", result.group(1))).strip()
            print(f"{time.perf_counter() - began:6.1f} s  {words}")
        stored = instance.python(
            "-c",
            "import django; django.setup()\n"
            "from klantvriend.customers.models import Purchase\n"
            "print(Purchase.objects.count())",
        ).strip()
        print(f"purchases in the database: {stored}")
        return 0 if int(stored) == options.rows else 1


if __name__ == "__main__":
    sys.exit(main())
