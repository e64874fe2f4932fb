"""The pages: accounts and organisations (web.accounts), assessments (web.assessments), the consultants'
review (web.review), the public report check (web.verify)."""

from __future__ import annotations

from web.accounts.urls import urlpatterns as account_pages
from web.assessments.urls import urlpatterns as assessment_pages
from web.offerings.urls import urlpatterns as offering_pages
from web.programmes.analytics_urls import urlpatterns as cohort_pages
from web.programmes.urls import urlpatterns as programme_pages
from web.review.urls import urlpatterns as review_pages
from web.verify.urls import urlpatterns as verify_pages

app_name = "web"
urlpatterns = [
    *account_pages,
    *assessment_pages,
    *review_pages,
    *verify_pages,
    *programme_pages,
    *cohort_pages,
    *offering_pages,
]
