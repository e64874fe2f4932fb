"""Evidence fields as the pages label and show them.

Two fields of one question may carry the same label in a language: MIIT's R3 asks for 营业收入为（万元） twice, once
for last year and once for the year before, the year being in the label of the headcount field before each. The
framework file cannot change (its content hash), so the pages add the year that the field's key names, or else
number the fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessment.framework_format import Document

# What the end of an evidence key says about the field, to tell apart fields that share a label.
KEY_HINTS: Mapping[str, Promise] = {
    "_last_year": _("last year"),
    "_year_before": _("the year before last"),
}


def _hint(key: str) -> str | None:
    return next((str(hint) for ending, hint in KEY_HINTS.items() if key.endswith(ending)), None)


def evidence_labels(node: Document) -> dict[str, str]:
    """Evidence key → its label, made unique within the question."""
    specs = node.get("evidence", [])
    counts = Counter(spec["label"] for spec in specs)
    labels: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for spec in specs:
        label = spec["label"]
        if counts[label] > 1:
            seen[label] += 1
            hint = _hint(spec["key"]) or str(seen[label])
            label = gettext("%(label)s (%(hint)s)") % {"label": label, "hint": hint}
        labels[spec["key"]] = label
    return labels


def evidence_value(value: Any) -> str:
    """A saved evidence value as typed text: yes/no in words, numbers without trailing zeros."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (int, float, Decimal)):
        return f"{Decimal(str(value)).normalize():f}"
    return str(value)
