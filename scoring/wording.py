"""The engine's words in the reader's language: refusals of the answer format, answers as text."""

from __future__ import annotations

from django.utils.translation import gettext, pgettext

from assessment.framework_texts import FrameworkTexts
from scoring.engine import MESSAGES, Answer, AnswerError, Framework, Words, answer_text


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


def answer_as_text(framework: Framework, texts: FrameworkTexts, key: str, answer: Answer | None) -> str:
    """One question's answer as a reader sees it, with the framework's texts in `texts`' language."""
    return answer_text(framework.questions[key], answer, answer_words(), texts.options(key), texts.unit(key))
