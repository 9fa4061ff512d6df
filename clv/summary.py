"""From a transaction log to the per-customer summaries that buy-till-you-die models fit.

Conventions of the literature (Fader, Hardie & Lee 2005, "Counting your customers the easy
way", section 4; the CDNOW data set):

- purchases of one customer on the same calendar day are merged into one transaction;
- frequency ``x`` is the number of *repeat* transaction days (transaction days minus one) in the
  calibration period;
- recency ``t_x`` is the time from the first to the last transaction day, age ``T`` the time
  from the first transaction day to the end of the calibration period;
- the spend of a customer is the mean value of the repeat transactions (the first purchase is
  left out, as in Fader, Hardie & Lee 2005, "RFM and CLV", section 4), zero when ``x = 0``.

Everything is vectorised with sorting and segment reductions: no Python loop per customer or
per transaction.
"""

from __future__ import annotations

import datetime as _datetime
from dataclasses import dataclass

import numpy as np

from clv._memory import release_free_memory

DAYS_PER_TIME_UNIT = {"day": 1.0, "week": 7.0}


@dataclass(frozen=True)
class CustomerSummary:
    """Per-customer recency-frequency-monetary summary, one entry per customer.

    Customers whose first purchase falls after the calibration end are not part of the
    calibration cohort and are left out.

    Attributes
    ----------
    customer_id : ndarray
        Customer identifiers in sorted order.
    frequency, recency, T : ndarray of float
        x, t_x and T in ``time_unit``.
    monetary_value : ndarray of float
        Mean value of the repeat transactions in the calibration period (0 when x = 0).
    holdout_frequency, holdout_monetary_value : ndarray of float
        Transaction days and their mean value after the calibration end up to the observation
        end (zeros when there is no holdout period).
    holdout_duration : float
        Length of the holdout period in ``time_unit`` (0 without holdout).
    first_purchase : ndarray of datetime64[D]
    n_transactions : int
        Transaction records (before merging same-day purchases) used, up to the observation end.
    total_revenue, repeat_revenue : float
        Revenue of the cohort up to the observation end, and the part of it from repeat
        transaction days (every day but a customer's first).
    repeat_customers : int
        Customers of the cohort with at least two transaction days up to the observation end.
    """

    customer_id: np.ndarray
    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray
    holdout_frequency: np.ndarray
    holdout_monetary_value: np.ndarray
    holdout_duration: float
    first_purchase: np.ndarray
    time_unit: str
    calibration_end: np.datetime64
    observation_end: np.datetime64
    n_transactions: int
    total_revenue: float
    repeat_revenue: float
    repeat_customers: int

    @property
    def n_customers(self) -> int:
        return len(self.customer_id)


@dataclass(frozen=True)
class UniqueRows:
    """Distinct (x, t_x, T) rows, their counts, and the map back to customers.

    ``frequency[inverse]`` reproduces the original customer order.
    """

    frequency: np.ndarray
    recency: np.ndarray
    T: np.ndarray
    weights: np.ndarray
    inverse: np.ndarray


def to_day(value) -> np.datetime64:
    """Parse a date given as ``datetime64``, ``datetime.date`` or an ISO string."""
    if isinstance(value, np.datetime64):
        return value.astype("datetime64[D]")
    if isinstance(value, (_datetime.date, str)):
        return np.datetime64(value, "D")
    raise ValueError(f"not a date: {value!r}")


