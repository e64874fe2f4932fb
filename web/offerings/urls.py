"""Offerings and referrals: the providers' pages, the SME's requests, the operators' provider evaluation."""

from __future__ import annotations

from django.urls import path

from web.offerings import evaluation, requests, views

urlpatterns = [
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/new/", views.offering_new, name="offering_new"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="offering_edit"),
    path("offerings/<int:pk>/unpublish/", views.offering_unpublish_view, name="offering_unpublish"),
    path("offerings/referrals/", views.referral_inbox, name="referral_inbox"),
    path("offerings/referrals/<int:pk>/", views.referral_received, name="referral_received"),
    path("organizations/<int:org_id>/referrals/", requests.referral_list, name="referral_list"),
    path("organizations/<int:org_id>/referrals/new/<int:offering_id>/", requests.referral_new, name="referral_new"),
    path("organizations/<int:org_id>/referrals/<int:pk>/", requests.referral_sent, name="referral_sent"),
    path("programmes/<int:pk>/providers/", evaluation.programme_providers, name="programme_providers"),
]
