"""Idempotency-Key on POST: the first response is remembered and replayed; nothing is created twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import ApiError, conflict
from api.models import ApiKey, IdempotencyRecord
from api.renderers import ExactJSONRenderer
from assessment import exact_json

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=2)  # an unfinished first request (its process died) no longer blocks the key

Handler = Callable[..., Response]


def _principal(request: Request) -> str:
    if isinstance(request.auth, ApiKey):
        return f"key:{request.auth.prefix}"
    return f"user:{request.user.pk}"


def _claim(request: Request, key: str, body_hash: str) -> IdempotencyRecord | Response:
    """Insert the in-progress record, or answer from the existing one."""
    principal = _principal(request)
    fields = {"method": request.method, "path": request.path, "body_hash": body_hash}
    now = timezone.now()
    IdempotencyRecord.objects.filter(principal=principal, key=key, created_at__lt=now - KEPT_FOR).delete()
    IdempotencyRecord.objects.filter(
        principal=principal, key=key, status_code=None, created_at__lt=now - ABANDONED_AFTER
    ).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(principal=principal, key=key, **fields)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(principal=principal, key=key)
    if (record.method, record.path, record.body_hash) != (fields["method"], fields["path"], body_hash):
        raise ApiError(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            _("This Idempotency-Key was used for a different request; use a new key."),
        )
    if record.status_code is None:
        raise conflict(_("A request with this Idempotency-Key is still in progress; retry shortly."))
    return Response(record.response, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def _body_hash(request: Request) -> str:
    """The request body's fingerprint: its fields as canonical JSON, and each uploaded file's content."""
    files = request.FILES
    fields = {name: value for name, value in request.data.items() if name not in files} if files else request.data
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True, cls=DjangoJSONEncoder).encode())
    for name in sorted(files):
        for upload in files.getlist(name):
            digest.update(name.encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def idempotent(handler: Handler) -> Handler:
    """Make a POST handler honour Idempotency-Key (after authentication and permission checks)."""

    @wraps(handler)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            raise ValidationError({HEADER: [_("Use 1 to 255 printable characters, e.g. a UUID.")]})
        claimed = _claim(request, key, _body_hash(request))
        if isinstance(claimed, Response):
            return claimed
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception:
            claimed.delete()  # an error created nothing: a retry runs afresh
            raise
        if status.is_success(response.status_code):
            claimed.status_code = response.status_code
            claimed.response = exact_json.loads(ExactJSONRenderer().render(response.data))  # exactly as first sent
            claimed.save(update_fields=["status_code", "response"])
        else:
            claimed.delete()
        return response

    return wrapper
