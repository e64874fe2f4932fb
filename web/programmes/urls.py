from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from web.programmes import sme, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/<int:pk>/", views.programme_overview, name="programme_overview"),
    path("programmes/<int:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/invitations/", views.programme_invitations_page, name="programme_invitations"),
    path(
        "programmes/<int:pk>/invitations/<int:invitation_id>/revoke/",
        views.programme_invitation_revoke_view,
        name="programme_invitation_revoke",
    ),
    path("programmes/<int:pk>/smes/", views.programme_smes, name="programme_smes"),
    path("programmes/<int:pk>/smes/<int:org_id>/", views.programme_sme, name="programme_sme"),
    path("programme-invitations/<str:token>/", sme.programme_invitation_page, name="programme_invitation"),
    path("organizations/<int:org_id>/programmes/", sme.organization_programmes, name="organization_programmes"),
    path(
        "organizations/<int:org_id>/programmes/<int:enrolment_id>/access/",
        sme.enrolment_access_log,
        name="enrolment_access_log",
    ),
    path(
        "organizations/<int:org_id>/programmes/<int:enrolment_id>/withdraw/",
        sme.enrolment_withdraw_view,
        name="enrolment_withdraw",
    ),
]
