"""What the benchmarks share: a project instance on its own database, run by gunicorn on a free
port of 127.0.0.1, and its management commands; the percentile their figures are given in."""

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], share: float) -> float:
    """The value at `share` (0.95: the 95th percentile) of the sorted values, the nearest rank."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


PYTHON = sys.executable


class Instance:
    def __init__(self, database_url: str) -> None:
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
        }

    def manage(self, *args: str) -> str:
        return self.python("manage.py", *args)

    def python(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [PYTHON, *args],
            cwd=ROOT,
            env=self.environment,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(args[:2])} failed:\n{result.stderr}")
        return result.stdout

    @contextmanager
    def serving(self, *, workers: int, port: int = 0, timeout: int = 60):
        """Yields the base URL while gunicorn runs (a worker is stopped after `timeout` seconds
        on one request); stops it afterwards."""
        if not port:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
                "--timeout",
                str(timeout),
            ],
            cwd=ROOT,
            env=self.environment,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):  # up to a minute for the workers to boot on a busy machine
                try:
                    requests.get(f"{base}/health/", timeout=5)
                    break
                except requests.RequestException:
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def logged_in(base: str, username: str, password: str) -> requests.Session:
    """A browser-like session logged in through the login form (with its CSRF token)."""
    session = requests.Session()
    login_page = session.get(f"{base}/login/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text).group(1)
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{base}/login/"},
        timeout=10,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit("Log-in failed: is the demo shop in this database?")
    return session


def logged_in_client(username: str):
    """For the in-process scripts, after django.setup(): Django's test client logged in as
    `username` (no server in between), with the member's business."""
    from django.test import Client

    from klantvriend.core.models import Membership

    membership = (
        Membership.objects.select_related("user", "business")
        .filter(user__username=username)
        .first()
    )
    if membership is None:
        raise SystemExit(f"No member {username}: is the demo shop in this database?")
    client = Client()
    client.force_login(membership.user)
    return client, membership.business
