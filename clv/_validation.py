"""Input checks shared by the models: every error names the problem and the first offending row."""

from __future__ import annotations

import numpy as np


def as_float_array(values, *, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D float64 array, refusing anything that is not numeric."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from None
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def _first_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def check_finite_nonnegative(array: np.ndarray, *, name: str) -> None:
    """Raise ``ValueError`` naming the first row that is NaN, infinite or negative."""
    not_finite = ~np.isfinite(array)
    if not_finite.any():
        row = _first_row(not_finite)
        raise ValueError(f"{name} is not a finite number at row {row}: {array[row]!r}")
    negative = array < 0
    if negative.any():
        row = _first_row(negative)
        raise ValueError(f"{name} is negative at row {row}: {array[row]!r}")


def check_same_length(**arrays: np.ndarray) -> int:
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        described = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise ValueError(f"inputs must have the same length, got {described}")
    length = next(iter(lengths.values()))
    if length == 0:
        raise ValueError("no customers given: the inputs are empty")
    return length


def validate_frequency_recency_age(frequency, recency, T, *, weights=None):
    """Validate a continuous-time (x, t_x, T) summary.

    Returns float arrays ``(x, t_x, T, weights)``. Raises ``ValueError`` for NaN, negative or
    non-integer frequencies, a repeat buyer with zero recency, a one-time buyer with positive
    recency, and recency beyond the age T, naming the first offending row.
    """
    x = as_float_array(frequency, name="frequency x")
    t_x = as_float_array(recency, name="recency t_x")
    age = as_float_array(T, name="age T")
    check_same_length(frequency=x, recency=t_x, T=age)
    for array, name in ((x, "frequency x"), (t_x, "recency t_x"), (age, "age T")):
        check_finite_nonnegative(array, name=name)
    not_integer = x != np.floor(x)
    if not_integer.any():
        row = _first_row(not_integer)
        raise ValueError(
            f"frequency x must be a whole number of repeat purchases, row {row}: {x[row]!r}"
        )
    repeat_without_recency = (x > 0) & (t_x == 0)
    if repeat_without_recency.any():
        row = _first_row(repeat_without_recency)
        raise ValueError(
            f"inconsistent row {row}: frequency x={x[row]:g} > 0 but recency t_x=0 "
            "(a repeat purchase must come after the first one)"
        )
    recency_without_repeat = (x == 0) & (t_x > 0)
    if recency_without_repeat.any():
        row = _first_row(recency_without_repeat)
        raise ValueError(
            f"inconsistent row {row}: frequency x=0 but recency t_x={t_x[row]:g} > 0 "
            "(recency is the time of the last repeat purchase)"
        )
    beyond_age = t_x > age
    if beyond_age.any():
        row = _first_row(beyond_age)
        raise ValueError(
            f"inconsistent row {row}: recency t_x={t_x[row]:g} exceeds age T={age[row]:g}"
        )
    return x, t_x, age, validate_weights(weights, length=len(x))


def validate_weights(weights, *, length: int) -> np.ndarray:
    if weights is None:
        return np.ones(length)
    weight_array = as_float_array(weights, name="weights")
    if len(weight_array) != length:
        raise ValueError(f"weights has length {len(weight_array)}, expected {length}")
    check_finite_nonnegative(weight_array, name="weights")
    if weight_array.sum() <= 0:
        raise ValueError("weights must not all be zero")
    return weight_array


def validate_horizon(t, *, name: str = "horizon t") -> np.ndarray:
    horizon = np.asarray(t, dtype=np.float64)
    if not np.all(np.isfinite(horizon)):
        raise ValueError(f"{name} must be finite")
    if np.any(horizon < 0):
        raise ValueError(f"{name} must not be negative")
    return horizon
