"""The review's fixtures (a consultancy, its lead and consultant 王立, an enterprise that asked, a submitted
assessment), for the consultant-verified report."""

from __future__ import annotations

from tests.reports.test_samples import re_assessment, verified_re_assessment
from tests.review.conftest import assignment, consultancy, consultant, lead, submitted

__all__ = ["assignment", "consultancy", "consultant", "lead", "re_assessment", "submitted", "verified_re_assessment"]
