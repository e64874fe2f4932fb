"""The text a person reads on a page: the HTML's text, tags and scripts dropped, white space folded."""

from __future__ import annotations

import re
from html import unescape
from typing import Protocol


class Page(Protocol):
    content: bytes


_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def visible_text(response: Page | str) -> str:
    html = response if isinstance(response, str) else response.content.decode()
    return " ".join(unescape(_TAG.sub(" ", _HIDDEN.sub(" ", html))).split())
