"""``klantvriend analyse --report report.html``: one standalone HTML file (no scripts, no links
to other files) with the advice, the figures and the same server-drawn charts as the web app,
each with its table."""

from __future__ import annotations

from html import escape

import numpy as np

from clv import charts, figures
from clv.advice import verdict_name
from clv.i18n import _, active_language, number, percent
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
.chart-sizes { container-type: inline-size; }
.chart-narrow { display: none; }
.chart-narrow .chart { max-width: 28rem; }
@container (max-width: 560px) { .chart-wide { display: none; } .chart-narrow { display: block; } }
@media (max-width: 560px) { main { padding: .75rem; } section { padding: 1rem .75rem; } }
.table-wrap { overflow-x: auto; }
.chart-grid { stroke: #dde3e1; } .chart-axis { stroke: #5b6764; }
.chart-tick, .chart-label, .chart-legend { font-size: 11px; fill: #5b6764; }
.chart-cell { font-size: 10px; fill: #1d2725; }
.chart-returning, .chart-value, .chart-bar { fill: #1f6f5c; } .chart-new { fill: #9cc9b9; }
.chart-heat-0 { fill: #f2f5f4; } .chart-heat-1 { fill: #d6ebe3; } .chart-heat-2 { fill: #b3d9ca; }
.chart-heat-3 { fill: #85c0aa; } .chart-heat-4 { fill: #56a68a; } .chart-heat-5 { fill: #2f8a6c; }
"""


def _verdict_text(verdict: str) -> str:
    return {
        "relationship": _(
            "A relationship business: most revenue comes from customers who come back. "
            "Personal attention is the business."
        ),
        "mixed": _("A mixed business: spend attention on the segments where it pays."),
        "stream": _(
            "A stream business: most revenue comes from one-off customers. Attention pays at "
            "the moment of purchase, much less in follow-ups."
        ),
    }[verdict]


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
    table_word = escape(_("Table"))
    return (
        f"<section><h2>{escape(title)}</h2>{svg}"
        f"<details><summary>{table_word}</summary>{table}</details></section>"
    )


def render_report(
    *, report: dict, customer_ids, dates, amounts, values, currency: str = "EUR"
) -> str:
    """The HTML text. ``values`` are the customers' predicted values (the CLV column), in
    ``currency`` when the file has amounts (written as the web app's pages write money, "€1,234"
    in English, "€ 1.234" in Dutch), else in purchases; in the active language (clv.i18n)."""
    advice = report.get("advice") or {}
    language = active_language()

    def money(value: float) -> str:
        if amounts is None:
            return number(value)
        return format_cents(round(value * 100), currency, language=language, whole=True)

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
    title = escape(_("Klantvriend analysis of %(file)s") % {"file": report["file"]})
    advice_heading = escape(_("Attention advice"))
    parts = [
        f"<!doctype html><html lang='{language}'><head><meta charset='utf-8'>",
        f"<title>{title}</title>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<style>{STYLE}</style></head><body><main>",
        f"<h1>{title}</h1>",
        "<p>"
        + escape(
            _(
                "%(customers)s customers, %(transactions)s transactions, up to %(end)s. Model: %(model)s."
            )
            % {
                "customers": number(report["n_customers"]),
                "transactions": number(report["n_transactions"]),
                "end": report["observation_end"],
                "model": report["model_label"],
            }
        )
        + "</p>",
    ]
    note = report.get("advice_footing", {}).get("note", "")
    if not advice and note:
        parts.append(f"<section><h2>{advice_heading}</h2><p>{escape(note)}</p></section>")
    if advice:
        parts.append(
            f"<section><h2>{advice_heading}</h2>"
            f"<p class='verdict'>{escape(verdict_name(advice['verdict']))}</p>"
            + (f"<p class='caveat'>{escape(note)}</p>" if note else "")
            + f"<p>{escape(_verdict_text(advice['verdict']))}</p>"
            + _table(
                [_("figure"), _("value")],
                [
                    [_("customers who came back"), percent(advice["repeat_customer_share"], 1)],
                    [_("revenue from return visits"), percent(advice["repeat_revenue_share"], 1)],
                    [_("revenue of the top fifth"), percent(advice["top_fifth_revenue_share"], 1)],
                    [
                        _("attention worth per customer per year (margin %(margin)s)")
                        % {"margin": percent(advice["margin"])},
                        money(advice["attention_worth_per_customer"]),
                    ],
                    *(
                        [
                            [
                                _(
                                    "worth a year if won back, per customer (margin on the "
                                    "value if still a customer; a win-back pays below the "
                                    "chance it works times this)"
                                ),
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
    revenue_title = _("Revenue from returning and new customers per month")
    returning, new = _("returning"), _("new")
    parts.append(
        _section(
            revenue_title,
            charts.responsive(
                lambda width: charts.bar_chart(
                    labels=monthly.months,
                    series=[
                        (returning, monthly.returning.tolist(), "returning"),
                        (new, monthly.new.tolist(), "new"),
                    ],
                    title=revenue_title,
                    value_format=money,
                    width=width,
                )
            ),
            _table(
                [_("month"), returning, new],
                [
                    [m, money(r), money(n)]
                    for m, r, n in zip(monthly.months, monthly.returning, monthly.new, strict=True)
                ],
            ),
        )
    )
    columns = [_("+%(months)s mo") % {"months": k + 1} for k in range(cohorts.shares.shape[1])]
    retention_title = _("Cohort retention")
    parts.append(
        _section(
            retention_title,
            charts.responsive(
                lambda width: charts.heatmap(
                    row_labels=cohorts.cohorts,
                    column_labels=columns,
                    values=cohorts.shares.tolist(),
                    title=retention_title,
                    value_format=percent,
                    width=width,
                )
            ),
            _table(
                [_("first purchase"), _("customers"), *columns],
                [
                    [c, int(s), *("" if v != v else percent(v) for v in row)]
                    for c, s, row in zip(
                        cohorts.cohorts, cohorts.sizes, cohorts.shares, strict=True
                    )
                ],
            ),
        )
    )
    labels = [money(edge) for edge in distribution.edges[:-1]]
    if labels:
        labels[-1] = _("%(value)s or more") % {"value": labels[-1]}
    distribution_title = _("Distribution of predicted customer value")
    parts.append(
        _section(
            distribution_title,
            charts.responsive(
                lambda width: charts.bar_chart(
                    labels=labels,
                    series=[(_("customers"), distribution.counts.tolist(), "value")],
                    title=distribution_title,
                    whole_numbers=True,
                    width=width,
                )
            ),
            _table(
                [_("value from"), _("customers")],
                [
                    [label, int(count)]
                    for label, count in zip(labels, distribution.counts, strict=True)
                ],
            ),
        )
    )
    parts.append("</main></body></html>")
    return "".join(parts)
