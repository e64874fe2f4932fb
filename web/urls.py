"""The SME self-service pages: accounts and organisations (web.accounts), assessments (web.questionnaire)."""

from __future__ import annotations

from web.accounts.urls import urlpatterns as account_pages
from web.questionnaire.urls import urlpatterns as questionnaire_pages

app_name = "web"
urlpatterns = [*account_pages, *questionnaire_pages]
