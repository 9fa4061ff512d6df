"""Side-by-side benchmark of Klantvriend's CLV engine and lifetimes 0.11.3 (not part of the tests).

For each size it generates a seeded transaction log (customer code, ISO date, amount) and runs,
in separate child processes so that wall time and peak memory (``ru_maxrss`` from ``wait4``) are
measured per run:

1. the BG/NBD pipeline: read the CSV, summarise per customer (days), fit BG/NBD, predict for
   every customer (probability alive, expected purchases in the next 30 days), write the
   predictions as CSV -- once with ``clv`` and once with lifetimes (pandas ``read_csv``,
   ``summary_data_from_transaction_data``, ``BetaGeoFitter``, ``DataFrame.to_csv``);
2. the Pareto/NBD fit alone on the same per-customer summary (``ParetoNBD`` against
   lifetimes' ``ParetoNBDFitter``), timed inside the child around ``fit``.

It reports medians over the repeats, the ratios, and compares the log-likelihoods: both sides'
parameters are scored with the same likelihood (the sum over customers), and Klantvriend's must
not be lower than lifetimes' by more than 0.01.

Usage (lifetimes in its own venv, see shared/ENVIRONMENT.md)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=. /work/clv-venv/bin/python \\
        bench/clv_bench.py --lifetimes-python /work/lifetimes-venv/bin/python \\
        --sizes 100000 1000000 --repeats 3 --pnbd-lifetimes-repeats 1 --pnbd-timeout 1800

The lifetimes interpreter may also come from the environment variable LIFETIMES_PYTHON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

# Purchase rates per day and spend in euros, roughly a neighbourhood shop: about four
# transactions per customer over two years.
SIMULATION = {"r": 0.9, "alpha": 80.0, "s": 0.8, "beta": 200.0, "p": 6.0, "q": 4.0, "gamma": 60.0}
HORIZON_DAYS = 30

LIFETIMES_PIPELINE = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd
from lifetimes import BetaGeoFitter
from lifetimes.utils import summary_data_from_transaction_data
csv_path, out_path, horizon = sys.argv[1], sys.argv[2], float(sys.argv[3])
t_start = time.perf_counter()
frame = pd.read_csv(csv_path, parse_dates=["date"])
t_read = time.perf_counter()
summary = summary_data_from_transaction_data(frame, "customer_id", "date", monetary_value_col="amount", freq="D")
t_summary = time.perf_counter()
model = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
t_fit = time.perf_counter()
summary["probability_alive"] = model.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
summary["expected_purchases"] = model.conditional_expected_number_of_purchases_up_to_time(horizon, summary["frequency"], summary["recency"], summary["T"])
t_predict = time.perf_counter()
summary.to_csv(out_path)
t_write = time.perf_counter()
print(json.dumps({
    "import": t_start - t0, "read": t_read - t_start, "summarise": t_summary - t_read, "fit": t_fit - t_summary,
    "predict": t_predict - t_fit, "write": t_write - t_predict, "total": t_write - t_start,
    "params": {k: float(v) for k, v in model.params_.items()}, "n_customers": int(len(summary)),
}))
"""

LIFETIMES_PARETO_FIT = r"""
import json, sys, time
import numpy as np, pandas as pd
from lifetimes import ParetoNBDFitter
summary = pd.read_csv(sys.argv[1])
t_start = time.perf_counter()
model = ParetoNBDFitter().fit(summary["frequency"], summary["recency"], summary["T"])
t_fit = time.perf_counter()
print(json.dumps({"fit": t_fit - t_start, "params": {k: float(v) for k, v in model.params_.items()}}))
"""


