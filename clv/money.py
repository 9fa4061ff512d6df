"""Amounts written with their currency: "€ 1.234,56" in Dutch, "€1,234.56" in English.

The one place for it, used by the web app's pages and exports (through klantvriend.core.money)
and by ``klantvriend analyse --report``, whose engine imports nothing of the web app.
"""

from __future__ import annotations

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def format_cents(
    cents: int, currency: str = "EUR", *, language: str = "nl", whole: bool = False
) -> str:
    """€ 1.234,56 in Dutch, €1,234.56 in English; `whole`: rounded to € 1.235 / €1,235. A
    currency without a sign is written by its code ("CHF 12,50")."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    if whole:
        units, rest = (abs(cents) + 50) // 100, None
    grouped = f"{units:,}"
    symbol = SYMBOLS.get(currency, currency)
    if language.startswith("nl"):
        decimals = "" if rest is None else f",{rest:02d}"
        return f"{sign}{symbol} {grouped.replace(',', '.')}{decimals}"
    # English writes a sign against the figure ("€12") and a code apart from it ("CHF 12").
    gap = "" if currency in SYMBOLS else " "
    return f"{sign}{symbol}{gap}{grouped}{'' if rest is None else f'.{rest:02d}'}"
