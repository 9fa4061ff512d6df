"""How far the BG/NBD's "expected purchases per customer next year" lands from the truth when
fitted on few customers or a short history: the simulation behind the borders of
``clv.advice.advice_footing`` (not part of the tests; results in docs/advisor.md).

For each profile, number of customers and weeks of history, 40 seeded businesses are drawn from
the BG/NBD's own story (``clv.simulate.simulate_bgnbd``), their customers arriving evenly over
the history; the model is fitted as the refresh does (a small penalty), and the mean expected
purchases per customer in the next 52 weeks is compared with the same figure from the true
parameters on the same customers. It prints how many fits failed, and the median and 90th
percentile of the relative error.

Usage::

    PYTHONPATH=. .venv/bin/python bench/advice_footing.py
"""

from __future__ import annotations

import numpy as np

from clv.exceptions import ConvergenceError
from clv.models import BetaGeometricNBD
from clv.simulate import simulate_bgnbd

PROFILES = {
    # Fader, Hardie & Lee (2005), CDNOW: rare buyers, many one-off.
    "cdnow": {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426},
    # A neighbourhood shop: a purchase about every four weeks, few leaving.
    "shop": {"r": 1.0, "alpha": 4.0, "a": 0.8, "b": 6.0},
}
CUSTOMERS = (20, 50, 100, 200)
WEEKS = (13, 26, 48, 52, 104)
REPEATS = 40
HORIZON_WEEKS = 52


def main() -> None:
    rng = np.random.default_rng(1)
    for name, params in PROFILES.items():
        truth = BetaGeometricNBD()
        truth.params_ = dict(params)
        print(name, params)
        print("customers weeks  failed  median|err|  p90|err|")
        for customers in CUSTOMERS:
            for weeks in WEEKS:
                errors, failed = [], 0
                for _ in range(REPEATS):
                    ages = np.maximum(rng.uniform(0, weeks, customers), 1 / 7)
                    x, t_x, T = simulate_bgnbd(**params, T=ages, random_state=rng)
                    true = truth.expected_purchases(HORIZON_WEEKS, x, t_x, T).mean()
                    try:
                        fitted = BetaGeometricNBD(penalizer_coef=0.001).fit(x, t_x, T)
                        estimate = fitted.expected_purchases(HORIZON_WEEKS, x, t_x, T).mean()
                    except (ConvergenceError, FloatingPointError, ValueError):
                        failed += 1
                        continue
                    if not np.isfinite(estimate):
                        failed += 1
                        continue
                    errors.append(abs(estimate / true - 1))
                error = np.array(errors)
                print(
                    f"{customers:9d} {weeks:5d} {failed:7d} {np.median(error):11.0%}"
                    f" {np.quantile(error, 0.9):9.0%}"
                )


if __name__ == "__main__":
    main()
