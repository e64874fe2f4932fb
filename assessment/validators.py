from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import (
    ValidationError as StdnumError,
)


def validate_uscc(value: str) -> None:
    """Check a unified social credit code (统一社会信用代码) per GB 32100-2015."""
    try:
        uscc.validate(value)
    except InvalidLength:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="uscc_length") from None
    except (InvalidFormat, InvalidComponent):
        raise ValidationError(
            _("A unified social credit code uses digits and the letters A–Y except I, O, S, V and Z."),
            code="uscc_format",
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            _("This unified social credit code fails its check digit."), code="uscc_checksum"
        ) from None
    except StdnumError:
        raise ValidationError(_("This is not a valid unified social credit code."), code="uscc_invalid") from None


# Unicode's bidirectional controls: embeddings and overrides (U+202A–202E), isolates (U+2066–2069) and the
# marks (U+200E/200F, U+061C). In a name they reverse or reorder the text after it on a page, in a PDF, in
# an email ("Trojan Source"); a name never needs them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def validate_display_text(value: str) -> None:
    """Refuse bidi controls and control characters (Cc: NUL, tab, newline, escape…) in a short text others see."""
    for character in value:
        if character in BIDI_CONTROLS or unicodedata.category(character) == "Cc":
            raise ValidationError(
                _("Remove the invisible control character %(character)s: it can reverse or hide the text around it."),
                code="control_character",
                params={"character": f"U+{ord(character):04X}"},
            )
