"""``klantvriend analyse``: customer-lifetime-value analysis of a till or web-shop export.

Reads a transaction file, summarises it per customer, chooses and fits a buy-till-you-die
model (and the Gamma-Gamma spend model when amounts are given), and reports the repeat share,
the model and why it was chosen, the CLV distribution and the customers most valuable and most
at risk. With ``--calibration-end`` the models are fitted on the period up to that day and
judged on the rest (the holdout); the predictions then come from a refit on all data.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import time

import numpy as np

from clv.advice import (
    ADVICE_MIN_CUSTOMERS,
    MODEL_MIN_REPEAT_CUSTOMERS,
    advice_footing,
    advice_from_transactions,
    footing_note,
    verdict_name,
)
from clv.exceptions import ConvergenceError
from clv.i18n import (
    LANGUAGES,
    _,
    activate,
    gettext_noop,
    language_from_environment,
    ngettext,
    number,
    percent,
)
from clv.io import (
    OutputFileError,
    TransactionFileError,
    parse_dates,
    read_transactions,
    refuse_unwritable,
    write_csv,
    writing,
)
from clv.models import MODELS_BY_NAME, GammaGamma
from clv.report import render_report
from clv.selection import MODEL_LABELS, select_model
from clv.summary import DAYS_PER_TIME_UNIT, summarise_transactions
from clv.value import customer_lifetime_value

DAYS_PER_MONTH = 30.4375
LARGE_FILE_BYTES = 5_000_000
MINIMUM_REPEAT_BUYERS_FOR_SPEND_MODEL = 10


class _Progress:
    """Progress lines on stderr for large files (stdout stays clean for --json)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(
                f"[{time.perf_counter() - self.started:6.1f}s] {message}",
                file=sys.stderr,
                flush=True,
            )


