from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api.views import ASSESSMENT_PREFIX, ID
from api.views.assessments import AssessmentViewSet
from api.views.comments import CommentViewSet
from api.views.docs import ApiDocsView
from api.views.documents import DocumentViewSet
from api.views.frameworks import FrameworkViewSet
from api.views.history import HistoryViewSet
from api.views.offerings import OfferingViewSet, ReferralViewSet
from api.views.organizations import OrganizationViewSet
from api.views.programme_analytics import (
    ProgrammeAnalyticsView,
    ProgrammeExportFileView,
    ProgrammeExportJobView,
    ProgrammeExportView,
)
from api.views.programmes import EnrolmentViewSet, ProgrammeInvitationViewSet, ProgrammeViewSet
from api.views.reports import ReportViewSet
from api.views.reviews import AssessmentReviewViewSet, ReviewQueueViewSet
from api.views.webhooks import WebhookEndpointViewSet

router = DefaultRouter()
router.include_root_view = False
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("documents", DocumentViewSet, basename="document")
router.register(f"{ASSESSMENT_PREFIX}/review", AssessmentReviewViewSet, basename="assessment-review")
router.register(f"{ASSESSMENT_PREFIX}/comments", CommentViewSet, basename="assessment-comment")
router.register(f"{ASSESSMENT_PREFIX}/history", HistoryViewSet, basename="assessment-history")
router.register("reviews", ReviewQueueViewSet, basename="review")
router.register("reports", ReportViewSet, basename="report")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("programmes", ProgrammeViewSet, basename="programme")
router.register(
    rf"programmes/(?P<programme_id>{ID})/invitations", ProgrammeInvitationViewSet, basename="programme-invitation"
)
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("offerings", OfferingViewSet, basename="offering")
router.register("referrals", ReferralViewSet, basename="referral")

urlpatterns = [
    re_path(rf"^v1/programmes/(?P<id>{ID})/analytics/$", ProgrammeAnalyticsView.as_view(), name="programme-analytics"),
    re_path(rf"^v1/programmes/(?P<id>{ID})/export/$", ProgrammeExportView.as_view(), name="programme-export"),
    re_path(rf"^v1/programme-exports/(?P<id>{ID})/$", ProgrammeExportJobView.as_view(), name="programme-export-job"),
    re_path(
        rf"^v1/programme-exports/(?P<id>{ID})/file/$", ProgrammeExportFileView.as_view(), name="programme-export-file"
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
]
