"""Klantvriend's customer-lifetime-value engine.

A pure numerical package (numpy and scipy only, no Django, nothing else of the project) that
turns a transaction log into per-customer summaries, fits buy-till-you-die models and predicts
future purchases, the probability that a customer is still active and the customer lifetime
value.

Models (all estimators in the scikit-learn manner, see :mod:`clv.models`):

- :class:`~clv.models.BetaGeometricNBD` -- BG/NBD, Fader, Hardie & Lee (2005).
- :class:`~clv.models.ModifiedBetaGeometricNBD` -- MBG/NBD, Batislam, Denizel & Filiztekin (2007).
- :class:`~clv.models.ParetoNBD` -- Pareto/NBD, Schmittlein, Morrison & Colombo (1987).
- :class:`~clv.models.BetaGeometricBetaBinomial` -- BG/BB, Fader, Hardie & Shang (2010).
- :class:`~clv.models.GammaGamma` -- spend per transaction, Fader, Hardie & Lee (2005).
"""

import os

# One BLAS thread, set before numpy and scipy load their OpenBLAS (it reads this once, at load):
# the models' matrices are a handful of rows (L-BFGS-B over four parameters), for which
# OpenBLAS's thread pool costs far more than it saves; on a 2-core machine that is also serving
# pages its threads spin against the other work. The refresh of a butcher's 150 customers took
# 0.85 to 2.5 s with the pool and 0.22 to 0.47 s without it (docs/benchmarks.md, "One BLAS
# thread"). A process that wants more threads says so in its environment first.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from clv.exceptions import ConvergenceError, NotFittedError
from clv.models import (
    BetaGeometricBetaBinomial,
    BetaGeometricNBD,
    GammaGamma,
    ModifiedBetaGeometricNBD,
    ParetoNBD,
)
from clv.summary import CustomerSummary, UniqueRows, summarise_transactions, unique_rows
from clv.value import customer_lifetime_value

__all__ = [
    "BetaGeometricBetaBinomial",
    "BetaGeometricNBD",
    "ConvergenceError",
    "CustomerSummary",
    "GammaGamma",
    "ModifiedBetaGeometricNBD",
    "NotFittedError",
    "ParetoNBD",
    "UniqueRows",
    "customer_lifetime_value",
    "summarise_transactions",
    "unique_rows",
]