def _currency(value: str) -> str:
    """A three-letter code such as EUR, GBP or CHF, in capitals whatever way it was typed."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise argparse.ArgumentTypeError(
            _("--currency: %(value)r is not a three-letter currency code such as EUR")
            % {"value": value}
        )
    return code


def _parse_day(value: str, option: str) -> np.datetime64:
    try:
        return parse_dates(
            np.array([value.encode()], dtype="S"),
            line_numbers=np.array([0]),
            column=option,
            path="option",
        )[0]
    except TransactionFileError:
        raise argparse.ArgumentTypeError(
            _("%(option)s: cannot read the date %(value)r (use yyyy-mm-dd)")
            % {"option": option, "value": value}
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klantvriend", description=_("Klantvriend command-line tools.")
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    analyse = commands.add_parser(
        "analyse",
        help=_("customer-lifetime-value analysis of a transaction file"),
        description=_(
            "Repeat share, customer-lifetime-value model, the most valuable customers and those at "
            "risk, from a CSV export with one row per purchase (customer, date, amount)."
        ),
    )
    analyse.add_argument(
        "file", help=_("CSV file (delimiter , ; tab or spaces; UTF-8 or Windows-1252)")
    )
    analyse.add_argument(
        "--customer-col",
        help=_("customer column: header name or 1-based number (auto-detected)"),
    )
    analyse.add_argument(
        "--date-col", help=_("date column: header name or 1-based number (auto-detected)")
    )
    analyse.add_argument(
        "--amount-col", help=_("amount column: header name or 1-based number (auto-detected)")
    )
    analyse.add_argument(
        "--time-unit",
        choices=("day", "week"),
        default="week",
        help=_("model time unit (default week)"),
    )
    analyse.add_argument(
        "--as-of", help=_("last day to use, yyyy-mm-dd (default: the last date in the file)")
    )
    analyse.add_argument(
        "--calibration-end",
        help=_("fit on purchases up to this day and test the forecast on the rest, up to --as-of"),
    )
    analyse.add_argument(
        "--model",
        choices=("auto", *tuple(MODELS_BY_NAME)),
        default="auto",
        help=_(
            "purchase model (default auto: best holdout forecast, or lowest BIC without holdout)"
        ),
    )
    analyse.add_argument(
        "--horizon", type=float, default=12, help=_("CLV horizon in months (default 12)")
    )
    analyse.add_argument(
        "--discount-rate",
        type=float,
        default=0.01,
        help=_("discount rate per month for CLV (default 0.01)"),
    )
    analyse.add_argument(
        "--predictions", metavar="OUT.csv", help=_("write one row per customer to this CSV file")
    )
    analyse.add_argument(
        "--json", action="store_true", help=_("print the results as JSON instead of a report")
    )
    analyse.add_argument(
        "--top", type=int, default=10, help=_("customers to list as most valuable and at risk")
    )
    analyse.add_argument(
        "--penalizer", type=float, default=0.0, help=_("L2 penalty on the model parameters")
    )
    analyse.add_argument(
        "--margin",
        type=float,
        default=30,
        help=_("gross margin in percent, for what attention is worth (default 30)"),
    )
    analyse.add_argument(
        "--report", metavar="REPORT.html", help=_("write a standalone HTML report with charts")
    )
    analyse.add_argument(
        "--currency",
        default="EUR",
        type=_currency,
        help=_("currency of the amounts, as a three-letter code, for the report (default EUR)"),
    )
    analyse.add_argument(
        "--language",
        choices=LANGUAGES,
        help=_(
            "language of the report and messages, nl or en (default: the shell's LANG, else nl)"
        ),
    )
    analyse.add_argument("--quiet", action="store_true", help=_("no progress lines on stderr"))
    return parser


# argparse says its own words ("usage:", "options", "invalid choice: …") through the standard
# library's gettext, which knows no Dutch; they are in this catalogue (as the Python 3.12 and 3.13
# argparse writes them) and argparse is given its translation (_argparse_speaks), so that a Dutch
# --help or a Dutch refusal of an option is Dutch throughout.
ARGPARSE_WORDS = (
    gettext_noop("usage: "),
    gettext_noop("%(heading)s:"),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("show this help message and exit"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("expected one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
)


def _argparse_speaks() -> None:
    """argparse's words from clv.i18n, in the language activated (argparse reads the names `_`
    and `ngettext` of its own module at the moment it says something)."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def _language_asked(argv: list[str]) -> str:
    """The language of --language, read before the parser is built so that its help is in that
    language too; else the shell's (clv.i18n.language_from_environment)."""
    for index, word in enumerate(argv):
        value = word.partition("=")[2] if word.startswith("--language=") else None
        if word == "--language" and index + 1 < len(argv):
            value = argv[index + 1]
        if value in LANGUAGES:
            return value
    return language_from_environment()


