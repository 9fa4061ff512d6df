"""``klantvriend analyse --report report.html``: one standalone HTML file (no scripts, no links
to other files) with the advice, the figures and the same server-drawn charts as the web app,
each with its table."""

from __future__ import annotations

from html import escape

import numpy as np

from clv import charts, figures
from clv.money import format_cents

STYLE = """
body { font-family: system-ui, sans-serif; color: #1d2725; background: #f6f4ef; margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { overflow-wrap: break-word; }
section { background: #fff; border: 1px solid #dde3e1; border-radius: 12px; padding: 1rem 1.25rem;
  margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #dde3e1; }
.verdict { font-size: 1.4rem; font-weight: 700; }
.chart { width: 100%; height: auto; max-width: 48rem; display: block; }
.chart-narrow { display: none; }
@media (max-width: 560px) {
  .chart-wide { display: none; } .chart-narrow { display: block; }
  main { padding: .75rem; } section { padding: 1rem .75rem; }
}
.table-wrap { overflow-x: auto; }
.chart-grid { stroke: #dde3e1; } .chart-axis { stroke: #5b6764; }
.chart-tick, .chart-label, .chart-legend { font-size: 11px; fill: #5b6764; }
.chart-cell { font-size: 10px; fill: #1d2725; }
.chart-returning, .chart-value, .chart-bar { fill: #1f6f5c; } .chart-new { fill: #9cc9b9; }
.chart-heat-0 { fill: #f2f5f4; } .chart-heat-1 { fill: #d6ebe3; } .chart-heat-2 { fill: #b3d9ca; }
.chart-heat-3 { fill: #85c0aa; } .chart-heat-4 { fill: #56a68a; } .chart-heat-5 { fill: #2f8a6c; }
"""

VERDICT_TEXT = {
    "relationship": "A relationship business: most revenue comes from customers who come back. "
    "Personal attention is the business.",
    "mixed": "A mixed business: spend attention on the segments where it pays.",
    "stream": "A stream business: most revenue comes from one-off customers. Attention pays at "
    "the moment of purchase, much less in follow-ups.",
}


def _table(headers, rows) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<div class='table-wrap'><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table></div>"
    )


def _section(title: str, svg: str, table: str) -> str:
    return (
        f"<section><h2>{escape(title)}</h2>{svg}"
        f"<details><summary>Table</summary>{table}</details></section>"
    )


def render_report(
    *, report: dict, customer_ids, dates, amounts, values, currency: str = "EUR"
) -> str:
    """The HTML text. ``values`` are the customers' predicted values (the CLV column), in
    ``currency`` when the file has amounts (written as the web app's pages write money, "€1,234"),
    else in purchases."""
    advice = report.get("advice") or {}

    def money(value: float) -> str:
        if amounts is None:
            return f"{value:,.0f}"
        return format_cents(round(value * 100), currency, language="en", whole=True)

    monthly = figures.monthly_revenue(
        customer_ids=customer_ids,
        dates=dates,
        amounts=amounts if amounts is not None else np.ones(len(customer_ids)),
        end=report["observation_end"],
    )
    cohorts = figures.cohort_retention(
        customer_ids=customer_ids, dates=dates, periods=6, end=report["observation_end"]
    )
    distribution = figures.value_distribution(values)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Klantvriend analysis of {escape(report['file'])}</title>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>Klantvriend analysis of {escape(report['file'])}</h1>",
        f"<p>{report['n_customers']:,} customers, {report['n_transactions']:,} transactions, "
        f"up to {escape(report['observation_end'])}. Model: {escape(report['model_label'])}.</p>",
    ]
    note = report.get("advice_footing", {}).get("note", "")
    if not advice and note:
        parts.append(f"<section><h2>Attention advice</h2><p>{escape(note)}</p></section>")
    if advice:
        parts.append(
            "<section><h2>Attention advice</h2>"
            f"<p class='verdict'>{escape(advice['verdict'])}</p>"
            + (f"<p class='caveat'>{escape(note)}</p>" if note else "")
            + f"<p>{escape(VERDICT_TEXT[advice['verdict']])}</p>"
            + _table(
                ["figure", "value"],
                [
                    ["customers who came back", f"{advice['repeat_customer_share']:.1%}"],
                    ["revenue from return visits", f"{advice['repeat_revenue_share']:.1%}"],
                    ["revenue of the top fifth", f"{advice['top_fifth_revenue_share']:.1%}"],
                    [
                        f"attention worth per customer per year (margin {advice['margin']:.0%})",
                        money(advice["attention_worth_per_customer"]),
                    ],
                    *(
                        [
                            [
                                "worth a year if won back, per customer (margin on the value "
                                "if still a customer; a win-back pays below the chance it "
                                "works times this)",
                                money(advice["won_back_worth_per_customer"]),
                            ]
                        ]
                        if advice.get("won_back_worth_per_customer") is not None
                        else []
                    ),
                ],
            )
            + "</section>"
        )
    parts.append(
        _section(
            "Revenue from returning and new customers per month",
            charts.responsive(
                lambda width: charts.bar_chart(
                    labels=monthly.months,
                    series=[
                        ("returning", monthly.returning.tolist(), "returning"),
                        ("new", monthly.new.tolist(), "new"),
                    ],
                    title="Revenue from returning and new customers per month",
                    value_format=money,
                    width=width,
                )
            ),
            _table(
                ["month", "returning", "new"],
                [
                    [m, money(r), money(n)]
                    for m, r, n in zip(monthly.months, monthly.returning, monthly.new, strict=True)
                ],
            ),
        )
    )
    columns = [f"+{k + 1} mo" for k in range(cohorts.shares.shape[1])]
    parts.append(
        _section(
            "Cohort retention",
            charts.responsive(
                lambda width: charts.heatmap(
                    row_labels=cohorts.cohorts,
                    column_labels=columns,
                    values=cohorts.shares.tolist(),
                    title="Cohort retention",
                    width=width,
                )
            ),
            _table(
                ["first purchase", "customers", *columns],
                [
                    [c, int(s), *("" if v != v else f"{v:.0%}" for v in row)]
                    for c, s, row in zip(
                        cohorts.cohorts, cohorts.sizes, cohorts.shares, strict=True
                    )
                ],
            ),
        )
    )
    labels = [money(edge) for edge in distribution.edges[:-1]]
    if labels:
        labels[-1] += " or more"
    parts.append(
        _section(
            "Distribution of predicted customer value",
            charts.responsive(
                lambda width: charts.bar_chart(
                    labels=labels,
                    series=[("customers", distribution.counts.tolist(), "value")],
                    title="Distribution of predicted customer value",
                    whole_numbers=True,
                    width=width,
                )
            ),
            _table(
                ["value from", "customers"],
                [
                    [label, int(count)]
                    for label, count in zip(labels, distribution.counts, strict=True)
                ],
            ),
        )
    )
    parts.append("</main></body></html>")
    return "".join(parts)
