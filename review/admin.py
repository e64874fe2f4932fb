"""The review's rows in the admin, under the tenancy of assessment/admin.py: staff who are not superusers see and
pick only their organisations' rows. What the review services record (verdicts, comments, sign-offs) is written
only through them, so the audit trail stays whole; here it is read."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from assessment.admin import ReadOnlyMixin, TenantChoicesMixin, internal_visible_to
from assessment.models import Assessment, Organization, User
from assessment.services import ServiceError
from review.models import (
    ConflictDeclaration,
    ConsultantProfile,
    Notification,
    ReviewComment,
    ReviewItem,
    Verification,
    VerificationRequest,
)
from review.services import review_comment_add


class TenantRowsMixin(TenantChoicesMixin):
    """Rows filtered by `tenant_rows(user)` for staff who are not superusers."""

    def tenant_rows(self, user: Any) -> Q:
        raise NotImplementedError

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        return queryset if request.user.is_superuser else queryset.filter(self.tenant_rows(request.user))


def _people(user: Any) -> Q:
    return Q(pk__in=User.objects.visible_to(user).values("pk")) | Q(pk=user.pk)


def _assessments(user: Any) -> Q:
    return Q(assessment__in=Assessment.objects.visible_to(user))


@admin.register(ConsultantProfile)
class ConsultantProfileAdmin(TenantRowsMixin, admin.ModelAdmin[ConsultantProfile]):
    list_display = ["__str__", "user", "qualification", "certificate_number", "updated_at"]
    search_fields = ["family_name", "given_name", "user__email", "certificate_number"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]

    def tenant_rows(self, user: Any) -> Q:
        return Q(user__in=User.objects.filter(_people(user)))


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(TenantRowsMixin, admin.ModelAdmin[ConflictDeclaration]):
    list_display = ["consultant", "organization", "uscc", "company_name", "declared_at"]
    search_fields = ["consultant__email", "uscc", "company_name", "organization__name"]
    list_select_related = ["consultant", "organization"]
    autocomplete_fields = ["consultant"]
    raw_id_fields = ["organization"]

    def tenant_rows(self, user: Any) -> Q:
        return Q(consultant__in=User.objects.filter(_people(user)))


@admin.register(VerificationRequest)
class VerificationRequestAdmin(ReadOnlyMixin, TenantRowsMixin, admin.ModelAdmin[VerificationRequest]):
    """Requests, to read: an SME's owner makes them and a consultancy's lead answers them (review.services)."""

    list_display = ["organization", "consultancy", "status", "requested_by", "requested_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["organization__name", "consultancy__name"]
    list_select_related = ["organization", "consultancy", "requested_by"]
    readonly_fields = [
        "organization",
        "consultancy",
        "message",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]

    def tenant_rows(self, user: Any) -> Q:
        visible = Organization.objects.visible_to(user)
        return Q(organization__in=visible) | Q(consultancy__in=visible)


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyMixin, TenantRowsMixin, admin.ModelAdmin[ReviewItem]):
    """Verdicts, to read: they are given through `review_item_set`, which records each in the audit trail."""

    list_display = ["assessment", "question", "verdict", "reviewer", "updated_at"]
    list_filter = ["verdict"]
    list_select_related = ["assessment__organization", "assessment__framework_version__framework", "question"]
    readonly_fields = ["assessment", "question", "verdict", "answer", "reason", "message", "reviewer", "updated_at"]

    def tenant_rows(self, user: Any) -> Q:
        return _assessments(user)


class ReviewCommentForm(forms.ModelForm[ReviewComment]):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        assessment, question = cleaned.get("assessment"), cleaned.get("question")
        if assessment is not None and question is not None and question.version_id != assessment.framework_version_id:
            self.add_error("question", gettext("No such question in this assessment's framework."))
        return cleaned


@admin.register(ReviewComment)
class ReviewCommentAdmin(TenantRowsMixin, admin.ModelAdmin[ReviewComment]):
    """Comments are added through `review_comment_add`'s rules and never edited (the history keeps them).

    Internal comments are seen only by superusers and the organisation's assigned consultants.
    """

    form = ReviewCommentForm
    list_display = ["__str__", "assessment", "question", "author", "visibility", "created_at"]
    list_filter = ["visibility"]
    list_select_related = ["assessment__organization", "assessment__framework_version__framework", "question", "author"]
    raw_id_fields = ["assessment", "question"]
    fields = ("assessment", "question", "body", "visibility")

    def tenant_rows(self, user: Any) -> Q:
        internal = Q(visibility=ReviewComment.Visibility.INTERNAL)
        return _assessments(user) & internal_visible_to(
            user, internal=internal, organization="assessment__organization"
        )

    def get_readonly_fields(self, request: HttpRequest, obj: ReviewComment | None = None) -> list[str]:
        return ["assessment", "question", "body", "visibility", "author", "created_at"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: ReviewComment | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ReviewComment, form: Any, change: bool) -> None:
        if change:
            return  # read-only once written
        try:
            comment = review_comment_add(
                assessment=obj.assessment,
                author=request.user,  # type: ignore[arg-type]
                body=obj.body,
                question_key=obj.question.key if obj.question else "",
                visibility=obj.visibility,
            )
        except ServiceError as exc:
            raise PermissionDenied(str(exc)) from None
        obj.pk, obj.author, obj.created_at = comment.pk, comment.author, comment.created_at


@admin.register(Verification)
class VerificationAdmin(ReadOnlyMixin, TenantRowsMixin, admin.ModelAdmin[Verification]):
    """Sign-offs, to read: made by `review_finalize`, never changed."""

    list_display = ["assessment", "consultant_name", "level", "total", "signed_at"]
    list_select_related = ["assessment__organization", "assessment__framework_version__framework"]
    exclude = ["card", "path"]
    readonly_fields = [
        "assessment",
        "consultant",
        "consultancy",
        "consultant_name",
        "qualification",
        "certificate_number",
        "statement",
        "total",
        "level",
        "signed_at",
    ]

    def tenant_rows(self, user: Any) -> Q:
        return _assessments(user)


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin[Notification]):
    """The e-mail outbox, for superusers only: it holds every organisation's mail."""

    list_display = ["created_at", "recipient", "subject", "sent_at", "attempts", "last_error"]
    list_filter = ["sent_at"]
    search_fields = ["recipient__email", "subject"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "assessment", "subject", "body", "created_at", "sent_at", "attempts", "last_error"]

    def has_view_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return bool(request.user.is_superuser)
