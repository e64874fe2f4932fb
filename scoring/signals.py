"""Signals scoring sends for what other apps derive from results (they may not be imported from here)."""

from django.dispatch import Signal

# Stored results were deleted in bulk (replaced by a rescore or a new scoring), without a post_delete per row:
# `organization_ids` are the organisations whose frozen (submitted) results went.
results_deleted = Signal()
