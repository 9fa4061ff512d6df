"""Explicit after-commit hooks between domain apps.

A lower app (customers, promises, complaints) announces that something happened by calling
`run_after_commit(EVENT, ...)` from its service; a higher app (aftercare) registers a handler in
its AppConfig.ready(). The lower app never imports the higher one, and unlike Django signals the
call is visible in the service that causes it. Handlers run only once the write is committed, so
a rolled-back purchase plans no follow-up."""

import logging
from collections import defaultdict
from collections.abc import Callable
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

PURCHASE_RECORDED = "purchase_recorded"
PROMISE_KEPT = "promise_kept"
COMPLAINT_RESOLVED = "complaint_resolved"
# A resolved complaint's recovery gesture was written or reworded (the gestures log it).
RECOVERY_GESTURE_WRITTEN = "recovery_gesture_written"
# Announced by the importers after a committed import (insights refresh on it).
DATA_IMPORTED = "data_imported"

_handlers: dict[str, list[Callable[..., object]]] = defaultdict(list)


def register_hook(event: str, handler: Callable[..., object]) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def _run(event: str, kwargs: dict) -> None:
    for handler in list(_handlers[event]):
        try:
            handler(**kwargs)
        except Exception:
            # The write that triggered the hook is committed and must not look failed to the
            # person who made it; a failing side effect is logged for the operator instead.
            logger.exception("Hook %s for %s failed", handler, event)


def run_after_commit(event: str, **kwargs: object) -> None:
    transaction.on_commit(partial(_run, event, kwargs))
