"""The Idempotency-Key header on every write of the API (docs/api.md): a client that sends a
write again with the same key, after a time-out or a dropped connection, gets the first
answer again and nothing is done twice. Applied to every operation by `api.add_decorator` in
urls.py, so a new write route has it without asking."""

import hashlib
import json
import re
from functools import wraps

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from klantvriend.core.idempotency import (
    MAX_KEY_LENGTH,
    idempotent_request_answer,
    idempotent_request_claim,
)

from .common import live_token, speak_the_member_s_language

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# The headers of a first answer that its replay gives again: the version of what it returned
# (for a later If-Match) and the address of what it created.
KEPT_HEADERS = ("ETag", "Location")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Visible ASCII without spaces: a UUID, a ULID, "order-1234-attempt"; nothing a proxy may mangle.
KEY_PATTERN = re.compile(rf"[!-~]{{1,{MAX_KEY_LENGTH}}}")

OPENAPI_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Makes a retry safe: a write sent again with the same key within 24 hours "
    "gets the first answer again (with Idempotent-Replayed: true) and is not done twice; the "
    "same key with another request is refused (422). Up to 255 visible ASCII characters, such "
    "as a UUID.",
    "schema": {"type": "string", "pattern": f"^[!-~]{{1,{MAX_KEY_LENGTH}}}$"},
}


def _refusal(api, request: HttpRequest, message: str, code: str) -> HttpResponse:
    detail = [{"loc": ["header", HEADER], "msg": message, "type": code}]
    return api.create_response(request, {"detail": detail}, status=422)


def _bearer_secret(request: HttpRequest) -> str | None:
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" and secret.strip() else None


def fingerprint(request: HttpRequest) -> str:
    """The method, path with query and body; a JSON body in a canonical form, so that a client
    that serialises its keys in another order still sends "the same body"."""
    try:
        body = json.dumps(json.loads(request.body), sort_keys=True, separators=(",", ":"))
        content = body.encode()
    except ValueError:
        content = request.body
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(content)
    return digest.hexdigest()


def idempotent(api):
    """A ninja "view" decorator (it wraps the whole operation, authentication included)."""

    def decorator(run):
        @wraps(run)
        def wrapper(request: HttpRequest, *args, **kwargs):
            key = request.headers.get(HEADER)
            if request.method not in WRITE_METHODS or key is None:
                return run(request, *args, **kwargs)
            secret = _bearer_secret(request)
            token = live_token(request, secret) if secret else None
            if token is None:
                # The authentication answers 401, as it would without the key.
                return run(request, *args, **kwargs)
            speak_the_member_s_language(request, token.membership)
            if not KEY_PATTERN.fullmatch(key):
                return _refusal(
                    api,
                    request,
                    _(
                        "Send at most 255 visible ASCII characters without spaces in the "
                        "Idempotency-Key header, such as a UUID."
                    ),
                    "invalid",
                )
            sent = fingerprint(request)
            # One transaction for the claim, the work and the answer: a second request with the
            # key waits for it, and a refusal or a failure keeps neither the work nor the key.
            with transaction.atomic():
                claim = idempotent_request_claim(token=token, key=key, fingerprint=sent)
                if claim.stored is not None:
                    if claim.stored.fingerprint != sent:
                        return _refusal(
                            api,
                            request,
                            _(
                                "This Idempotency-Key was used for another request in the last "
                                "24 hours; send a new key with a new request."
                            ),
                            "idempotency_key_reused",
                        )
                    replay = HttpResponse(
                        claim.stored.body,
                        status=claim.stored.status_code,
                        content_type="application/json; charset=utf-8",
                    )
                    for name, value in claim.stored.headers.items():
                        replay[name] = value
                    replay[REPLAYED_HEADER] = "true"
                    return replay
                response = run(request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    idempotent_request_answer(
                        row=claim.row,
                        status_code=response.status_code,
                        body=response.content.decode(),
                        headers={
                            name: response[name]
                            for name in KEPT_HEADERS
                            if response.has_header(name)
                        },
                    )
                else:
                    # Only a success is kept: a refused request can be corrected and sent again
                    # with the same key.
                    transaction.set_rollback(True)
                return response

        return wrapper

    return decorator