def klantvriend_pipeline(csv_path: str, out_path: str, horizon: float) -> dict:
    """The same pipeline with clv (runs in a child process)."""
    t0 = time.perf_counter()
    from clv.io import read_transactions, write_csv
    from clv.models import BetaGeometricNBD
    from clv.summary import summarise_transactions

    t_start = time.perf_counter()
    transactions = read_transactions(csv_path)
    t_read = time.perf_counter()
    summary = summarise_transactions(
        customer_ids=transactions.customer_ids,
        dates=transactions.dates,
        amounts=transactions.amounts,
        time_unit="day",
    )
    t_summary = time.perf_counter()
    model = BetaGeometricNBD().fit(summary.frequency, summary.recency, summary.T)
    t_fit = time.perf_counter()
    alive = model.probability_alive(summary.frequency, summary.recency, summary.T)
    expected = model.expected_purchases(horizon, summary.frequency, summary.recency, summary.T)
    t_predict = time.perf_counter()
    write_csv(
        out_path,
        {
            "customer_id": summary.customer_id,
            "frequency": summary.frequency,
            "recency": summary.recency,
            "T": summary.T,
            "monetary_value": summary.monetary_value,
            "probability_alive": alive,
            "expected_purchases": expected,
        },
    )
    t_write = time.perf_counter()
    return {
        "import": t_start - t0,
        "read": t_read - t_start,
        "summarise": t_summary - t_read,
        "fit": t_fit - t_summary,
        "predict": t_predict - t_fit,
        "write": t_write - t_predict,
        "total": t_write - t_start,
        "params": model.params_,
        "n_customers": summary.n_customers,
    }


def klantvriend_pareto_fit(summary_path: str) -> dict:
    from clv.models import ParetoNBD

    table = np.loadtxt(summary_path, delimiter=",", skiprows=1)
    t_start = time.perf_counter()
    model = ParetoNBD().fit(table[:, 0], table[:, 1], table[:, 2])
    return {"fit": time.perf_counter() - t_start, "params": model.params_}


