"""The review's people and a submitted MIIT assessment (tests/review/conftest.py), for the enterprise's pages."""

from __future__ import annotations

from tests.review.conftest import assignment, consultancy, consultant, lead, submitted

__all__ = ["assignment", "consultancy", "consultant", "lead", "submitted"]
