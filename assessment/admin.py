from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from assessment.models import (
    Answer,
    Assessment,
    ConsultantAssignment,
    Dimension,
    Framework,
    FrameworkVersion,
    Indicator,
    Invitation,
    Membership,
    Option,
    Organization,
    Question,
    ReviewNote,
    User,
)
from assessment.services import ServiceError
from assessment.services.assessments import review_note_add
from assessment.services.frameworks import framework_version_retire


class ReadOnlyMixin:
    """Framework content is written by `import_framework` only and never edited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline[Membership, Organization]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ConsultantAssignmentInline(admin.TabularInline[ConsultantAssignment, Organization]):
    model = ConsultantAssignment
    extra = 0
    autocomplete_fields = ["consultant"]


class TenancyMixin:
    """Staff who are not superusers (e.g. consultants with admin access) see only their organisations' rows."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: Any = super().get_queryset(request)  # type: ignore[misc]
        return queryset if request.user.is_superuser else queryset.visible_to(request.user)


@admin.register(Organization)
class OrganizationAdmin(TenancyMixin, admin.ModelAdmin[Organization]):
    list_display = ["name", "uscc", "sector", "size_band", "province", "created_at"]
    list_filter = ["sector", "size_band", "province"]
    search_fields = ["name", "uscc"]
    inlines = [MembershipInline, ConsultantAssignmentInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    """Invitations are made on the members page (the emailed token is never stored); here they are looked up."""

    list_display = ["email", "organization", "role", "status", "invited_by", "created_at", "expires_at", "accepted_at"]
    list_filter = ["role", "created_at"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization", "invited_by"]
    readonly_fields = ["organization", "email", "role", "invited_by", "created_at", "accepted_by", "accepted_at"]
    fields = [*readonly_fields, "expires_at", "revoked_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Invitation]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(organization__in=Organization.objects.visible_to(request.user))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # an invitation made here would have a link nobody received


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyMixin, admin.ModelAdmin[Framework]):
    list_display = ["slug", "created_at"]


class DimensionInline(ReadOnlyMixin, admin.TabularInline[Dimension, FrameworkVersion]):
    model = Dimension
    fields = readonly_fields = ("key", "text_zh_hans", "text_en", "points", "weight")


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyMixin, admin.ModelAdmin[FrameworkVersion]):
    list_display = ["__str__", "title_zh_hans", "title_en", "status", "published_at", "content_hash"]
    list_filter = ["framework", "status"]
    inlines = [DimensionInline]
    actions = ["retire"]

    @admin.action(description="Retire the selected published versions")
    def retire(self, request: HttpRequest, queryset: QuerySet[FrameworkVersion]) -> None:
        for version in queryset:
            try:
                framework_version_retire(version=version)
            except ServiceError as exc:
                self.message_user(request, str(exc), messages.WARNING)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The changelist needs change permission for the retire action; the form stays read-only.
        return obj is None and bool(request.user.is_superuser)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyMixin, admin.ModelAdmin[Indicator]):
    list_display = ["key", "text_zh_hans", "text_en", "points", "weight", "dimension", "version"]
    list_filter = ["version"]
    search_fields = ["key", "text_zh_hans", "text_en"]


class OptionInline(ReadOnlyMixin, admin.TabularInline[Option, Question]):
    model = Option
    fields = readonly_fields = ("key", "text_zh_hans", "text_en", "points", "weight", "exclusive", "band")


@admin.register(Question)
class QuestionAdmin(ReadOnlyMixin, admin.ModelAdmin[Question]):
    list_display = ["key", "text_zh_hans", "text_en", "kind", "points", "constrained", "version"]
    list_filter = ["version", "kind", "constrained"]
    search_fields = ["key", "text_zh_hans", "text_en"]
    inlines = [OptionInline]


class AnswerInline(admin.TabularInline[Answer, Assessment]):
    model = Answer
    extra = 0
    fields = readonly_fields = (
        "question",
        "not_applicable",
        "option_keys",
        "number",
        "level",
        "text",
        "evidence",
        "answered_by",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(TenancyMixin, admin.ModelAdmin[Assessment]):
    list_display = ["__str__", "status", "created_by", "created_at", "submitted_at"]
    list_filter = ["status", "framework_version"]
    search_fields = ["organization__name"]
    list_select_related = ["organization", "framework_version__framework", "created_by"]
    raw_id_fields = ["organization", "framework_version", "previous", "created_by", "submitted_by"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "pledged_at", "created_at", "updated_at"]
    inlines = [AnswerInline]

    def has_change_permission(self, request: HttpRequest, obj: Assessment | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request: HttpRequest, obj: Assessment | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)


@admin.register(ReviewNote)
class ReviewNoteAdmin(admin.ModelAdmin[ReviewNote]):
    """Consultants' review notes (shown in the PDF report); written through `review_note_add`'s rules."""

    list_display = ["__str__", "assessment", "question", "author", "created_at"]
    list_select_related = ["assessment__organization", "question", "author"]
    raw_id_fields = ["assessment", "question"]
    fields = ["assessment", "question", "text"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewNote]:
        notes = super().get_queryset(request)
        if request.user.is_superuser:
            return notes
        return notes.filter(assessment__in=Assessment.objects.visible_to(request.user))

    def save_model(self, request: HttpRequest, obj: ReviewNote, form: Any, change: bool) -> None:
        if change:
            obj.save(update_fields=["text"])
            return
        try:
            note = review_note_add(
                assessment=obj.assessment,
                author=request.user,  # type: ignore[arg-type]
                text=obj.text,
                question_key=obj.question.key if obj.question else "",
            )
        except ServiceError as exc:
            raise PermissionDenied(str(exc)) from None
        obj.pk, obj.author, obj.created_at = note.pk, note.author, note.created_at
