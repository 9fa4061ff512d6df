"""Typed errors of the CLV engine."""


class ConvergenceError(RuntimeError):
    """The maximum-likelihood search did not reach an optimum.

    The message always says what to try next (a penalty, another time unit, more data).
    """


class NotFittedError(ValueError, AttributeError):
    """A prediction was asked of a model that has not been fitted yet."""
