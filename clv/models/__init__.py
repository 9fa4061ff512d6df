"""Buy-till-you-die purchase models and the Gamma-Gamma spend model."""

from clv.models.bgbb import BetaGeometricBetaBinomial
from clv.models.bgnbd import BetaGeometricNBD
from clv.models.gammagamma import GammaGamma
from clv.models.mbgnbd import ModifiedBetaGeometricNBD
from clv.models.paretonbd import ParetoNBD

MODELS_BY_NAME = {
    "bgnbd": BetaGeometricNBD,
    "mbgnbd": ModifiedBetaGeometricNBD,
    "pnbd": ParetoNBD,
}

__all__ = [
    "MODELS_BY_NAME",
    "BetaGeometricBetaBinomial",
    "BetaGeometricNBD",
    "GammaGamma",
    "ModifiedBetaGeometricNBD",
    "ParetoNBD",
]
