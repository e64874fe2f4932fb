"""Page data of an assessment's comment threads: one general thread, then one per question, in framework order.

Internal comments are the consultancy's own: only the assigned consultants' pages ask for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assessment.models import Assessment, ConsultantAssignment
from review.models import ReviewComment
from review.selectors import review_comments
from web.assessments.pages import Questionnaire
from web.assessments.verification import people_names
from web.templatetags.question_keys import key_and_text


@dataclass(frozen=True)
class CommentView:
    author: str
    by_consultant: bool
    body: str
    internal: bool
    created_at: datetime


@dataclass(frozen=True)
class Thread:
    key: str  # "" for the general thread
    text: str  # the question ("" for the general thread)
    step: int | None  # the question's wizard step
    comments: tuple[CommentView, ...]


def comment_threads(assessment: Assessment, layout: Questionnaire, *, internal: bool) -> list[Thread]:
    """The general thread (always, to start one) and every question's thread that has a comment."""
    comments = list(review_comments(assessment, with_internal=internal))
    names = people_names(c.author for c in comments)
    consultants = set(
        ConsultantAssignment.objects.filter(organization=assessment.organization_id).values_list(
            "consultant_id", flat=True
        )
    )
    by_key: dict[str, list[CommentView]] = {"": []}
    for comment in comments:
        by_key.setdefault(comment.question.key if comment.question else "", []).append(
            CommentView(
                author=names[comment.author_id],
                by_consultant=comment.author_id in consultants,
                body=comment.body,
                internal=comment.visibility == ReviewComment.Visibility.INTERNAL,
                created_at=comment.created_at,
            )
        )
    order = {key: n for n, key in enumerate(layout.places)}
    threads = [Thread("", "", None, tuple(by_key.pop("")))]
    for key in sorted(by_key, key=lambda k: order.get(k, len(order))):
        threads.append(Thread(key, layout.places[key].node["text"], layout.step_of.get(key), tuple(by_key[key])))
    return threads


def commentable_questions(layout: Questionnaire) -> list[tuple[str, str]]:
    """The questions a new thread may be about: (key, "key text"), in framework order."""
    return [(key, key_and_text(key, place.node["text"])) for key, place in layout.places.items()]
