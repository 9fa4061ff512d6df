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
