"""The SME self-service pages: accounts and organisations (web.accounts), assessments (web.assessments)."""

from __future__ import annotations

from web.accounts.urls import urlpatterns as account_pages
from web.assessments.urls import urlpatterns as assessment_pages

app_name = "web"
urlpatterns = [*account_pages, *assessment_pages]
