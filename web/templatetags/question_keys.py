"""Which question keys a page shows: the one rule for every page of web/.

A key is shown only when it is a short code a person can cite, letters then digits (MIIT's F1, S01, R3). Keys
that are slugs or outline numbers (EU DMA's "M2.1.1-invested", "M2.2.2.1") are never shown: the question's text
names it. Option keys (A, B, "product-service-design") are never shown at all: an option is its text.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

SHORT_CODE = re.compile(r"[A-Z]{1,3}[0-9]{1,3}")


def shown_key(key: str) -> str:
    """The key when a page may show it, else ""."""
    return key if SHORT_CODE.fullmatch(key) else ""


def key_and_text(key: str, text: str) -> str:
    """A question as one line of plain text (a select's option, a label): "F1 text", or the text alone."""
    code = shown_key(key)
    return f"{code} {text}" if code else text


@register.simple_tag
def question_key(key: object) -> SafeString:
    """<span class="question-key">F1</span> followed by a space, or nothing for a key that is not shown."""
    code = shown_key(str(key or ""))
    return format_html('<span class="question-key">{}</span> ', code) if code else SafeString("")


@register.simple_tag
def question_name(key: object, text: object) -> SafeString:
    """A question named in a short list: its code when it has one, else its text."""
    code = shown_key(str(key or ""))
    if code:
        return format_html('<span class="question-key">{}</span>', code)
    return format_html("{}", text)


@register.simple_tag
def question_in(layout: Any, key: object) -> SafeString:
    """A question of a questionnaire layout (web.assessments.pages.Questionnaire) named by key: code or text."""
    place = layout.places.get(str(key)) if layout is not None else None
    return question_name(key, place.node["text"] if place is not None else "")
