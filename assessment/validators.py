from __future__ import annotations

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