def run_child(command: list[str], *, env=None, timeout: float | None = None) -> dict:
    """Run a child process; return its JSON result plus wall time and peak RSS (MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    deadline = None if timeout is None else started + timeout
    # wait4 gives the resource usage of this child alone (getrusage(RUSAGE_CHILDREN) would
    # report the maximum over all children so far).
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            return {"timed_out": True, "wall": time.perf_counter() - started}
        time.sleep(0.05)
    wall = time.perf_counter() - started
    stdout, stderr = process.stdout.read(), process.stderr.read()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"child failed ({code}): {' '.join(command)}\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall"] = wall
    result["peak_rss_mib"] = usage.ru_maxrss / 1024.0
    return result


def generate_log(n_customers: int, path: Path, *, seed: int) -> int:
    """Write a seeded transaction log as CSV (customer code, ISO date, amount); return rows."""
    from clv.simulate import simulate_transactions

    customers, dates, amounts = simulate_transactions(
        n_customers=n_customers, **SIMULATION, random_state=seed
    )
    # Shuffle rows as a till export interleaves customers.
    order = np.random.default_rng(seed + 1).permutation(len(customers))
    customers, dates, amounts = customers[order], dates[order], amounts[order]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("customer_id,date,amount\n")
        for start in range(0, len(customers), 500_000):
            chunk = slice(start, start + 500_000)
            codes = np.char.add("C", np.char.zfill(customers[chunk].astype(str), 7))
            line = np.char.add(np.char.add(codes, ","), dates[chunk].astype(str))
            line = np.char.add(np.char.add(line, ","), np.char.mod("%.2f", amounts[chunk]))
            handle.write("\n".join(line.tolist()))
            handle.write("\n")
    return len(customers)


def summed_log_likelihood(model_class, params: dict, summary) -> float:
    model = model_class()
    model.params_ = {name: float(params[name]) for name in model_class.parameter_names}
    return float(np.sum(model.row_log_likelihood(summary.frequency, summary.recency, summary.T)))


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kib / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def median(values):
    return statistics.median(values) if values else float("nan")


def benchmark_size(n_customers: int, arguments, lifetimes_python: str, workdir: Path) -> dict:
    from clv.io import read_transactions
    from clv.models import BetaGeometricNBD, ParetoNBD
    from clv.summary import summarise_transactions

    csv_path = workdir / f"transactions_{n_customers}.csv"
    if not csv_path.exists():
        print(f"generating {n_customers:,} customers -> {csv_path}", flush=True)
        generate_log(n_customers, csv_path, seed=arguments.seed)
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    lifetimes_script = workdir / "lifetimes_pipeline.py"
    lifetimes_script.write_text(LIFETIMES_PIPELINE)
    pareto_script = workdir / "lifetimes_pareto_fit.py"
    pareto_script.write_text(LIFETIMES_PARETO_FIT)

    ours, theirs = [], []
    for repeat in range(arguments.repeats):
        # Alternate the order so that neither side always runs on a warmer machine.
        order = ("ours", "theirs") if repeat % 2 == 0 else ("theirs", "ours")
        for side in order:
            if side == "ours":
                result = run_child(
                    [
                        sys.executable,
                        __file__,
                        "--child-pipeline",
                        str(csv_path),
                        str(workdir / "pred_ours.csv"),
                    ],
                    env=env,
                )
                ours.append(result)
            else:
                result = run_child(
                    [
                        lifetimes_python,
                        str(lifetimes_script),
                        str(csv_path),
                        str(workdir / "pred_lifetimes.csv"),
                        str(HORIZON_DAYS),
                    ],
                )
                theirs.append(result)
            print(
                f"  {n_customers:,} BG/NBD pipeline {side}: wall {result['wall']:.2f}s, "
                f"peak {result['peak_rss_mib']:.0f} MiB",
                flush=True,
            )

    transactions = read_transactions(str(csv_path))
    summary = summarise_transactions(
        customer_ids=transactions.customer_ids,
        dates=transactions.dates,
        amounts=transactions.amounts,
        time_unit="day",
    )
    summary_path = workdir / f"summary_{n_customers}.csv"
    np.savetxt(
        summary_path,
        np.column_stack((summary.frequency, summary.recency, summary.T)),
        delimiter=",",
        header="frequency,recency,T",
        comments="",
        fmt="%.10g",
    )
    bgnbd_ll_ours = summed_log_likelihood(BetaGeometricNBD, ours[0]["params"], summary)
    bgnbd_ll_theirs = summed_log_likelihood(BetaGeometricNBD, theirs[0]["params"], summary)

    pareto_ours, pareto_theirs = [], []
    for _ in range(0 if arguments.skip_pareto else arguments.repeats):
        result = run_child([sys.executable, __file__, "--child-pareto", str(summary_path)], env=env)
        pareto_ours.append(result)
        print(f"  {n_customers:,} Pareto/NBD fit ours: {result['fit']:.2f}s", flush=True)
    for _ in range(0 if arguments.skip_pareto else arguments.pnbd_lifetimes_repeats):
        result = run_child(
            [lifetimes_python, str(pareto_script), str(summary_path)],
            timeout=arguments.pnbd_timeout,
        )
        pareto_theirs.append(result)
        shown = "timed out" if result.get("timed_out") else f"{result['fit']:.2f}s"
        print(f"  {n_customers:,} Pareto/NBD fit lifetimes: {shown}", flush=True)
    pareto_ll_ours = (
        summed_log_likelihood(ParetoNBD, pareto_ours[0]["params"], summary) if pareto_ours else None
    )
    finished_theirs = [r for r in pareto_theirs if not r.get("timed_out")]
    pareto_ll_theirs = (
        summed_log_likelihood(ParetoNBD, finished_theirs[0]["params"], summary)
        if finished_theirs
        else None
    )

    ours_wall, theirs_wall = median([r["wall"] for r in ours]), median([r["wall"] for r in theirs])
    ours_rss, theirs_rss = (
        median([r["peak_rss_mib"] for r in ours]),
        median([r["peak_rss_mib"] for r in theirs]),
    )
    pareto_ours_fit = median([r["fit"] for r in pareto_ours]) if pareto_ours else float("nan")
    if finished_theirs:
        pareto_theirs_fit, pareto_note = median([r["fit"] for r in finished_theirs]), ""
    elif not pareto_theirs:
        pareto_theirs_fit, pareto_note = float("nan"), "lifetimes not run"
    else:
        pareto_theirs_fit, pareto_note = (
            arguments.pnbd_timeout,
            "lower bound: lifetimes stopped at the time cap",
        )
    return {
        "n_customers": n_customers,
        "n_transactions": int(transactions.n_transactions),
        "bgnbd_pipeline": {
            "klantvriend_wall_median_s": ours_wall,
            "lifetimes_wall_median_s": theirs_wall,
            "speedup": theirs_wall / ours_wall,
            "klantvriend_peak_rss_median_mib": ours_rss,
            "lifetimes_peak_rss_median_mib": theirs_rss,
            "memory_ratio": ours_rss / theirs_rss,
            "klantvriend_stages_median_s": {
                k: median([r[k] for r in ours])
                for k in ("read", "summarise", "fit", "predict", "write")
            },
            "lifetimes_stages_median_s": {
                k: median([r[k] for r in theirs])
                for k in ("read", "summarise", "fit", "predict", "write")
            },
            "log_likelihood_klantvriend": bgnbd_ll_ours,
            "log_likelihood_lifetimes": bgnbd_ll_theirs,
            "params_klantvriend": ours[0]["params"],
            "params_lifetimes": theirs[0]["params"],
            "repeats": arguments.repeats,
        },
        "pareto_nbd_fit": {
            "klantvriend_fit_median_s": pareto_ours_fit,
            "lifetimes_fit_median_s": pareto_theirs_fit,
            "speedup": pareto_theirs_fit / pareto_ours_fit,
            "note": pareto_note,
            "log_likelihood_klantvriend": pareto_ll_ours,
            "log_likelihood_lifetimes": pareto_ll_theirs,
            "params_klantvriend": pareto_ours[0]["params"] if pareto_ours else None,
            "params_lifetimes": finished_theirs[0]["params"] if finished_theirs else None,
            "klantvriend_repeats": arguments.repeats,
            "lifetimes_repeats": len(pareto_theirs),
        },
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--lifetimes-python",
        default=os.environ.get("LIFETIMES_PYTHON"),
        help="python of a venv with lifetimes 0.11.3 (or env LIFETIMES_PYTHON)",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pnbd-lifetimes-repeats", type=int, default=1)
    parser.add_argument(
        "--pnbd-timeout",
        type=float,
        default=1800.0,
        help="cap in seconds for one lifetimes Pareto/NBD fit",
    )
    parser.add_argument("--skip-pareto", action="store_true", help="run the BG/NBD pipeline only")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workdir", default="/tmp/clv-bench")
    parser.add_argument("--results", default=None, help="write the results as JSON here")
    parser.add_argument("--child-pipeline", nargs=2, metavar=("CSV", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--child-pareto", metavar="SUMMARY", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.child_pipeline:
        print(json.dumps(klantvriend_pipeline(*arguments.child_pipeline, HORIZON_DAYS)))
        return 0
    if arguments.child_pareto:
        print(json.dumps(klantvriend_pareto_fit(arguments.child_pareto)))
        return 0
    if not arguments.lifetimes_python:
        parser.error("give --lifetimes-python or set LIFETIMES_PYTHON")
    workdir = Path(arguments.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine_description()}", flush=True)
    results = {"machine": machine_description(), "command": " ".join(sys.argv), "sizes": []}
    for n_customers in arguments.sizes:
        results["sizes"].append(
            benchmark_size(n_customers, arguments, arguments.lifetimes_python, workdir)
        )
        print(json.dumps(results["sizes"][-1], indent=2), flush=True)
    if arguments.results:
        Path(arguments.results).write_text(json.dumps(results, indent=2))
    for size in results["sizes"]:
        pipeline, pareto = size["bgnbd_pipeline"], size["pareto_nbd_fit"]
        print(
            f"{size['n_customers']:>9,} customers, {size['n_transactions']:,} transactions: "
            f"BG/NBD pipeline {pipeline['klantvriend_wall_median_s']:.2f}s vs {pipeline['lifetimes_wall_median_s']:.2f}s "
            f"({pipeline['speedup']:.1f}x faster), peak memory {pipeline['klantvriend_peak_rss_median_mib']:.0f} vs "
            f"{pipeline['lifetimes_peak_rss_median_mib']:.0f} MiB ({pipeline['memory_ratio']:.2f}); "
            f"log-likelihood {pipeline['log_likelihood_klantvriend']:.2f} vs {pipeline['log_likelihood_lifetimes']:.2f}; "
            f"Pareto/NBD fit {pareto['klantvriend_fit_median_s']:.2f}s vs {pareto['lifetimes_fit_median_s']:.1f}s "
            f"({pareto['speedup']:.0f}x{', ' + pareto['note'] if pareto['note'] else ''}); log-likelihood "
            f"{pareto['log_likelihood_klantvriend']} vs {pareto['log_likelihood_lifetimes']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
