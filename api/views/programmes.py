"""Programmes (operators' admins write, their other members read), their invitations (one, or a bulk CSV/JSON list),
and enrolments (the SME's side: accept with consent, decline, withdraw)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import ApiError, ErrorSerializer, conflict
from api.idempotency import idempotent
from api.pagination import Pages
from api.parsers import JSONParser
from api.permissions import key_organization
from api.views import ID, body_organization, caller
from assessment.models import FrameworkVersion, Membership, Organization
from assessment.selectors import framework_version_get
from assessment.validators import validate_display_text
from programmes.invitations_csv import (
    InvitationRow,
    InvitationRowsError,
    RowError,
    invitation_row_clean,
    invitation_rows_read,
)
from programmes.models import Consent, Enrolment, Programme, ProgrammeGroup, ProgrammeInvitation
from programmes.selectors import (
    enrolments_visible_to,
    may_administer,
    may_see_named,
    programme_invitation_by_token,
    programme_role,
    programmes_visible_to,
)
from programmes.services import (
    GroupSpec,
    enrolment_withdraw,
    programme_create,
    programme_delete,
    programme_invitation_accept,
    programme_invitation_decline,
    programme_invitation_revoke,
    programme_invitations_create,
    programme_invitations_mail,
    programme_update,
)

Serializer = serializers.Serializer[Any]


# --- shapes ---------------------------------------------------------------------------------------


class GroupSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120, validators=[validate_display_text])
    kind = serializers.ChoiceField(choices=ProgrammeGroup.Kind.choices, default=ProgrammeGroup.Kind.OTHER)


class VersionReferences(serializers.ListField):
    """Framework versions as "slug@label": read from the programme's relation, written as references."""

    def to_representation(self, data: Any) -> list[str]:
        return [v.reference for v in data.all()] if hasattr(data, "all") else list(data)


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    operator = serializers.IntegerField(
        source="operator_id", min_value=1, max_value=2**62, help_text="The operator organisation (create only)."
    )
    framework_versions = VersionReferences(
        child=serializers.CharField(max_length=120),
        min_length=1,
        max_length=20,
        help_text='Framework versions as "slug@label" (or a slug: its newest published version).',
    )
    groups = GroupSerializer(many=True, required=False, help_text="Sub-groups; on update, replaces them all.")
    target_share = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, help_text="Percent of enrolled SMEs."
    )
    consultancy = serializers.IntegerField(
        source="consultancy_id",
        allow_null=True,
        required=False,
        min_value=1,
        max_value=2**62,
        help_text="The verifying consultancy's organisation id, or null.",
    )
    role = serializers.SerializerMethodField(help_text="Your role in the operator.")

    class Meta:
        model = Programme
        fields = [
            "id",
            "operator",
            "name",
            "description",
            "framework_versions",
            "starts_on",
            "ends_on",
            "baseline_date",
            "target_level",
            "target_share",
            "target_date",
            "consultancy",
            "groups",
            "role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"target_level": {"min_value": 0, "max_value": 9}, "description": {"max_length": 2000}}

    def to_representation(self, instance: Programme) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["groups"] = [{"id": g.pk, "name": g.name, "kind": g.kind} for g in instance.groups.all()]
        return data

    def validate_groups(self, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # A PATCH makes the nested groups partial too: their names would no longer be required.
        if any(not group.get("name") for group in groups):
            raise serializers.ValidationError(_("Give each group a name."))
        return groups

    def get_role(self, programme: Programme) -> str | None:
        request = self.context.get("request")
        return programme_role(caller(request), programme) if request else None


class InvitationWriteSerializer(Serializer):
    company_name = serializers.CharField(max_length=200, validators=[validate_display_text])
    email = serializers.EmailField(max_length=254)
    uscc = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    contact_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", validators=[validate_display_text]
    )
    group = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        default="",
        help_text="A group name.",
        validators=[validate_display_text],
    )


@extend_schema_field(OpenApiTypes.EMAIL)
class RowEmailField(serializers.CharField):
    """An e-mail address the schema states as one, checked with the row's other fields (a row error, not a 400)."""


class InvitationRowSerializer(InvitationWriteSerializer):
    # A list's bad address is one of its row errors (400 invalid_rows, "row <n>.email"), as in a CSV file.
    email = RowEmailField(max_length=254)  # type: ignore[assignment]


class InvitationBulkSerializer(Serializer):
    invitations = InvitationRowSerializer(  # type: ignore[call-arg]  # many=True passes min_length to the list
        many=True, min_length=1, help_text="Or upload a CSV file as multipart field `file`."
    )


