"""The engine's words in the reader's language: refusals of the answer format, answers, figures with their unit.

What a reader sees of an answer has no option keys (EU DMA's are slugs such as "security-policies"), no form
instructions ("Please select all options that apply") and each unit once.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from assessment.framework_format import Document
from assessment.framework_texts import FrameworkTexts
from scoring.engine import MESSAGES, Answer, AnswerError, Framework, Words, answer_text
from scoring.engine.numbers import plain

CHOICE_KINDS = ("single_choice", "multiple_choice")

# Instructions for filling in the form, part of some question texts; a report or a read-only answer drops them.
FORM_INSTRUCTIONS = re.compile(
    r"\s*(?:Please select all (?:the )?options that apply\.?|Please select one option\.?|Select all that apply\.?)\s*$"
    r"|\s*(?:请选择所有适用的选项|请选择一项|可多选)[\u3002.]?\s*$",
    re.IGNORECASE,
)
TEN_THOUSAND_CNY = re.compile(r"^10k CNY\b")
TRAILING_UNIT = re.compile(r"\s*[（(]([^（）()]+)[）)]\s*$")


def answer_error_message(error: AnswerError) -> str:
    """What is wrong with an answer, in the active language (the engine words it in English)."""
    return gettext(MESSAGES[error.code]) % error.params


def answer_words() -> Words:
    return Words(
        not_applicable=gettext("Not applicable"),
        none_of_these=gettext("None of these"),
        yes=gettext("Yes"),
        no=gettext("No"),
        level=gettext("Level %(level)s"),
        separator=pgettext("between the options of one answer", "; "),
    )


def without_instructions(text: str) -> str:
    """A question's text without the form's instructions at its end ("Please select all options that apply")."""
    return FORM_INSTRUCTIONS.sub("", text).strip()


def question_text(texts: FrameworkTexts, key: str) -> str:
    """A question as a reader of a result sees it: its text in `texts`' language, without form instructions."""
    return without_instructions(str(texts.places[key].node["text"]))


def _grouped(number: Decimal, language: str) -> str:
    shown = f"{plain(number):f}"
    if language != "en":
        return shown
    whole, _, fraction = shown.partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}"
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def _yuan(amount: Decimal) -> str:
    """An amount in yuan as English readers say it: CNY 350,000; CNY 1.68 million; CNY 2.5 billion."""
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if abs(amount) >= size:
            return f"CNY {plain((amount / size).quantize(Decimal('0.001')))} {word}"
    return f"CNY {_grouped(amount, 'en')}"


def quantity(number: Decimal | int | float | str, unit: str, language: str) -> str:
    """A figure with its unit once, as the language writes it: "52 units", "95%", "CNY 168 million", "52台"."""
    value = Decimal(str(number))
    unit = unit.strip()
    if not unit:
        return _grouped(value, language)
    if language == "en" and TEN_THOUSAND_CNY.match(unit):
        return f"{_yuan(value * 10000)}{TEN_THOUSAND_CNY.sub('', unit)}"
    if unit == "%" or language != "en":  # Chinese writes a unit right after the figure: 16800万元, 52台
        return f"{_grouped(value, language)}{unit}"
    return f"{_grouped(value, language)} {unit}"


def evidence_label(label: str, unit: str) -> str:
    """An evidence field's label without the unit its value carries: "营业收入为（万元）" → "营业收入"."""
    found = TRAILING_UNIT.search(label)
    if found and (not unit or found.group(1).strip() == unit.strip()):
        label = label[: found.start()]
    return label.removesuffix("为").strip()


# What the end of an evidence key says about the field, to tell apart fields that share a label.
KEY_HINTS: Mapping[str, Promise] = {
    "_last_year": _("last year"),
    "_year_before": _("the year before last"),
}


def _hint(key: str) -> str | None:
    return next((str(hint) for ending, hint in KEY_HINTS.items() if key.endswith(ending)), None)


def evidence_labels(node: Document, *, without_units: bool = False) -> dict[str, str]:
    """Evidence key → its label, made unique within the question; `without_units` for a value printed with its unit.

    Two fields of one question may carry the same label in a language: MIIT's R3 asks for 营业收入为（万元） twice, once
    for last year and once for the year before, the year being in the label of the headcount field before each. The
    framework file cannot change (its content hash), so the year that the field's key names is added, or else a number.
    """
    specs = node.get("evidence", [])
    counts = Counter(spec["label"] for spec in specs)
    labels: dict[str, str] = {}
    seen: Counter[str] = Counter()
    for spec in specs:
        label = spec["label"]
        shown = evidence_label(label, str(spec.get("unit") or "")) if without_units else label
        if counts[label] > 1:
            seen[label] += 1
            hint = _hint(spec["key"]) or str(seen[label])
            shown = gettext("%(label)s (%(hint)s)") % {"label": shown, "hint": hint}
        labels[spec["key"]] = shown
    return labels


def answer_as_text(framework: Framework, texts: FrameworkTexts, key: str, answer: Answer | None) -> str:
    """One question's answer as a reader sees it, with the framework's texts in `texts`' language.

    Options by their text alone (never their keys), a number with its unit once, "；" only in Chinese.
    """
    question = framework.questions[key]
    words = answer_words()
    if answer is not None and answer.has_value and not answer.not_applicable:
        if question.kind in CHOICE_KINDS:
            options = texts.options(key)
            chosen = [options.get(choice) or choice for choice in answer.choices]
            return words.separator.join(chosen) if chosen else words.none_of_these
        if question.kind == "banded_number" and answer.number is not None:
            return quantity(answer.number, texts.unit(key), texts.language)
    return answer_text(question, answer, words, texts.options(key), texts.unit(key))
