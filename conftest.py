import os

import pytest
from playwright.sync_api import expect

# How long a browser test waits for the page to show what it expects before failing. Playwright's
# five seconds were too short on a loaded machine (make test runs the SQLite and PostgreSQL runs
# side by side, each with its own Chromium): a passing test waits no longer for a larger bound.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def base_url(pytestconfig):
    """The address Playwright resolves relative URLs against (`--base-url`, or `base_url` in the
    pytest settings), none by default: the tests open the live server's full URLs. This replaces
    pytest-playwright's own fallback (switched off with `-p no:playwright-base-url` in
    pyproject.toml), a session fixture defined as an instance method, which pytest 9 warns is
    deprecated on every browser run."""
    return pytestconfig.getoption("--base-url") or pytestconfig.getini("base_url") or None


# Debian's Chromium (Playwright cannot download its own browser here). Without a window, its
# headless shell where installed (scripts/test.sh installs it), the build Playwright itself runs
# headless by default: the same engine without the browser around it, which opened the layout
# sweeps' pages about 16% faster.
HEADLESS_CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, its headless shell unless `--headed`; the flags keep it from reaching
    out to the network, which is closed on these machines."""
    headless = browser_type_launch_args.get("headless", True)
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get(
            "KLANTVRIEND_CHROMIUM",
            HEADLESS_CHROMIUM if headless and os.path.exists(HEADLESS_CHROMIUM) else CHROMIUM,
        ),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Dutch shop's tablet: dates, numbers and the date picker as a Dutch user sees them.
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}
