from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey, ManyToManyField, Model, Q, QuerySet
from django.forms import ModelChoiceField, ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext

from assessment.models import (
    Answer,
    Assessment,
    AuditEvent,
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
    User,
)
from assessment.services import ServiceError
from assessment.services.frameworks import framework_version_retire


class ReadOnlyMixin:
    """Framework content is written by `import_framework` only and never edited."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def tenant_choices(model: type[Model] | str, user: Any) -> QuerySet[Any] | None:
    """The rows of `model` staff who are not superusers may pick: those of their organisations; None when global."""
    if model is Organization:
        return Organization.objects.visible_to(user)
    if model is Assessment:
        return Assessment.objects.visible_to(user)
    if model is User:
        return User.objects.visible_to(user)
    return None  # framework content, permissions and groups are the same for every organisation


class TenantRawIdWidget(ForeignKeyRawIdWidget):
    """The raw-id input, naming only rows its field may choose: the stock one names any row whose id is typed."""

    def __init__(self, *args: Any, allowed: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = allowed  # not `choices`: the form field sets that to its own iterator

    def label_and_url_for_value(self, value: Any) -> tuple[str, str]:
        try:
            may_see = self.allowed.filter(**{self.rel.get_related_field().name: value}).exists()
        except (ValueError, ValidationError):
            may_see = False
        return super().label_and_url_for_value(value) if may_see else ("", "")


class TenantChoicesMixin:
    """For staff who are not superusers, every foreign-key and many-to-many choice is one of their organisations'.

    A form that names another organisation's row is refused field by field ("Select a valid choice").
    """

    def _choices(
        self, db_field: ForeignKey[Any, Any] | ManyToManyField[Any, Any], request: HttpRequest
    ) -> QuerySet[Any] | None:
        return None if request.user.is_superuser else tenant_choices(db_field.related_model, request.user)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        choices = self._choices(db_field, request)
        if choices is not None:
            kwargs["queryset"] = choices
            if db_field.name in getattr(self, "raw_id_fields", ()) and "widget" not in kwargs:
                kwargs["widget"] = TenantRawIdWidget(
                    db_field.remote_field,
                    self.admin_site,  # type: ignore[attr-defined]
                    allowed=choices,
                    using=kwargs.get("using"),
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField[Any] | None:
        if (choices := self._choices(db_field, request)) is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        # Also what the user pickers' autocomplete searches (memberships, consultant assignments).
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(pk__in=User.objects.visible_to(request.user))


class MembershipInline(TenantChoicesMixin, admin.TabularInline[Membership, Organization]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ConsultantAssignmentInline(TenantChoicesMixin, admin.TabularInline[ConsultantAssignment, Organization]):
    model = ConsultantAssignment
    fk_name = "organization"
    extra = 0
    autocomplete_fields = ["consultant"]


class TenancyMixin(TenantChoicesMixin):
    """Staff who are not superusers (e.g. consultants with admin access) see and pick only their organisations' rows."""

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
class InvitationAdmin(TenantChoicesMixin, admin.ModelAdmin[Invitation]):
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


class AnswerInline(TenantChoicesMixin, admin.TabularInline[Answer, Assessment]):
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


class AssessmentAdminForm(forms.ModelForm[Assessment]):
    """The admin's assessment form: a previous assessment follows `assessment_create`'s rule."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        previous, organization, version = (
            cleaned.get(name) for name in ("previous", "organization", "framework_version")
        )
        if previous is None or organization is None or version is None:
            return cleaned
        # The results page compares against the previous assessment's scores: another organisation's would be shown.
        if previous.pk == self.instance.pk or not Assessment.may_follow(
            previous, organization_id=organization.pk, framework_id=version.framework_id
        ):
            self.add_error(
                "previous", gettext("The previous assessment must be of the same organisation and framework.")
            )
        return cleaned


@admin.register(Assessment)
class AssessmentAdmin(TenancyMixin, admin.ModelAdmin[Assessment]):
    form = AssessmentAdminForm
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


def internal_visible_to(user: Any, *, internal: Q, organization: str = "organization") -> Q:
    """Which rows of those marked `internal` (the consultancy's own) `user` sees: all for superusers, else
    only those of organisations the user is assigned to as consultant; every row not marked internal."""
    if user.is_superuser:
        return Q()
    assigned = ConsultantAssignment.objects.filter(consultant=user).values("organization")
    return ~internal | Q(**{f"{organization}__in": assigned})


@admin.register(AuditEvent)
class AuditEventAdmin(TenantChoicesMixin, admin.ModelAdmin[AuditEvent]):
    """The audit trail, to read: nobody adds, changes or deletes history (the database refuses it too)."""

    list_display = ["created_at", "organization", "assessment", "kind", "question_key", "actor", "internal"]
    list_filter = ["kind", "internal"]
    search_fields = ["organization__name", "question_key", "reason"]
    list_select_related = ["organization", "assessment__framework_version__framework", "actor"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        visible = events.filter(organization__in=Organization.objects.visible_to(request.user))
        return visible.filter(internal_visible_to(request.user, internal=Q(internal=True)))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