def summarise_transactions(
    *,
    customer_ids,
    dates,
    amounts=None,
    calibration_end=None,
    observation_end=None,
    time_unit: str = "week",
) -> CustomerSummary:
    """Summarise a transaction log into (x, t_x, T, spend) per customer.

    Parameters
    ----------
    customer_ids : array-like
        Customer of each transaction (any sortable type: ints or strings).
    dates : array-like of datetime64
        Moment of each transaction; only the calendar day counts.
    amounts : array-like of float, optional
        Value of each transaction. Without amounts the monetary fields are zero.
    calibration_end : date-like, optional
        Last day of the calibration period (inclusive). Defaults to ``observation_end``, which
        means no holdout period.
    observation_end : date-like, optional
        Last day observed (inclusive); later transactions are ignored. Defaults to the last
        transaction day.
    time_unit : {"day", "week"}
        Unit of recency, age and holdout duration.

    Returns
    -------
    CustomerSummary
    """
    if time_unit not in DAYS_PER_TIME_UNIT:
        raise ValueError(
            f"time_unit must be one of {sorted(DAYS_PER_TIME_UNIT)}, got {time_unit!r}"
        )
    ids = np.asarray(customer_ids)
    days = np.asarray(dates)
    if ids.ndim != 1 or days.ndim != 1:
        raise ValueError("customer_ids and dates must be one-dimensional")
    if len(ids) != len(days):
        raise ValueError(f"customer_ids has {len(ids)} entries but dates has {len(days)}")
    if len(ids) == 0:
        raise ValueError("no transactions given")
    if not np.issubdtype(days.dtype, np.datetime64):
        raise ValueError(f"dates must be datetime64, got dtype {days.dtype}")
    days = days.astype("datetime64[D]", copy=False)
    missing_date = np.isnat(days)
    if missing_date.any():
        raise ValueError(f"date is missing at row {int(np.flatnonzero(missing_date)[0])}")
    del missing_date
    if amounts is None:
        values = np.zeros(len(ids))
    else:
        values = np.asarray(amounts, dtype=np.float64)
        if values.shape != ids.shape:
            raise ValueError(f"amounts has {len(values)} entries but customer_ids has {len(ids)}")
        not_finite = ~np.isfinite(values)
        if not_finite.any():
            raise ValueError(
                f"amount is not a finite number at row {int(np.flatnonzero(not_finite)[0])}"
            )
        del not_finite

    day_numbers = days.view(np.int64)
    last_observed = (
        int(day_numbers.max())
        if observation_end is None
        else int(to_day(observation_end).astype(np.int64))
    )
    calibration_last = (
        last_observed if calibration_end is None else int(to_day(calibration_end).astype(np.int64))
    )
    if calibration_last > last_observed:
        raise ValueError("calibration_end lies after observation_end")

    observed = day_numbers <= last_observed
    if not observed.any():
        raise ValueError("no transactions on or before the observation end")
    if not observed.all():
        ids, day_numbers, values = ids[observed], day_numbers[observed], values[observed]
    del observed
    n_transactions = len(ids)

    # Memory matters here (a million customers, several million rows): codes and days are
    # kept as 32-bit integers and every intermediate is released as soon as it is used.
    first_observed_day = int(day_numbers.min())
    day_span = last_observed - first_observed_day + 1
    # Sort by customer, then day, so that each customer's days form one contiguous run.
    dense = _dense_customer_codes(ids)
    if dense is not None and len(dense[0]) * day_span < 2**62:
        # Customer numbers without gaps to speak of: codes by table look-up, then a single
        # sort on one integer key (customer code, day) instead of a two-key lexsort.
        unique_ids, customer_codes = dense
        del dense
        composite = customer_codes.astype(np.int64)
        composite *= day_span
        composite += day_numbers
        composite -= first_observed_day
        row_bits = max(int(len(ids) - 1).bit_length(), 1)
        if int(composite.max()).bit_length() + row_bits <= 63:
            # Sorting plain integers is faster than an argsort: carry the row number in the
            # low bits of the key, which also keeps equal keys in file order.
            composite <<= row_bits
            composite |= np.arange(len(ids), dtype=np.int64)
            composite.sort()
            composite &= (1 << row_bits) - 1
            order = composite
        else:
            order = np.argsort(composite, kind="stable")
        del composite
        codes_sorted = customer_codes[order]
        del customer_codes
    else:
        sort_keys = _integer_sort_keys(ids)
        if sort_keys is not None:
            order = np.lexsort((day_numbers, sort_keys))
            keys_sorted = sort_keys[order]
            del sort_keys
            starts_customer = np.empty(len(order), dtype=bool)
            starts_customer[0] = True
            np.not_equal(keys_sorted[1:], keys_sorted[:-1], out=starts_customer[1:])
            del keys_sorted
            codes_sorted = (np.cumsum(starts_customer) - 1).astype(np.int32)
            unique_ids = ids[order[starts_customer]]
            del starts_customer
        else:
            unique_ids, customer_codes = np.unique(ids, return_inverse=True)
            customer_codes = customer_codes.reshape(-1).astype(np.int32)
            order = np.lexsort((day_numbers, customer_codes))
            codes_sorted = customer_codes[order]
            del customer_codes
    n_all = len(unique_ids)
    days_sorted = (day_numbers[order] - first_observed_day).astype(np.int32)
    values_sorted = values[order]
    del order

    # Merge same-day purchases: a new transaction day starts where the customer or day changes.
    starts_new_day = np.empty(len(days_sorted), dtype=bool)
    starts_new_day[0] = True
    np.not_equal(codes_sorted[1:], codes_sorted[:-1], out=starts_new_day[1:])
    starts_new_day[1:] |= days_sorted[1:] != days_sorted[:-1]
    day_starts = np.flatnonzero(starts_new_day)
    del starts_new_day
    day_value = np.add.reduceat(values_sorted, day_starts)
    del values_sorted
    day_customer = codes_sorted[day_starts]
    rows_per_customer = np.bincount(codes_sorted, minlength=n_all)
    del codes_sorted
    day_number = days_sorted[day_starts]  # days since the first observed day
    del days_sorted, day_starts
    calibration_offset = calibration_last - first_observed_day

    is_first_day = np.empty(len(day_customer), dtype=bool)
    is_first_day[0] = True
    np.not_equal(day_customer[1:], day_customer[:-1], out=is_first_day[1:])
    first_day = day_number[is_first_day].astype(np.int64)  # one per customer, in code order

    total_days = np.bincount(day_customer, minlength=n_all)
    revenue_all = np.bincount(day_customer, weights=day_value, minlength=n_all)
    is_repeat_day = ~is_first_day
    repeat_value_all = np.bincount(
        day_customer[is_repeat_day], weights=day_value[is_repeat_day], minlength=n_all
    )
    # The last day of each customer: days are sorted within a customer, so it is the day whose
    # successor belongs to another customer.
    is_last_day = np.empty(len(day_customer), dtype=bool)
    is_last_day[-1] = True
    np.not_equal(day_customer[1:], day_customer[:-1], out=is_last_day[:-1])
    if calibration_offset >= int(day_number.max()):
        # No holdout period: the calibration figures are the figures of all days.
        calibration_days, repeat_value = total_days, repeat_value_all
        last_day = day_number[is_last_day].astype(np.int64)
        holdout_days = np.zeros(n_all, dtype=np.int64)
        holdout_value = np.zeros(n_all)
    else:
        in_calibration = day_number <= calibration_offset
        calibration_days = np.bincount(day_customer[in_calibration], minlength=n_all)
        # The last calibration day: the calibration day whose successor belongs to another
        # customer or lies after the end.
        calibration_index = np.flatnonzero(in_calibration)
        calibration_customer = day_customer[calibration_index]
        is_last = np.empty(len(calibration_index), dtype=bool)
        if len(calibration_index):
            is_last[-1] = True
            np.not_equal(calibration_customer[1:], calibration_customer[:-1], out=is_last[:-1])
        last_day = first_day.copy()
        last_day[calibration_customer[is_last]] = day_number[calibration_index[is_last]]
        del calibration_index, calibration_customer, is_last
        repeat_in_calibration = in_calibration & is_repeat_day
        repeat_value = np.bincount(
            day_customer[repeat_in_calibration],
            weights=day_value[repeat_in_calibration],
            minlength=n_all,
        )
        in_holdout = ~in_calibration
        holdout_days = np.bincount(day_customer[in_holdout], minlength=n_all)
        holdout_value = np.bincount(
            day_customer[in_holdout], weights=day_value[in_holdout], minlength=n_all
        )
    del day_customer, day_number, day_value, is_first_day, is_repeat_day, is_last_day
    release_free_memory()

    in_cohort = first_day <= calibration_offset
    if not in_cohort.any():
        raise ValueError("no customer made a first purchase on or before the calibration end")
    scale = DAYS_PER_TIME_UNIT[time_unit]
    frequency = (calibration_days - 1).astype(np.float64)[in_cohort]
    recency = (last_day - first_day)[in_cohort] / scale
    age = (calibration_offset - first_day)[in_cohort] / scale
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = np.where(frequency > 0, repeat_value[in_cohort] / np.maximum(frequency, 1), 0.0)
        holdout_count = holdout_days[in_cohort].astype(np.float64)
        holdout_monetary = np.where(
            holdout_count > 0, holdout_value[in_cohort] / np.maximum(holdout_count, 1), 0.0
        )
    # Transactions of the cohort: all, or the rows of customers who joined in time.
    n_transactions_cohort = (
        n_transactions if in_cohort.all() else int(rows_per_customer[in_cohort].sum())
    )
    return CustomerSummary(
        customer_id=unique_ids[in_cohort],
        frequency=frequency,
        recency=recency,
        T=age,
        monetary_value=monetary,
        holdout_frequency=holdout_count,
        holdout_monetary_value=holdout_monetary,
        holdout_duration=(last_observed - calibration_last) / scale,
        first_purchase=(first_day[in_cohort] + first_observed_day).astype("datetime64[D]"),
        time_unit=time_unit,
        calibration_end=np.datetime64(calibration_last, "D"),
        observation_end=np.datetime64(last_observed, "D"),
        n_transactions=n_transactions_cohort,
        total_revenue=float(revenue_all[in_cohort].sum()),
        repeat_revenue=float(repeat_value_all[in_cohort].sum()),
        repeat_customers=int(np.count_nonzero(total_days[in_cohort] > 1)),
    )


