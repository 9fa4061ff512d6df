"""Generated transaction logs of two kinds of business, for the attention advisor's tests: a
tourist restaurant (tens of thousands of guests, nearly all eating there once) and a
neighbourhood butcher (regulars buying every week)."""

import numpy as np

START = np.datetime64("2024-01-01")
DAYS = 730


def tourist_restaurant(*, guests: int = 30_000, returning_share: float = 0.03, seed: int = 1):
    """Guests over two years; a few per hundred come back once. Returns (ids, dates, amounts)."""
    rng = np.random.default_rng(seed)
    first = rng.integers(0, DAYS, size=guests)
    back = rng.random(guests) < returning_share
    second = np.minimum(first[back] + rng.integers(1, 200, size=back.sum()), DAYS - 1)
    ids = np.concatenate([np.arange(guests), np.flatnonzero(back)])
    days = np.concatenate([first, second])
    amounts = np.round(rng.gamma(4.0, 15.0, size=len(ids)), 2)
    return ids, START + days.astype("timedelta64[D]"), amounts


def neighbourhood_butcher(*, regulars: int = 300, passers_by: int = 150, seed: int = 2):
    """Regulars buying about weekly (a few stop after a while), and passers-by buying once."""
    rng = np.random.default_rng(seed)
    ids, days = [], []
    for customer in range(regulars):
        start = int(rng.integers(0, 200))
        stop = DAYS if rng.random() > 0.15 else int(rng.integers(start + 30, DAYS))
        gaps = rng.integers(5, 10, size=(stop - start) // 5 + 1)
        visits = start + np.cumsum(gaps)
        visits = visits[visits < stop]
        ids.append(np.full(len(visits) + 1, customer))
        days.append(np.concatenate([[start], visits]))
    ids.append(regulars + np.arange(passers_by))
    days.append(rng.integers(0, DAYS, size=passers_by))
    ids, days = np.concatenate(ids), np.concatenate(days)
    amounts = np.round(rng.gamma(6.0, 5.0, size=len(ids)), 2)
    return ids, START + days.astype("timedelta64[D]"), amounts


def write_csv(path, ids, dates, amounts) -> None:
    lines = ["customer,date,amount"]
    lines += [f"C{c},{d},{a:.2f}" for c, d, a in zip(ids, dates.astype(str), amounts, strict=True)]
    path.write_text("\n".join(lines) + "\n")
