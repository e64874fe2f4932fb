"""Evidence documents: one's metadata, its file (always as an attachment), and removing it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.downloads import stored_file_response
from api.errors import ErrorSerializer
from api.permissions import CONTRIBUTORS, key_organization, require_role
from api.views import ID, caller
from assessment.file_types import CONTENT_TYPES
from assessment.models import EvidenceDocument
from assessment.selectors import documents_visible_to
from assessment.services.documents import document_remove

# Never shown inline, whatever a browser guesses: an attachment, its detected type, nothing it could run.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
}


def download_name(document: EvidenceDocument) -> str:
    """The name the file is saved under: the uploaded name, with the detected type's extension if it lacks it."""
    name = document.name
    same = {document.extension, ".jpeg"} if document.extension == ".jpg" else {document.extension}
    return name if any(name.lower().endswith(extension) for extension in same) else name + document.extension


def document_file_response(document: EvidenceDocument) -> FileResponse:
    """The stored file as an attachment with the content type read from it at upload."""
    response = stored_file_response(
        document.file, size=document.size, content_type=document.content_type, filename=download_name(document)
    )
    for header, value in DOWNLOAD_HEADERS.items():
        response[header] = value
    return response


@extend_schema_view(
    retrieve=extend_schema(summary="An evidence document: name, type read from its content, size, SHA-256"),
    destroy=extend_schema(
        summary="Remove a document while its assessment may change (owners and respondents)",
        responses={204: None, 409: OpenApiResponse(ErrorSerializer, description="The assessment is submitted.")},
    ),
)
class DocumentViewSet(mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[EvidenceDocument]):
    serializer_class = s.DocumentSerializer
    lookup_value_regex = ID

    def get_queryset(self) -> QuerySet[EvidenceDocument]:
        documents = documents_visible_to(self.request.user, only=key_organization(self.request))
        return documents.select_related("assessment", "question", "uploaded_by")

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        document = self.get_object()
        require_role(request, document.assessment.organization_id, CONTRIBUTORS)
        document_remove(document=document, removed_by=caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The document's file, as an attachment with the type read from its content",
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in CONTENT_TYPES},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str) -> FileResponse:
        return document_file_response(self.get_object())