def _dense_customer_codes(ids: np.ndarray):
    """(sorted unique ids, code per row) without sorting, for numbered customers; else None.

    Till exports usually number customers: integers, or fixed-width strings of a common
    prefix and digits ("K000123"). Their numeric value then orders them exactly as the
    identifiers sort, and when the numbers are dense enough a presence table gives each row
    its rank directly (no comparison sort).
    """
    if ids.dtype.kind in "iu":
        numbers = ids.astype(np.int64)
    elif ids.dtype.kind == "S" and 0 < ids.dtype.itemsize <= 18:
        width = ids.dtype.itemsize
        matrix = np.ascontiguousarray(ids).view(np.uint8).reshape(-1, width)
        if not np.all(matrix[:, -1]):
            return None  # identifiers of different lengths: "7" and "007" must stay apart
        # The prefix is what precedes the first row's digits; it must be the same everywhere.
        first_digits = (matrix[0] - np.uint8(48)) < 10
        prefix = int(np.argmax(first_digits)) if first_digits.any() else width
        if prefix == width or not first_digits[prefix:].all():
            return None
        for column in range(prefix):
            if not np.all(matrix[:, column] == matrix[0, column]):
                return None
        numbers = np.zeros(len(ids), dtype=np.int64)
        for column in range(prefix, width):
            digit = matrix[:, column] - np.uint8(48)
            if not np.all(digit < 10):
                return None
            numbers *= 10
            numbers += digit
    else:
        return None
    low, high = int(numbers.min()), int(numbers.max())
    if high - low > 4 * len(ids) + 1_000_000:
        return None  # too sparse for a table
    numbers -= low
    present = np.zeros(high - low + 1, dtype=bool)
    present[numbers] = True
    rank = np.cumsum(present, dtype=np.int32) - 1
    codes = rank[numbers]
    del numbers
    first_row = np.full(int(rank[-1]) + 1, -1, dtype=np.int64)
    first_row[codes] = np.arange(len(ids))  # any row of each customer will do
    return ids[first_row], codes


