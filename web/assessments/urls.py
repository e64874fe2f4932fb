from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from web.assessments.views import audit, comments, documents, history, reports, results, review, verification, wizard

urlpatterns: list[URLPattern | URLResolver] = [
    path("", history.home, name="home"),
    path("orgs/<int:org_id>/", history.org_home, name="org_home"),
    path("orgs/<int:org_id>/assessments/start/", history.assessment_start, name="assessment_start"),
    path("orgs/<int:org_id>/verification/", verification.org_verification, name="org_verification"),
    path("assessments/<int:pk>/", wizard.assessment_resume, name="assessment"),
    path("assessments/<int:pk>/steps/<int:step>/", wizard.wizard, name="wizard"),
    path("assessments/<int:pk>/answers/<str:question_key>/", wizard.answer_save, name="answer_save"),
    path("assessments/<int:pk>/review/", review.review, name="review"),
    path("assessments/<int:pk>/documents/", documents.document_upload, name="document_upload"),
    path(
        "assessments/<int:pk>/questions/<str:question_key>/documents/",
        documents.document_upload,
        name="document_upload_question",
    ),
    path("assessments/<int:pk>/documents/<int:document_id>/", documents.document_download, name="document_download"),
    path(
        "assessments/<int:pk>/documents/<int:document_id>/remove/",
        documents.document_remove_view,
        name="document_remove",
    ),
    path("assessments/<int:pk>/results/", results.results, name="results"),
    path("assessments/<int:pk>/what-if/", results.what_if, name="what_if"),
    path("assessments/<int:pk>/comments/", comments.assessment_comments, name="assessment_comments"),
    # The assessment's audit trail (记录); "history" in the views' names is the organisation's list of assessments.
    path("assessments/<int:pk>/history/", audit.assessment_audit, name="assessment_audit"),
    path("assessments/<int:pk>/reports/", reports.report_request, name="report_request"),
    path("reports/<int:pk>/status/", reports.report_status, name="report_status"),
    path("reports/<int:pk>/pdf/", reports.report_pdf, name="report_pdf"),
]
