from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, path

from web.accounts import views

TEMPLATES = "web/accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name=f"{TEMPLATES}/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("size-band/suggest/", views.size_band_suggestion, name="size_band_suggest"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name=f"{TEMPLATES}/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name=f"{TEMPLATES}/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("orgs/<int:org_id>/profile/", views.org_profile, name="org_profile"),
    path("orgs/<int:org_id>/members/", views.org_members, name="org_members"),
    path("orgs/<int:org_id>/members/<int:membership_id>/role/", views.org_member_role, name="org_member_role"),
    path("orgs/<int:org_id>/members/<int:membership_id>/remove/", views.org_member_remove, name="org_member_remove"),
    path(
        "orgs/<int:org_id>/invitations/<int:invitation_id>/revoke/",
        views.org_invitation_revoke,
        name="org_invitation_revoke",
    ),
    path("orgs/<int:org_id>/api-keys/", views.org_api_keys, name="org_api_keys"),
    path("orgs/<int:org_id>/api-keys/<str:prefix>/revoke/", views.org_api_key_revoke, name="org_api_key_revoke"),
    path("invitations/<str:token>/", views.invitation_accept_page, name="invitation_accept"),
]