def _integer_sort_keys(ids: np.ndarray) -> np.ndarray | None:
    """Integers that sort like the identifiers, or None.

    Byte strings of up to 8 bytes, NUL padded, read as big-endian 64-bit integers compare
    exactly as the strings do, and integers sort several times faster than strings.
    """
    if ids.dtype.kind in "iu":
        return ids
    if ids.dtype.kind == "S" and ids.dtype.itemsize <= 8:
        return np.ascontiguousarray(ids.astype("S8")).view(">u8").astype(np.uint64)
    return None


def _integer_composite_key(x, t_x, age):
    """One int64 key ordered as (x, t_x, T), when the times are whole days or weeks of days.

    Summaries in days hold whole numbers and in weeks multiples of 1/7; scaled to whole
    numbers, the three columns pack into one integer when their ranges allow. None otherwise.
    """
    for steps_per_unit in (1.0, 7.0):
        scaled_t = t_x * steps_per_unit
        scaled_age = age * steps_per_unit
        t_integer = np.rint(scaled_t)
        age_integer = np.rint(scaled_age)
        # A tolerance, since d/7*7 need not round back to d exactly; rows are still grouped by
        # exact equality of their values afterwards, so the key only has to order them.
        if not np.allclose(t_integer, scaled_t, rtol=0, atol=1e-9):
            continue
        if not np.allclose(age_integer, scaled_age, rtol=0, atol=1e-9):
            continue
        t_range = int(t_integer.max()) + 1
        age_range = int(age_integer.max()) + 1
        x_range = int(x.max()) + 1
        if x_range * t_range * age_range >= 2**62:
            return None
        key = x.astype(np.int64) * (t_range * age_range)
        key += t_integer.astype(np.int64) * age_range
        key += age_integer.astype(np.int64)
        return key
    return None


