from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter()
router.include_root_view = False
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("reports", views.ReportViewSet, basename="report")
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