class InvitationBulkFileSerializer(Serializer):
    file = serializers.FileField(help_text="CSV: company_name, uscc, email, contact_name, group; UTF-8 or GBK.")


class InvitationSerializer(serializers.ModelSerializer[ProgrammeInvitation]):
    status = serializers.CharField(read_only=True, help_text="pending, accepted, declined, revoked or expired.")
    group = serializers.CharField(source="group.name", allow_null=True, read_only=True, default=None)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ProgrammeInvitation
        fields = [
            "id",
            "company_name",
            "uscc",
            "email",
            "contact_name",
            "group",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "decided_at",
        ]
        read_only_fields = fields


class RowErrorSerializer(Serializer):
    line = serializers.IntegerField(help_text="Row number in the file (the header is 1); 0: the file as a whole.")
    field = serializers.CharField()
    message = serializers.CharField()


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    programme = serializers.IntegerField(source="programme_id", read_only=True)
    programme_name = serializers.CharField(source="programme.name", read_only=True)
    operator = serializers.CharField(source="programme.operator.name", read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "programme",
            "programme_name",
            "operator",
            "organization",
            "consent",
            "consented_at",
            "active",
            "withdrawn_at",
        ]
        read_only_fields = fields


class AcceptSerializer(Serializer):
    token = serializers.CharField(max_length=100, help_text="The token of the e-mailed link.")
    organization = serializers.IntegerField(min_value=1, max_value=2**62, help_text="Your enterprise to enrol.")
    consent = serializers.ChoiceField(choices=Consent.choices, help_text="results, or answers (results and answers).")


class DeclineSerializer(Serializer):
    token = serializers.CharField(max_length=100)


class DeclinedSerializer(Serializer):
    status = serializers.CharField()


# --- programmes -----------------------------------------------------------------------------------


def _versions(references: list[str]) -> list[FrameworkVersion]:
    versions = []
    for reference in references:
        try:
            versions.append(framework_version_get(reference))
        except FrameworkVersion.DoesNotExist:
            raise ValidationError(
                {"framework_versions": [_("No such framework: %(ref)s") % {"ref": reference}]}
            ) from None
    return versions


def _consultancy(pk: int | None) -> Organization | None:
    if pk is None:
        return None
    consultancy = Organization.objects.filter(pk=pk, kind=Organization.Kind.CONSULTANCY).first()
    if consultancy is None:
        raise ValidationError({"consultancy": [_("No such consultancy.")]})
    return consultancy


def _groups(data: list[dict[str, Any]] | None) -> list[GroupSpec] | None:
    return (
        None
        if data is None
        else [GroupSpec(name=g["name"], kind=g.get("kind", ProgrammeGroup.Kind.OTHER)) for g in data]
    )


