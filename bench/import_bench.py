"""How fast `manage.py import_data purchases` reads a large till export (not part of the tests).

Generates a seeded till export as Dutch tills write it (semicolons, dd-mm-jjjj dates, decimal
commas with a euro sign, receipt numbers, one customer number per row), then, per repeat, in a
fresh SQLite database in a temporary folder (or the PostgreSQL database of DATABASE_URL, emptied
first), runs the import in a child process and measures its wall time and peak memory
(``ru_maxrss`` of the child). It reports the median and all runs, and checks that the second
import of the same file creates nothing.

Usage::

    .venv/bin/python bench/import_bench.py --rows 1000000 --customers 50000 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def generate(path: Path, rows: int, customers: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = date(2019, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Bonnummer;Datum;Tijd;Klantnummer;Naam;Omschrijving;Bedrag\r\n")
        for number in range(rows):
            day = start + timedelta(days=number * 2000 // rows)
            customer = rng.randrange(customers)
            cents = rng.randrange(100, 250000)
            euros = f"{cents // 100:,}".replace(",", ".")
            out.write(
                f"K{number:08d};{day:%d-%m-%Y};{9 + number % 9:02d}:{number % 60:02d};"
                f"C{customer:06d};Klant {customer};Artikel {cents % 97};€ {euros},{cents % 100:02d}\r\n"
            )


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str, float]:
    began = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - began
    output = process.stdout.read() if process.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{output}")
    # CPU seconds of the child too: on a shared machine they vary far less than wall time.
    return elapsed, usage.ru_maxrss * 1024, output, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kv-import-bench-") as folder:
        folder_path = Path(folder)
        csv_path = folder_path / "kassa.csv"
        generate(csv_path, options.rows, options.customers)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"{options.rows} rows, {options.customers} customers, {size_mb:.0f} MB")
        times, peaks, cpus = [], [], []
        for repeat in range(options.repeats):
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings.local",
                "DEBUG": "false",
                "KLANTVRIEND_VAR_DIR": str(folder_path / f"var{repeat}"),
            }
            manage = [PYTHON, "manage.py"]
            run([*manage, "migrate", "--no-input", "-v", "0"], env)
            if "DATABASE_URL" in env:
                run([*manage, "flush", "--no-input"], env)
            run(
                [
                    *manage,
                    "shell",
                    "-c",
                    "from klantvriend.core.services import business_create, user_create;"
                    "business_create(name='Bench', owner=user_create(username='bench', password='x'))",
                ],
                env,
            )
            elapsed, peak, output, cpu = run(
                [*manage, "import_data", "purchases", str(csv_path)], env
            )
            times.append(elapsed)
            peaks.append(peak)
            cpus.append(cpu)
            print(
                f"run {repeat + 1}: {elapsed:.1f} s ({cpu:.1f} s CPU), peak {peak / 1e6:.0f} MB | {output.strip().splitlines()[-1]}"
            )
            if repeat == 0:
                again, _peak, output, again_cpu = run(
                    [*manage, "import_data", "purchases", str(csv_path)], env
                )
                print(
                    f"second import of the same file: {again:.1f} s ({again_cpu:.1f} s CPU) | {output.strip().splitlines()[-1]}"
                )
        print(
            f"median {statistics.median(times):.1f} s "
            f"({options.rows / statistics.median(times):,.0f} rows/s), "
            f"CPU median {statistics.median(cpus):.1f} s, "
            f"peak memory median {statistics.median(peaks) / 1e6:.0f} MB"
        )
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        )


if __name__ == "__main__":
    main()
