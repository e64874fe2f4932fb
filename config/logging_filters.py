"""Filters for the LOGGING setting."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithoutTraceback(logging.Filter):
    """Keep django.request's warning for a 403 and drop its traceback: a refusal is the app working as meant,
    and a traceback per refused request buries the errors that need one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