@extend_schema_view(
    list=extend_schema(summary="Programmes of the operators you are a member of"),
    create=extend_schema(summary="Create a programme (operator owner or programme administrator)"),
    retrieve=extend_schema(summary="A programme"),
    update=extend_schema(summary="Replace a programme (admins)"),
    partial_update=extend_schema(summary="Change a programme (admins)"),
    destroy=extend_schema(
        summary="Delete a programme no SME has enrolled in (admins)",
        responses={204: None, 409: OpenApiResponse(ErrorSerializer, description="SMEs have enrolled in it.")},
    ),
)
class ProgrammeViewSet(viewsets.ModelViewSet[Programme]):
    serializer_class = ProgrammeSerializer
    lookup_value_regex = ID
    pagination_class = Pages
    http_method_names = ["get", "post", "put", "patch", "delete"]

    def get_queryset(self) -> QuerySet[Programme]:
        visible = programmes_visible_to(caller(self.request))
        only = key_organization(self.request)
        if only is not None:
            visible = visible.filter(operator_id=only)
        return visible.select_related("operator").prefetch_related("framework_versions__framework", "groups")

    def _require_admin(self, programme: Programme) -> None:
        if not may_administer(programme_role(caller(self.request), programme)):
            raise PermissionDenied(_("Only the operator's owners and programme administrators can do this."))

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProgrammeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        operator = body_organization(request, data.pop("operator_id"))
        role = Membership.objects.filter(user=caller(request), organization=operator).values_list("role", flat=True)
        if not may_administer(role.first()):
            raise PermissionDenied(_("Only the operator's owners and programme administrators can do this."))
        programme = programme_create(
            operator=operator,
            created_by=caller(request),
            framework_versions=_versions(data.pop("framework_versions")),
            consultancy=_consultancy(data.pop("consultancy_id", None)),
            groups=_groups(data.pop("groups", None)) or [],
            **data,
        )
        return Response(
            ProgrammeSerializer(programme, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        self._require_admin(programme)
        partial = kwargs.get("partial", False)
        serializer = ProgrammeSerializer(programme, data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "operator_id" in data and data.pop("operator_id") != programme.operator_id:
            raise ValidationError({"operator": [_("A programme keeps its operator.")]})
        versions = _versions(data.pop("framework_versions")) if "framework_versions" in data else None
        if "consultancy_id" in data:
            data["consultancy"] = _consultancy(data.pop("consultancy_id"))
        groups = _groups(data.pop("groups", None))
        programme = programme_update(
            programme=programme, changed_by=caller(request), framework_versions=versions, groups=groups, **data
        )
        fresh = self.get_queryset().get(pk=programme.pk)
        return Response(ProgrammeSerializer(fresh, context={"request": request}).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self.get_object()
        self._require_admin(programme)
        if programme.enrolments.exists():
            raise conflict(_("SMEs have enrolled in this programme: it cannot be deleted."))
        programme_delete(programme=programme, deleted_by=caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- invitations ----------------------------------------------------------------------------------


def _rows_refused(exc: InvitationRowsError) -> ApiError:
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        details.setdefault(f"row {error.line}.{error.field}" if error.line else error.field, []).append(error.message)
    return ApiError(
        status.HTTP_400_BAD_REQUEST,
        "invalid_rows",
        ngettext(
            "%(count)d problem found; nothing was invited.",
            "%(count)d problems found; nothing was invited.",
            len(exc.errors),
        )
        % {"count": len(exc.errors)},
        details,
    )


PROGRAMME_ID = OpenApiParameter(
    "programme_id", str, OpenApiParameter.PATH, pattern=f"^{ID}$", description="The programme's id.", required=True
)


@extend_schema_view(
    list=extend_schema(
        summary="A programme's invitations with their status (analysts and admins)", parameters=[PROGRAMME_ID]
    ),
    create=extend_schema(
        summary="Invite one company (admins); the link is e-mailed",
        parameters=[PROGRAMME_ID],
        request=InvitationWriteSerializer,
        responses={201: InvitationSerializer},
    ),
    revoke=extend_schema(summary="Revoke an open invitation (admins)", parameters=[PROGRAMME_ID], request=None),
    bulk=extend_schema(
        summary="Invite many companies at once, all or none (admins): a JSON list or a CSV file",
        parameters=[PROGRAMME_ID],
        request={"application/json": InvitationBulkSerializer, "multipart/form-data": InvitationBulkFileSerializer},
        responses={201: InvitationSerializer(many=True)},
    ),
)
class ProgrammeInvitationViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet[ProgrammeInvitation]
):
    serializer_class = InvitationSerializer
    pagination_class = Pages
    lookup_value_regex = ID

    def _programme(self) -> tuple[Programme, str | None]:
        visible = programmes_visible_to(caller(self.request))
        only = key_organization(self.request)
        if only is not None:
            visible = visible.filter(operator_id=only)
        programme = get_object_or_404(visible.select_related("operator"), pk=self.kwargs["programme_id"])
        role = programme_role(caller(self.request), programme)
        if not may_see_named(role):
            raise PermissionDenied(_("Your role shows the programme's analytics, not the named enterprises."))
        return programme, role

    def _admin(self) -> Programme:
        programme, role = self._programme()
        if not may_administer(role):
            raise PermissionDenied(_("Only the operator's owners and programme administrators can do this."))
        return programme

    def get_queryset(self) -> QuerySet[ProgrammeInvitation]:
        programme, _role = self._programme()
        return ProgrammeInvitation.objects.filter(programme=programme).select_related("group", "invited_by")

    def _issue(self, programme: Programme, rows: list[Any]) -> Response:
        try:
            issued = programme_invitations_create(programme=programme, rows=rows, invited_by=caller(self.request))
        except InvitationRowsError as exc:
            raise _rows_refused(exc) from None
        failed = programme_invitations_mail(issued=issued)
        response = Response(InvitationSerializer([i.invitation for i in issued], many=True).data, status=201)
        response["X-Mail-Failures"] = str(failed)
        return response

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self._admin()
        serializer = InvitationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row = invitation_row_clean(line=0, **serializer.validated_data)
        except InvitationRowsError as exc:
            raise ValidationError({e.field: [e.message] for e in exc.errors}) from None
        response = self._issue(programme, [row])
        response.data = response.data[0]
        return response

    @idempotent
    @action(detail=False, methods=["post"], parser_classes=[JSONParser, MultiPartParser], pagination_class=None)
    def bulk(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        programme = self._admin()
        limit = settings.PROGRAMME_INVITATIONS_MAX_ROWS
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            if upload.size > 2 * 1024 * 1024:
                raise ValidationError({"file": [_("The file is larger than 2 MB.")]})
            try:
                rows = invitation_rows_read(upload.read(), max_rows=limit)
            except InvitationRowsError as exc:
                raise _rows_refused(exc) from None
            return self._issue(programme, rows)
        serializer = InvitationBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        items = serializer.validated_data["invitations"]
        if not items:
            raise ValidationError({"invitations": [_("Give at least one company.")]})
        if len(items) > limit:
            raise ValidationError({"invitations": [_("At most %(limit)d companies at once.") % {"limit": limit}]})
        errors: list[RowError] = []
        cleaned: list[InvitationRow] = []
        for line, item in enumerate(items, start=1):
            try:
                cleaned.append(invitation_row_clean(line=line, **item))
            except InvitationRowsError as exc:
                errors.extend(exc.errors)
        if errors:
            raise _rows_refused(InvitationRowsError(errors))
        return self._issue(programme, cleaned)

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        request.data  # noqa: B018  (no body is needed, but one that is not JSON is refused like everywhere)
        programme = self._admin()
        invitation = get_object_or_404(ProgrammeInvitation, programme=programme, pk=kwargs["pk"])
        invitation = programme_invitation_revoke(invitation=invitation, revoked_by=caller(request))
        return Response(InvitationSerializer(invitation).data)


# --- enrolments (the SME's side) ------------------------------------------------------------------

NO_SUCH_INVITATION = OpenApiResponse(ErrorSerializer, description="No invitation has this token.")


@extend_schema_view(
    list=extend_schema(summary="The programme enrolments of your enterprises"),
    retrieve=extend_schema(summary="An enrolment of one of your enterprises"),
    accept=extend_schema(
        summary="Accept an invitation: enrol your enterprise with explicit consent (owner)",
        request=AcceptSerializer,
        responses={201: EnrolmentSerializer, 404: NO_SUCH_INVITATION},
    ),
    decline=extend_schema(
        summary="Decline an invitation",
        request=DeclineSerializer,
        responses={200: DeclinedSerializer, 404: NO_SUCH_INVITATION},
    ),
    withdraw=extend_schema(summary="Withdraw consent: the programme sees nothing more (owner)", request=None),
)
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Enrolment]):
    serializer_class = EnrolmentSerializer
    pagination_class = Pages
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[Enrolment]:
        visible = enrolments_visible_to(caller(self.request))
        only = key_organization(self.request)
        if only is not None:
            visible = visible.filter(organization_id=only)
        return visible.select_related("programme__operator").order_by("-consented_at", "-id")

    def _invitation(self, token: str) -> ProgrammeInvitation:
        invitation = programme_invitation_by_token(token)
        if invitation is None:
            raise NotFound(_("No such invitation."))
        return invitation

    @action(detail=False, methods=["post"])
    def accept(self, request: Request) -> Response:
        serializer = AcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation = self._invitation(data["token"])
        if not invitation.is_pending:
            raise conflict(
                _("This invitation is %(status)s.") % {"status": invitation.get_decision_display() or _("expired")}
            )
        organization = body_organization(request, data["organization"])
        enrolment = programme_invitation_accept(
            invitation=invitation, organization=organization, user=caller(request), consent=data["consent"]
        )
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def decline(self, request: Request) -> Response:
        serializer = DeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = self._invitation(serializer.validated_data["token"])
        if not invitation.is_pending:
            raise conflict(_("This invitation is no longer open."))
        invitation = programme_invitation_decline(invitation=invitation, user=caller(request))
        return Response({"status": invitation.status})

    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        request.data  # noqa: B018  (no body is needed, but one that is not JSON is refused like everywhere)
        enrolment = self.get_object()
        if not enrolment.is_active:
            raise conflict(_("Consent to this programme was already withdrawn."))
        enrolment = enrolment_withdraw(enrolment=enrolment, withdrawn_by=caller(request))
        return Response(EnrolmentSerializer(enrolment).data)
