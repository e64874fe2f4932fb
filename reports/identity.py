"""A report's identity as printed on it: its number, its verification code and the public page that checks it.

The code is what makes the page unguessable: 20 symbols of Crockford's base32 (100 random bits from `secrets`),
shown in groups of four so that it can be typed from paper. Reading it back forgives what people type: any
letter case, hyphens and spaces, and the letters Crockford reads as digits (O → 0, I and L → 1).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_LENGTH = 20  # 20 × 5 = 100 bits
GROUP = 4
NUMBER_PREFIX = "DMR"  # digital maturity report
NUMBER_DIGITS = 6
_READ_AS = str.maketrans("OIL", "011")
_SEPARATORS = re.compile(r"[\s\-_.]+")
_CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")


def verification_code_new() -> str:
    """A fresh code in its stored form: 20 symbols, no separators."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def verification_code_normalised(typed: str) -> str | None:
    """The stored form of a code as someone typed it; None when it cannot be one."""
    code = _SEPARATORS.sub("", typed).upper().translate(_READ_AS)
    return code if _CODE.fullmatch(code) else None


def verification_code_display(code: str) -> str:
    """The code as printed: groups of four joined by hyphens."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def report_number(year: int, sequence: int) -> str:
    """DMR-2026-000042: the year of issue and the report's place among that year's."""
    return f"{NUMBER_PREFIX}-{year}-{sequence:0{NUMBER_DIGITS}d}"


def verify_url(code: str) -> str:
    """The public page of a code, on the site's address (SITE_URL)."""
    path = reverse("web:verify", kwargs={"code": verification_code_display(code)})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@dataclass(frozen=True)
class ReportIdentity:
    """What the report template prints about the report itself (`report` in its context), outside its content."""

    number: str
    issued_at: datetime
    code: str  # the display form: ABCD-EFGH-JKMN-PQRS-TVWX
    verify_url: str
