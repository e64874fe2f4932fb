"""How the API's lists are paged."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()  # a page is a number, as the schema says ("last" would be DRF's extra)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        """The page asked for: 1 when none is; anything but a page number ("", "x") is 404, as DRF answers."""
        return request.query_params.get(self.page_query_param, 1)

    def get_page_size(self, request: Request) -> int:
        """The page size asked for, at most max_page_size; 400 for anything but a whole number of 1 or more."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        digits = raw.lstrip("0") if re.fullmatch(r"[0-9]+", raw) else ""
        if not digits:
            message = _("Use a whole number of 1 or more; a page holds at most %(maximum)d items.")
            raise ValidationError({self.page_size_query_param: [message % {"maximum": self.max_page_size}]})
        return self.max_page_size if len(digits) > 3 else min(int(digits), self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        parameters[-1]["description"] = f"Items per page: {self.page_size} unless given, at most {self.max_page_size}."
        return parameters
