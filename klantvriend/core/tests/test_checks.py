"""The installation's checks: translations left uncompiled are said before a command runs."""

import os

from klantvriend.core import checks


def test_uncompiled_or_stale_translations_are_warned_of(tmp_path, monkeypatch):
    messages = tmp_path / "nl" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = messages / "django.po"
    po.write_text("")
    monkeypatch.setattr(checks, "LOCALE", tmp_path)

    missing = checks.translations_compiled()
    mo = messages / "django.mo"
    mo.write_bytes(b"")
    os.utime(po, (1_000, 2_000))
    os.utime(mo, (1_000, 1_000))
    stale = checks.translations_compiled()
    os.utime(mo, (1_000, 3_000))
    compiled = checks.translations_compiled()

    assert [warning.id for warning in missing] == ["klantvriend.W001"]
    assert missing[0].hint == "Run scripts/compile-messages.sh (make install does)."
    assert [warning.id for warning in stale] == ["klantvriend.W001"]
    assert compiled == []
