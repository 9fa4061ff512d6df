"""The engine runs OpenBLAS on one thread unless the process asked for more (clv/__init__.py):
its thread pool made the fits of a small shop four to six times slower on two cores."""

import os
import subprocess
import sys

THREADS = "import os, clv, numpy, scipy.optimize; print(os.environ['OPENBLAS_NUM_THREADS'])"


def _threads_after_import(environment: dict[str, str]) -> str:
    run = subprocess.run(
        [sys.executable, "-c", THREADS],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.strip()


def test_one_blas_thread_unless_the_process_asks_for_more():
    environment = {key: value for key, value in os.environ.items() if "OPENBLAS" not in key}

    assert _threads_after_import(environment) == "1"
    assert _threads_after_import({**environment, "OPENBLAS_NUM_THREADS": "2"}) == "2"
