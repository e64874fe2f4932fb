from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from web.review.views import consultancy, profile, queue, screen

urlpatterns: list[URLPattern | URLResolver] = [
    path("review/", queue.queue, name="review_queue"),
    path("review/profile/", profile.profile, name="review_profile"),
    path("review/profile/conflicts/", profile.conflict_add, name="review_conflict_add"),
    path("review/assessments/<int:pk>/", screen.screen, name="review_screen"),
    path("review/assessments/<int:pk>/start/", screen.start, name="review_start"),
    path("review/assessments/<int:pk>/items/<str:question_key>/", screen.verdict, name="review_verdict"),
    path("review/assessments/<int:pk>/comments/", screen.comment, name="review_comment"),
    path("review/assessments/<int:pk>/return/", screen.return_to_enterprise, name="review_return"),
    path("review/assessments/<int:pk>/finalize/", screen.finalize, name="review_finalize"),
    path("consultancies/<int:org_id>/requests/", consultancy.requests, name="consultancy_requests"),
    path("consultancies/<int:org_id>/requests/<int:request_id>/assign/", consultancy.assign, name="consultancy_assign"),
    path(
        "consultancies/<int:org_id>/requests/<int:request_id>/decline/",
        consultancy.decline,
        name="consultancy_decline",
    ),
    path(
        "consultancies/<int:org_id>/assignments/<int:assignment_id>/unassign/",
        consultancy.unassign,
        name="consultancy_unassign",
    ),
]
