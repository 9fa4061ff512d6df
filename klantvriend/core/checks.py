"""System checks of the installation, run before every management command and the server."""

from pathlib import Path

from django.core.checks import Warning

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def translations_compiled(app_configs=None, **kwargs) -> list[Warning]:
    """A warning when a translation (.po) is newer than its compiled file (.mo), or has none:
    the .mo files are build products (scripts/compile-messages.sh, run by `make install`).
    Without them the pages speak English to a Dutch shop, and the demo stores its texts (the
    holidays' names, the follow-ups' questions) in English for good."""
    stale = [
        po
        for po in sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
        if not po.with_suffix(".mo").exists()
        or po.stat().st_mtime > po.with_suffix(".mo").stat().st_mtime
    ]
    return [
        Warning(
            f"The translations in {po.parent} are not compiled, or older than their .po file.",
            hint="Run scripts/compile-messages.sh (make install does).",
            id="klantvriend.W001",
        )
        for po in stale
    ]
