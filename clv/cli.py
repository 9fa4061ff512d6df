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
)
from clv.exceptions import ConvergenceError
from clv.io import TransactionFileError, parse_dates, read_transactions, write_csv
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
            f"--currency: {value!r} is not a three-letter currency code such as EUR"
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
            f"{option}: cannot read the date {value!r} (use yyyy-mm-dd)"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klantvriend", description="Klantvriend command-line tools."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    analyse = commands.add_parser(
        "analyse",
        help="customer-lifetime-value analysis of a transaction file",
        description=(
            "Repeat share, customer-lifetime-value model, the most valuable customers and those at "
            "risk, from a CSV export with one row per purchase (customer, date, amount)."
        ),
    )
    analyse.add_argument(
        "file", help="CSV file (delimiter , ; tab or spaces; UTF-8 or Windows-1252)"
    )
    analyse.add_argument(
        "--customer-col", help="customer column: header name or 1-based number (auto-detected)"
    )
    analyse.add_argument(
        "--date-col", help="date column: header name or 1-based number (auto-detected)"
    )
    analyse.add_argument(
        "--amount-col", help="amount column: header name or 1-based number (auto-detected)"
    )
    analyse.add_argument(
        "--time-unit",
        choices=("day", "week"),
        default="week",
        help="model time unit (default week)",
    )
    analyse.add_argument(
        "--as-of", help="last day to use, yyyy-mm-dd (default: the last date in the file)"
    )
    analyse.add_argument(
        "--calibration-end",
        help="fit on purchases up to this day and test the forecast on the rest, up to --as-of",
    )
    analyse.add_argument(
        "--model",
        choices=("auto", *tuple(MODELS_BY_NAME)),
        default="auto",
        help="purchase model (default auto: best holdout forecast, or lowest BIC without holdout)",
    )
    analyse.add_argument(
        "--horizon", type=float, default=12, help="CLV horizon in months (default 12)"
    )
    analyse.add_argument(
        "--discount-rate",
        type=float,
        default=0.01,
        help="discount rate per month for CLV (default 0.01)",
    )
    analyse.add_argument(
        "--predictions", metavar="OUT.csv", help="write one row per customer to this CSV file"
    )
    analyse.add_argument(
        "--json", action="store_true", help="print the results as JSON instead of a report"
    )
    analyse.add_argument(
        "--top", type=int, default=10, help="customers to list as most valuable and at risk"
    )
    analyse.add_argument(
        "--penalizer", type=float, default=0.0, help="L2 penalty on the model parameters"
    )
    analyse.add_argument(
        "--margin",
        type=float,
        default=30,
        help="gross margin in percent, for what attention is worth (default 30)",
    )
    analyse.add_argument(
        "--report", metavar="REPORT.html", help="write a standalone HTML report with charts"
    )
    analyse.add_argument(
        "--currency",
        default="EUR",
        type=_currency,
        help="currency of the amounts, as a three-letter code, for the report (default EUR)",
    )
    analyse.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def main(argv=None) -> int:
    """Entry point of the ``klantvriend`` console script; returns the exit status."""
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
        except argparse.ArgumentTypeError as error:
            print(f"klantvriend analyse: error: {error}", file=sys.stderr)
            return 2
        except TransactionFileError as error:
            print(f"klantvriend analyse: error: {error}", file=sys.stderr)
            return 2
        except (ValueError, ConvergenceError) as error:
            print(f"klantvriend analyse: error: {error}", file=sys.stderr)
            return 1
    parser.error(f"unknown command {arguments.command!r}")
    return 2


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
            f"{path}: every row has a negative amount (a return); there are no purchases to analyse"
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
        f"{path}: not enough data for a customer-value model: "
        f"{customers:,} {'customer' if customers == 1 else 'customers'}, of whom {came_back:,} "
        f"came back; a model needs at least {ADVICE_MIN_CUSTOMERS} customers of whom "
        f'{MODEL_MIN_REPEAT_CUSTOMERS} came back (docs/advisor.md, "Not enough data")'
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
            f"{MODEL_LABELS[model_name]} as asked (--model {model_name}).",
            selection.candidates,
        )
    spend_model, spend_note, spend_error = None, None, None
    if has_amounts:
        repeat = summary.frequency > 0
        usable = repeat & (summary.monetary_value > 0)
        if usable.sum() < MINIMUM_REPEAT_BUYERS_FOR_SPEND_MODEL:
            spend_note = f"only {int(usable.sum())} repeat buyers with positive spend: spend model not fitted"
        else:
            try:
                spend_model = GammaGamma(penalizer_coef=penalizer).fit(
                    summary.frequency[usable], summary.monetary_value[usable]
                )
                if spend_model.params_["q"] <= 1.0:
                    spend_note = (
                        "Gamma-Gamma q <= 1 (no finite mean spend): customers' own means used"
                    )
                    spend_model = None
            except ConvergenceError as error:
                # The optimizer's account is for --json; the report says what it means.
                spend_note = (
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
        raise argparse.ArgumentTypeError("--horizon must be a whole number of months >= 0")
    if arguments.discount_rate <= -1:
        raise argparse.ArgumentTypeError("--discount-rate must be greater than -1")
    as_of = _parse_day(arguments.as_of, "--as-of") if arguments.as_of else None
    calibration_end = (
        _parse_day(arguments.calibration_end, "--calibration-end")
        if arguments.calibration_end
        else None
    )

    progress(f"reading {arguments.file} ({file_size / 1e6:.0f} MB)")
    transactions = read_transactions(
        arguments.file,
        customer_column=arguments.customer_col,
        date_column=arguments.date_col,
        amount_column=arguments.amount_col,
    )
    transactions, returns = _leave_out_returns(transactions, path=arguments.file)
    progress(f"read {transactions.n_transactions:,} transactions; summarising")
    observation_end = as_of if as_of is not None else transactions.dates.max()
    if calibration_end is not None and calibration_end >= observation_end:
        raise ValueError(
            f"--calibration-end {calibration_end} must lie before the end of the data ({observation_end})"
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
    progress(f"{calibration.n_customers:,} customers; fitting models")
    selection, spend_model, spend_note, spend_error = _fit_models(
        calibration,
        model_name=arguments.model,
        penalizer=arguments.penalizer,
        has_amounts=has_amounts,
        use_holdout=use_holdout,
    )
    # Predictions are made as of the last day, from a refit on all data when there was a holdout.
    if use_holdout:
        progress("refitting the chosen model on all data for the predictions")
        full = summarise(None)
        refit_selection, refit_spend_model, refit_spend_note, _ = _fit_models(
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

    progress("predicting for every customer")
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
        progress(f"writing {arguments.predictions}")
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
        raise argparse.ArgumentTypeError("--margin must lie between 0 and 100 (percent)")
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
        progress(f"writing {arguments.report}")
        with open(arguments.report, "w", encoding="utf-8") as out:
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
    progress("done")
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
    unit = report["time_unit"]
    lines = [
        f"Klantvriend CLV analysis of {report['file']}",
        "",
        f"Read {report['n_transactions']:,} transactions of {report['n_customers']:,} customers "
        f"(columns: customer={report['columns']['customer']!r}, date={report['columns']['date']!r}, "
        f"amount={report['columns']['amount']!r}); data up to {report['observation_end']}.",
        f"Repeat share: {report['repeat_share']:.1%} of customers came back"
        + (
            f", bringing {report['repeat_revenue_share']:.1%} of revenue."
            if report["repeat_revenue_share"] is not None
            else "."
        ),
    ]
    walk_ins = report.get("walk_ins")
    if walk_ins and walk_ins["rows"]:
        amount = f", {walk_ins['amount']:,.2f} in total" if walk_ins["amount"] is not None else ""
        lines.append(
            f"Left out {walk_ins['rows']:,} sales without a customer (walk-in sales{amount}): "
            "they cannot be followed over time, so the figures are of the customers the file names."
        )
    returns = report.get("returns")
    if returns and returns["rows"]:
        lines.append(
            f"Left out {returns['rows']:,} returns (rows with a negative amount, "
            f"{returns['amount']:,.2f} in total): a return is not a visit, so it counts neither "
            "as a purchase nor against the spend of the purchase it undoes."
        )
    lines += [
        "",
        f"Model: {report['model_label']}. {report['selection']['reason']}",
        f"Fitted on {report['n_customers_fitted']:,} customers up to {report['calibration_end']} (time unit: {unit}):",
        "  "
        + ", ".join(
            f"{name} = {value:.4f} (se {report['standard_errors'][name]:.4f})"
            for name, value in report["params"].items()
        ),
        f"  log-likelihood {report['log_likelihood']:.2f}",
    ]
    if report["spend_params"]:
        lines.append(
            "Spend model (Gamma-Gamma): "
            + ", ".join(f"{k} = {v:.4f}" for k, v in report["spend_params"].items())
            + f", log-likelihood {report['spend_log_likelihood']:.2f}"
        )
    elif report["spend_note"]:
        lines.append(f"Spend: {report['spend_note']}")
    if "holdout" in report:
        holdout = report["holdout"]
        lines += [
            "",
            f"Holdout check ({holdout['duration']:.1f} {unit}s after {report['calibration_end']}): predicted "
            f"{holdout['predicted_total']:.1f} repeat transactions, actual {holdout['actual_total']:.0f}; "
            f"mean absolute error per customer {holdout['mae']:.3f}.",
            "Predictions below come from the same model refitted on all data: "
            + ", ".join(f"{k} = {v:.4f}" for k, v in report["refit"]["params"].items())
            + ".",
        ]
    clv = report["clv"]
    quantiles = clv["quantiles"]
    lines += [
        "",
        f"Customer lifetime value over {report['horizon_months']:g} months (discount {report['discount_rate']:.2%} a month):",
        f"  total {clv['total']:,.2f}, mean {clv['mean']:,.2f}; median {quantiles['median']:,.2f}, "
        f"p75 {quantiles['p75']:,.2f}, p90 {quantiles['p90']:,.2f}, p99 {quantiles['p99']:,.2f}, max {quantiles['max']:,.2f}",
        f"  expected purchases in the horizon: {clv['expected_purchases_total']:,.1f}",
        "",
        "Most valuable customers:",
        _table(report["most_valuable"]),
        "",
        f"At risk ({report['n_at_risk']:,} repeat buyers with probability alive below 50%), by past spend:",
        _table(report["at_risk"]) if report["at_risk"] else "  none",
    ]
    advice = report.get("advice")
    note = report.get("advice_footing", {}).get("note", "")
    if advice:
        lines += [
            "",
            f"Attention advice: {advice['verdict']} business ({'; '.join(advice['reasons'])}).",
            f"  Attention worth up to {advice['attention_worth_per_customer']:,.2f} per customer "
            f"per year at a {advice['margin']:.0%} margin (if it lifts next-year value by "
            f"{advice['uplift']:.0%}); thresholds in docs/advisor.md.",
            f"  Won back, a customer is worth {advice['won_back_worth_per_customer']:,.2f} a year "
            "on average at that margin (the value if still a customer, CLV / P(alive); per "
            "customer in the column 'CLV if active'): a win-back call or gesture pays when it "
            "costs less than the chance it works times that.",
        ]
        if note:
            lines.append(f"  {note}")
    elif note:
        lines += ["", f"Attention advice: {note}"]
    return "\n".join(lines)


def _table(rows) -> str:
    header = f"  {'customer':<16} {'x':>5} {'t_x':>8} {'T':>8} {'P(alive)':>9} {'E[purch]':>9} {'CLV':>12} {'CLV if active':>13}"
    body = [
        f"  {row['customer_id'][:16]:<16} {row['frequency']:>5.0f} {row['recency']:>8.2f} {row['T']:>8.2f} "
        f"{row['probability_alive']:>9.3f} {row['expected_purchases']:>9.3f} {row['clv']:>12,.2f} {row['clv_if_active']:>13,.2f}"
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