def main(argv=None) -> int:
    """Entry point of the ``klantvriend`` console script; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    activate(_language_asked(argv))
    _argparse_speaks()
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "analyse":
        try:
            return _analyse(arguments)
        except BrokenPipeError:
            # The reader stopped early (`| head`): no traceback for it. Python's documented
            # way (the signal module's note on SIGPIPE): point stdout at /dev/null, so that
            # the interpreter's own flush at exit does not fail again.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        except (argparse.ArgumentTypeError, TransactionFileError, OutputFileError) as error:
            print(_error(error), file=sys.stderr)
            return 2
        except (ValueError, ConvergenceError) as error:
            print(_error(error), file=sys.stderr)
            return 1
    parser.error(_("unknown command %(command)r") % {"command": arguments.command})
    return 2


def _error(error: Exception) -> str:
    return _("klantvriend analyse: error: %(error)s") % {"error": error}


def _leave_out_returns(transactions, *, path: str):
    """Drop rows with a negative amount (returns, refunds) and say how many and how much.

    A return is not a visit: kept, a purchase brought back three days later would make a
    one-off buyer a repeat customer with a negative repeat spend, raising the repeat share and
    bending every model. Only the rows are dropped; the purchases they undo stay, so spend is
    the spend at the till before returns.
    """
    if transactions.amounts is None:
        return transactions, None
    is_return = transactions.amounts < 0
    if not is_return.any():
        return transactions, {"rows": 0, "amount": 0.0}
    if is_return.all():
        raise TransactionFileError(
            _(
                "%(path)s: every row has a negative amount (a return); there are no purchases "
                "to analyse"
            )
            % {"path": path}
        )
    returns = {
        "rows": int(is_return.sum()),
        "amount": round(float(transactions.amounts[is_return].sum()), 2),
    }
    kept = ~is_return
    return (
        dataclasses.replace(
            transactions,
            customer_ids=transactions.customer_ids[kept],
            dates=transactions.dates[kept],
            amounts=transactions.amounts[kept],
        ),
        returns,
    )


def _check_enough_data(summary, *, path: str) -> None:
    """Stop before fitting when the file cannot carry a model, saying what it holds and needs.

    Fitted anyway, the models run off to parameters of millions and end in optimizer messages
    that do not say the cause: too few customers, or too few who came back.
    """
    customers = int(summary.n_customers)
    came_back = int(np.count_nonzero(summary.frequency > 0))
    if customers >= ADVICE_MIN_CUSTOMERS and came_back >= MODEL_MIN_REPEAT_CUSTOMERS:
        return
    raise ValueError(
        ngettext(
            "%(path)s: not enough data for a customer-value model: %(customers)s customer, of "
            "whom %(came_back)s came back; a model needs at least %(minimum)s customers of whom "
            '%(minimum_back)s came back (docs/advisor.md, "Not enough data")',
            "%(path)s: not enough data for a customer-value model: %(customers)s customers, of "
            "whom %(came_back)s came back; a model needs at least %(minimum)s customers of whom "
            '%(minimum_back)s came back (docs/advisor.md, "Not enough data")',
            customers,
        )
        % {
            "path": path,
            "customers": number(customers),
            "came_back": number(came_back),
            "minimum": ADVICE_MIN_CUSTOMERS,
            "minimum_back": MODEL_MIN_REPEAT_CUSTOMERS,
        }
    )


def _fit_models(
    summary, *, model_name: str, penalizer: float, has_amounts: bool, use_holdout: bool
):
    """Fit the purchase model (choosing one when asked) and the spend model on one summary."""
    if model_name == "auto":
        selection = select_model(
            frequency=summary.frequency,
            recency=summary.recency,
            T=summary.T,
            holdout_frequency=summary.holdout_frequency if use_holdout else None,
            holdout_duration=summary.holdout_duration if use_holdout else None,
            penalizer_coef=penalizer,
        )
    else:
        selection = select_model(
            frequency=summary.frequency,
            recency=summary.recency,
            T=summary.T,
            holdout_frequency=summary.holdout_frequency if use_holdout else None,
            holdout_duration=summary.holdout_duration if use_holdout else None,
            candidates=(model_name,),
            penalizer_coef=penalizer,
        )
        selection = type(selection)(
            selection.chosen_name,
            selection.model,
            "user",
            _("%(model)s as asked (--model %(name)s).")
            % {"model": MODEL_LABELS[model_name], "name": model_name},
            selection.candidates,
        )
    spend_model, spend_note, spend_error = None, None, None
    if has_amounts:
        repeat = summary.frequency > 0
        usable = repeat & (summary.monetary_value > 0)
        if usable.sum() < MINIMUM_REPEAT_BUYERS_FOR_SPEND_MODEL:
            spend_note = _(
                "only %(count)s repeat buyers with positive spend: spend model not fitted"
            ) % {"count": int(usable.sum())}
        else:
            try:
                spend_model = GammaGamma(penalizer_coef=penalizer).fit(
                    summary.frequency[usable], summary.monetary_value[usable]
                )
                if spend_model.params_["q"] <= 1.0:
                    spend_note = _(
                        "Gamma-Gamma q <= 1 (no finite mean spend): customers' own means used"
                    )
                    spend_model = None
            except ConvergenceError as error:
                # The optimizer's account is for --json; the report says what it means.
                spend_note = _(
                    "the spend model (Gamma-Gamma) could not be fitted to these amounts; "
                    "each customer's own mean spend is used (--json: spend_error says why)"
                )
                spend_error = str(error)
    return selection, spend_model, spend_note, spend_error


def _expected_spend(summary, spend_model):
    if spend_model is not None:
        return spend_model.expected_spend(
            summary.frequency, np.where(summary.frequency > 0, summary.monetary_value, 0.0)
        )
    fallback = summary.total_revenue / max(summary.frequency.sum() + summary.n_customers, 1)
    return np.where(
        summary.frequency > 0, np.maximum(summary.monetary_value, 0.0), max(fallback, 0.0)
    )


def _analyse(arguments) -> int:
    file_size = os.path.getsize(arguments.file) if os.path.exists(arguments.file) else 0
    progress = _Progress(enabled=not arguments.quiet and file_size >= LARGE_FILE_BYTES)
    if arguments.horizon < 0 or arguments.horizon != int(arguments.horizon):
        raise argparse.ArgumentTypeError(_("--horizon must be a whole number of months >= 0"))
    if arguments.discount_rate <= -1:
        raise argparse.ArgumentTypeError(_("--discount-rate must be greater than -1"))
    for output in (arguments.predictions, arguments.report):
        if output:
            refuse_unwritable(output)
    as_of = _parse_day(arguments.as_of, "--as-of") if arguments.as_of else None
    calibration_end = (
        _parse_day(arguments.calibration_end, "--calibration-end")
        if arguments.calibration_end
        else None
    )

    progress(
        _("reading %(file)s (%(size)s MB)")
        % {"file": arguments.file, "size": number(file_size / 1e6)}
    )
    transactions = read_transactions(
        arguments.file,
        customer_column=arguments.customer_col,
        date_column=arguments.date_col,
        amount_column=arguments.amount_col,
    )
    transactions, returns = _leave_out_returns(transactions, path=arguments.file)
    progress(
        _("read %(count)s transactions; summarising")
        % {"count": number(transactions.n_transactions)}
    )
    observation_end = as_of if as_of is not None else transactions.dates.max()
    if calibration_end is not None and calibration_end >= observation_end:
        raise ValueError(
            _("--calibration-end %(day)s must lie before the end of the data (%(end)s)")
            % {"day": calibration_end, "end": observation_end}
        )
    has_amounts = transactions.amounts is not None

    def summarise(end):
        return summarise_transactions(
            customer_ids=transactions.customer_ids,
            dates=transactions.dates,
            amounts=transactions.amounts,
            calibration_end=end,
            observation_end=observation_end,
            time_unit=arguments.time_unit,
        )

    calibration = summarise(calibration_end)
    _check_enough_data(calibration, path=arguments.file)
    use_holdout = calibration_end is not None
    progress(_("%(count)s customers; fitting models") % {"count": number(calibration.n_customers)})
    selection, spend_model, spend_note, spend_error = _fit_models(
        calibration,
        model_name=arguments.model,
        penalizer=arguments.penalizer,
        has_amounts=has_amounts,
        use_holdout=use_holdout,
    )
    # Predictions are made as of the last day, from a refit on all data when there was a holdout.
    if use_holdout:
        progress(_("refitting the chosen model on all data for the predictions"))
        full = summarise(None)
        refit_selection, refit_spend_model, refit_spend_note, _refit_error = _fit_models(
            full,
            model_name=selection.chosen_name,
            penalizer=arguments.penalizer,
            has_amounts=has_amounts,
            use_holdout=False,
        )
        prediction_summary, prediction_model = full, refit_selection.model
        prediction_spend_model, prediction_spend_note = refit_spend_model, refit_spend_note
    else:
        prediction_summary, prediction_model = calibration, selection.model
        prediction_spend_model, prediction_spend_note = spend_model, spend_note

    progress(_("predicting for every customer"))
    unit_days = DAYS_PER_TIME_UNIT[arguments.time_unit]
    horizon_length = arguments.horizon * DAYS_PER_MONTH / unit_days
    x, t_x, age = prediction_summary.frequency, prediction_summary.recency, prediction_summary.T
    alive = prediction_model.probability_alive(x, t_x, age)
    expected = prediction_model.expected_purchases(horizon_length, x, t_x, age)
    spend = (
        _expected_spend(prediction_summary, prediction_spend_model)
        if has_amounts
        else np.ones(len(x))
    )
    # The value if still a customer, and the value: P(alive) times it (clv.value).
    value_if_active = customer_lifetime_value(
        transaction_model=prediction_model,
        frequency=x,
        recency=t_x,
        T=age,
        expected_spend=spend,
        horizon_periods=int(arguments.horizon),
        period_length=DAYS_PER_MONTH / unit_days,
        discount_rate=arguments.discount_rate,
        if_alive=True,
    )
    value = alive * value_if_active
    ids = np.char.decode(
        prediction_summary.customer_id,
        "utf-8" if transactions.encoding == "ascii" else transactions.encoding,
    )
    if arguments.predictions:
        progress(_("writing %(file)s") % {"file": arguments.predictions})
        with writing(arguments.predictions):
            _write_predictions(
                arguments.predictions,
                ids,
                prediction_summary,
                alive,
                expected,
                spend if has_amounts else None,
                value,
            )

    report = _report_data(
        arguments=arguments,
        transactions=transactions,
        calibration=calibration,
        selection=selection,
        spend_model=spend_model,
        spend_note=spend_note,
        spend_error=spend_error,
        use_holdout=use_holdout,
        prediction_model=prediction_model if use_holdout else None,
        prediction_spend_model=prediction_spend_model if use_holdout else None,
        prediction_spend_note=prediction_spend_note,
        prediction_summary=prediction_summary,
        ids=ids,
        alive=alive,
        expected=expected,
        value=value,
        value_if_active=value_if_active,
        has_amounts=has_amounts,
    )
    report["returns"] = returns
    report["walk_ins"] = {
        "rows": transactions.walk_in_rows,
        "amount": transactions.walk_in_amount if has_amounts else None,
    }
    if not 0 <= arguments.margin <= 100:
        raise argparse.ArgumentTypeError(_("--margin must lie between 0 and 100 (percent)"))
    report["advice"] = advice_from_transactions(
        customer_ids=transactions.customer_ids,
        dates=transactions.dates,
        amounts=transactions.amounts,
        observation_end=prediction_summary.observation_end,
        expected_value=value,
        expected_purchases=expected if arguments.horizon == 12 else None,
        value_if_active=value_if_active,
        margin=arguments.margin / 100,
    ).as_dict()
    # As the web app's advice: none on too few customers or too short a history, and a caveat
    # below the firm borders (clv.advice.advice_footing).
    first_day = np.datetime64(np.min(transactions.dates), "D")
    footing = advice_footing(
        customers=report["advice"]["n_customers"],
        history_days=int(
            (np.datetime64(prediction_summary.observation_end, "D") - first_day).astype(int)
        ),
    )
    report["advice_footing"] = {"level": footing.level, "note": footing_note(footing)}
    if footing.level == "none":
        report["advice"] = None
    if arguments.report:
        progress(_("writing %(file)s") % {"file": arguments.report})
        with writing(arguments.report), open(arguments.report, "w", encoding="utf-8") as out:
            out.write(
                render_report(
                    report=report,
                    customer_ids=transactions.customer_ids,
                    dates=transactions.dates,
                    amounts=transactions.amounts,
                    values=value,
                    currency=arguments.currency,
                )
            )
    if arguments.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(_format_report(report))
    progress(_("done"))
    return 0


def _model_figures(model):
    return {
        "params": {name: round(value, 8) for name, value in model.params_.items()},
        "standard_errors": {
            name: round(value, 8) for name, value in model.standard_errors_.items()
        },
        "log_likelihood": round(model.log_likelihood_, 6),
    }


def _report_data(
    *,
    arguments,
    transactions,
    calibration,
    selection,
    spend_model,
    spend_note,
    spend_error,
    use_holdout,
    prediction_model,
    prediction_spend_model,
    prediction_spend_note,
    prediction_summary,
    ids,
    alive,
    expected,
    value,
    value_if_active,
    has_amounts,
):
    summary = prediction_summary
    repeat_customers = summary.repeat_customers
    report = {
        "file": arguments.file,
        "n_transactions": int(transactions.n_transactions),
        "n_customers": int(summary.n_customers),
        "columns": {
            "customer": transactions.customer_column,
            "date": transactions.date_column,
            "amount": transactions.amount_column,
        },
        "time_unit": arguments.time_unit,
        "observation_end": str(summary.observation_end),
        "calibration_end": str(calibration.calibration_end),
        "repeat_share": round(repeat_customers / summary.n_customers, 6),
        "repeat_revenue_share": (
            round(summary.repeat_revenue / summary.total_revenue, 6)
            if has_amounts and summary.total_revenue > 0
            else None
        ),
        "model": selection.chosen_name,
        "model_label": MODEL_LABELS[selection.chosen_name],
        "selection": {
            "criterion": selection.criterion,
            "reason": selection.reason,
            "candidates": [
                {
                    "model": candidate.name,
                    "log_likelihood": candidate.log_likelihood,
                    "bic": candidate.bic,
                    "holdout_mae": candidate.holdout_mae,
                    "holdout_predicted_total": candidate.holdout_predicted_total,
                    "error": candidate.error,
                }
                for candidate in selection.candidates
            ],
        },
        "n_customers_fitted": int(selection.model.n_customers_),
        # The fit finds nobody leaving (clv.models.bgnbd.DROPOUT_COLLAPSED_BELOW): its
        # probabilities alive are one for everyone, a lack of data rather than a finding.
        "dropout_collapsed": selection.model.dropout_collapsed,
        **_model_figures(selection.model),
        "spend_params": (
            {name: round(v, 8) for name, v in spend_model.params_.items()}
            if spend_model is not None
            else None
        ),
        "spend_log_likelihood": round(spend_model.log_likelihood_, 6)
        if spend_model is not None
        else None,
        "spend_note": spend_note,
        "spend_error": spend_error,
        "horizon_months": arguments.horizon,
        "discount_rate": arguments.discount_rate,
    }
    if use_holdout:
        chosen = selection.chosen
        report["holdout"] = {
            "duration": calibration.holdout_duration,
            "actual_total": chosen.holdout_actual_total,
            "predicted_total": chosen.holdout_predicted_total,
            "mae": chosen.holdout_mae,
        }
        report["refit"] = {
            **_model_figures(prediction_model),
            "spend_params": (
                {name: round(v, 8) for name, v in prediction_spend_model.params_.items()}
                if prediction_spend_model is not None
                else None
            ),
            "spend_note": prediction_spend_note,
        }
    quantiles = np.quantile(value, [0.0, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0])
    report["clv"] = {
        "total": float(value.sum()),
        "mean": float(value.mean()),
        "quantiles": dict(
            zip(
                ("min", "p25", "median", "p75", "p90", "p99", "max"),
                map(float, quantiles),
                strict=True,
            )
        ),
        "expected_purchases_total": float(expected.sum()),
    }
    top = max(arguments.top, 0)
    most_valuable = np.argsort(-value, kind="stable")[:top]
    # At risk: customers who used to come back (repeat buyers) and probably no longer do, most
    # valuable history first.
    history = summary.monetary_value * summary.frequency if has_amounts else summary.frequency
    at_risk_pool = np.flatnonzero((summary.frequency > 0) & (alive < 0.5))
    at_risk = at_risk_pool[np.argsort(-history[at_risk_pool], kind="stable")][:top]

    def row(index):
        return {
            "customer_id": str(ids[index]),
            "frequency": float(summary.frequency[index]),
            "recency": float(summary.recency[index]),
            "T": float(summary.T[index]),
            "probability_alive": float(alive[index]),
            "expected_purchases": float(expected[index]),
            "clv": float(value[index]),
            "clv_if_active": float(value_if_active[index]),
        }

    report["most_valuable"] = [row(index) for index in most_valuable]
    report["at_risk"] = [row(index) for index in at_risk]
    report["n_at_risk"] = len(at_risk_pool)
    return report


def _format_report(report) -> str:
    day = report["time_unit"] == "day"
    unit, units = (_("day"), _("days")) if day else (_("week"), _("weeks"))
    columns = report["columns"]
    lines = [
        _("Klantvriend CLV analysis of %(file)s") % {"file": report["file"]},
        "",
        _(
            "Read %(transactions)s transactions of %(customers)s customers (columns: "
            "customer=%(customer)r, date=%(date)r, amount=%(amount)r); data up to %(end)s."
        )
        % {
            "transactions": number(report["n_transactions"]),
            "customers": number(report["n_customers"]),
            "customer": columns["customer"],
            "date": columns["date"],
            "amount": columns["amount"],
            "end": report["observation_end"],
        },
        (
            _("Repeat share: %(share)s of customers came back, bringing %(revenue)s of revenue.")
            if report["repeat_revenue_share"] is not None
            else _("Repeat share: %(share)s of customers came back.")
        )
        % {
            "share": percent(report["repeat_share"], 1),
            "revenue": percent(report["repeat_revenue_share"] or 0, 1),
        },
    ]
    walk_ins = report.get("walk_ins")
    if walk_ins and walk_ins["rows"]:
        lines.append(
            (
                _(
                    "Left out %(rows)s sales without a customer (walk-in sales, %(amount)s in "
                    "total): they cannot be followed over time, so the figures are of the "
                    "customers the file names."
                )
                if walk_ins["amount"] is not None
                else _(
                    "Left out %(rows)s sales without a customer (walk-in sales): they cannot be "
                    "followed over time, so the figures are of the customers the file names."
                )
            )
            % {"rows": number(walk_ins["rows"]), "amount": number(walk_ins["amount"] or 0, 2)}
        )
    returns = report.get("returns")
    if returns and returns["rows"]:
        lines.append(
            _(
                "Left out %(rows)s returns (rows with a negative amount, %(amount)s in total): a "
                "return is not a visit, so it counts neither as a purchase nor against the spend "
                "of the purchase it undoes."
            )
            % {"rows": number(returns["rows"]), "amount": number(returns["amount"], 2)}
        )
    lines += [
        "",
        _("Model: %(model)s. %(reason)s")
        % {"model": report["model_label"], "reason": report["selection"]["reason"]},
        _("Fitted on %(customers)s customers up to %(end)s (time unit: %(unit)s):")
        % {
            "customers": number(report["n_customers_fitted"]),
            "end": report["calibration_end"],
            "unit": unit,
        },
        "  "
        + ", ".join(
            _("%(name)s = %(value)s (se %(error)s)")
            % {
                "name": name,
                "value": number(value, 4),
                "error": number(report["standard_errors"][name], 4),
            }
            for name, value in report["params"].items()
        ),
        "  " + _("log-likelihood %(value)s") % {"value": number(report["log_likelihood"], 2)},
    ]
    if report["dropout_collapsed"]:
        lines.append(
            _(
                "Caution: the model finds no customer ever leaving, as the data do not yet show "
                "anyone stop: every probability alive is 1 and every value assumes the customer "
                "stays. Judge who has left by their own rhythm until the history is longer."
            )
        )
    if report["spend_params"]:
        lines.append(
            _("Spend model (Gamma-Gamma): %(params)s, log-likelihood %(value)s")
            % {
                "params": _parameters(report["spend_params"]),
                "value": number(report["spend_log_likelihood"], 2),
            }
        )
    elif report["spend_note"]:
        lines.append(_("Spend: %(note)s") % {"note": report["spend_note"]})
    if "holdout" in report:
        holdout = report["holdout"]
        lines += [
            "",
            _(
                "Holdout check (%(duration)s %(units)s after %(end)s): predicted %(predicted)s "
                "repeat transactions, actual %(actual)s; mean absolute error per customer "
                "%(error)s."
            )
            % {
                "duration": number(holdout["duration"], 1),
                "units": units,
                "end": report["calibration_end"],
                "predicted": number(holdout["predicted_total"], 1),
                "actual": number(holdout["actual_total"]),
                "error": number(holdout["mae"], 3),
            },
            _("Predictions below come from the same model refitted on all data: %(params)s.")
            % {"params": _parameters(report["refit"]["params"])},
        ]
    clv = report["clv"]
    quantiles = clv["quantiles"]
    lines += [
        "",
        _("Customer lifetime value over %(months)s months (discount %(rate)s a month):")
        % {
            "months": f"{report['horizon_months']:g}",
            "rate": percent(report["discount_rate"], 2),
        },
        "  "
        + _(
            "total %(total)s, mean %(mean)s; median %(median)s, p75 %(p75)s, p90 %(p90)s, "
            "p99 %(p99)s, max %(max)s"
        )
        % {
            "total": number(clv["total"], 2),
            "mean": number(clv["mean"], 2),
            **{key: number(quantiles[key], 2) for key in ("median", "p75", "p90", "p99", "max")},
        },
        "  "
        + _("expected purchases in the horizon: %(count)s")
        % {"count": number(clv["expected_purchases_total"], 1)},
        "",
        _("Most valuable customers:"),
        _table(report["most_valuable"]),
        "",
        _("At risk (%(count)s repeat buyers with probability alive below 50%%), by past spend:")
        % {"count": number(report["n_at_risk"])},
        _table(report["at_risk"]) if report["at_risk"] else "  " + _("none"),
    ]
    advice = report.get("advice")
    note = report.get("advice_footing", {}).get("note", "")
    if advice:
        lines += [
            "",
            _("Attention advice: %(verdict)s (%(reasons)s).")
            % {"verdict": verdict_name(advice["verdict"]), "reasons": "; ".join(advice["reasons"])},
            "  "
            + _(
                "Attention worth up to %(worth)s per customer per year at a %(margin)s margin (if "
                "it lifts next-year value by %(uplift)s); thresholds in docs/advisor.md."
            )
            % {
                "worth": number(advice["attention_worth_per_customer"], 2),
                "margin": percent(advice["margin"]),
                "uplift": percent(advice["uplift"]),
            },
            "  "
            + _(
                "Won back, a customer is worth %(worth)s a year on average at that margin (the "
                "value if still a customer, CLV / P(alive); per customer in the column 'CLV if "
                "active'): a win-back call or gesture pays when it costs less than the chance it "
                "works times that."
            )
            % {"worth": number(advice["won_back_worth_per_customer"], 2)},
        ]
        if note:
            lines.append(f"  {note}")
    elif note:
        lines += ["", _("Attention advice: %(note)s") % {"note": note}]
    return "\n".join(lines)


def _parameters(params: dict[str, float]) -> str:
    return ", ".join(f"{name} = {number(value, 4)}" for name, value in params.items())


def _table(rows) -> str:
    customer, alive, if_active = _("customer"), _("P(alive)"), _("CLV if active")
    header = (
        f"  {customer:<16} {'x':>5} {'t_x':>8} {'T':>8} {alive:>10} {'E[purch]':>9} "
        f"{'CLV':>12} {if_active:>17}"
    )
    body = [
        f"  {row['customer_id'][:16]:<16} {number(row['frequency']):>5} "
        f"{number(row['recency'], 2):>8} {number(row['T'], 2):>8} "
        f"{number(row['probability_alive'], 3):>10} {number(row['expected_purchases'], 3):>9} "
        f"{number(row['clv'], 2):>12} {number(row['clv_if_active'], 2):>17}"
        for row in rows
    ]
    return "\n".join([header, *body])


def _write_predictions(path, ids, summary, alive, expected, spend, value) -> None:
    write_csv(
        path,
        {
            "customer_id": ids,
            "frequency": summary.frequency,
            "recency": summary.recency,
            "T": summary.T,
            "probability_alive": alive,
            "expected_purchases": expected,
            "expected_spend": spend if spend is not None else np.zeros(len(ids)),
            "clv": value,
        },
        decimals={"frequency": 0, "expected_spend": 4, "clv": 4},
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
