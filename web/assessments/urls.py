from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from web.assessments import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("orgs/<int:org_id>/", views.org_home, name="org_home"),
    path("orgs/<int:org_id>/assessments/start/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:pk>/", views.assessment_resume, name="assessment"),
    path("assessments/<int:pk>/steps/<int:step>/", views.wizard, name="wizard"),
    path("assessments/<int:pk>/answers/<str:question_key>/", views.answer_save, name="answer_save"),
    path("assessments/<int:pk>/review/", views.review, name="review"),
    path("assessments/<int:pk>/results/", views.results, name="results"),
    path("assessments/<int:pk>/what-if/", views.what_if, name="what_if"),
    path("assessments/<int:pk>/reports/", views.report_request, name="report_request"),
    path("reports/<int:pk>/status/", views.report_status, name="report_status"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
]
