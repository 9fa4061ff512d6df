"""Fixtures shared by the CLV engine tests: the CDNOW sample read from its raw file."""

import argparse
from pathlib import Path

import numpy as np
import pytest

from clv.i18n import deactivate
from clv.io import read_transactions
from clv.summary import summarise_transactions

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def english_unless_asked(monkeypatch):
    """The engine's tests read its English unless they ask for Dutch (--language nl): the
    shell running them may name any language, and `klantvriend analyse` follows the shell.
    argparse is given back its own words after each (the command gives it clv's)."""
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setattr(argparse, "_", argparse._)
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)
    yield
    deactivate()


CDNOW_RAW = DATA / "CDNOW_sample.txt"
CDNOW_CALIBRATION_END = "1997-09-30"


@pytest.fixture(scope="session")
def cdnow_transactions():
    # The raw file is whitespace separated without header: master_id sample_id yyyymmdd n_cds dollars.
    return read_transactions(
        str(CDNOW_RAW), customer_column="2", date_column="3", amount_column="5"
    )


@pytest.fixture(scope="session")
def cdnow_summary(cdnow_transactions):
    return summarise_transactions(
        customer_ids=cdnow_transactions.customer_ids,
        dates=cdnow_transactions.dates,
        amounts=cdnow_transactions.amounts,
        calibration_end=CDNOW_CALIBRATION_END,
        time_unit="week",
    )


@pytest.fixture(scope="session")
def cdnow_reference_summary():
    table = np.loadtxt(
        DATA / "cdnow_customers_summary_with_transactions.csv", delimiter=",", skiprows=1
    )
    return {
        "ID": table[:, 0],
        "x": table[:, 1],
        "t_x": table[:, 2],
        "T": table[:, 3],
        "zbar": table[:, 4],
    }