def unique_rows(frequency, recency, T) -> UniqueRows:
    """Collapse customers to distinct (x, t_x, T) rows with counts as weights.

    Likelihoods depend on a customer only through (x, t_x, T), so fitting on the distinct rows
    with weights gives the same optimum at a fraction of the cost.
    """
    x = np.asarray(frequency, dtype=np.float64).reshape(-1)
    t_x = np.asarray(recency, dtype=np.float64).reshape(-1)
    age = np.asarray(T, dtype=np.float64).reshape(-1)
    if not (len(x) == len(t_x) == len(age)):
        raise ValueError("frequency, recency and T must have the same length")
    if len(x) == 0:
        raise ValueError("no customers given")
    composite = _integer_composite_key(x, t_x, age)
    if composite is not None:
        # One integer sort instead of a three-key lexsort (several times faster).
        order = np.argsort(composite, kind="stable")
        del composite
    else:
        order = np.lexsort((age, t_x, x))
    x_sorted, t_sorted, age_sorted = x[order], t_x[order], age[order]
    starts_group = np.empty(len(x), dtype=bool)
    starts_group[0] = True
    starts_group[1:] = (
        (x_sorted[1:] != x_sorted[:-1])
        | (t_sorted[1:] != t_sorted[:-1])
        | (age_sorted[1:] != age_sorted[:-1])
    )
    group_of_sorted = np.cumsum(starts_group) - 1
    inverse = np.empty(len(x), dtype=np.intp)
    inverse[order] = group_of_sorted
    group_starts = np.flatnonzero(starts_group)
    counts = np.diff(np.append(group_starts, len(x))).astype(np.float64)
    return UniqueRows(
        frequency=x_sorted[group_starts],
        recency=t_sorted[group_starts],
        T=age_sorted[group_starts],
        weights=counts,
        inverse=inverse,
    )
