from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self) -> None:
        # CohortMember is derived data: these keep it current after commit (programmes.cohort), and the beat's
        # cohort sweep repairs what a lost refresh missed.
        from assessment.models import Assessment, Organization
        from programmes import cohort
        from programmes.models import Enrolment, Programme
        from review.models import Verification
        from scoring.models import AssessmentResult
        from scoring.signals import results_deleted

        post_save.connect(cohort.on_enrolment_saved, sender=Enrolment, dispatch_uid="cohort-enrolment")
        post_save.connect(cohort.on_assessment_saved, sender=Assessment, dispatch_uid="cohort-assessment")
        post_save.connect(cohort.on_result_changed, sender=AssessmentResult, dispatch_uid="cohort-result-saved")
        post_delete.connect(cohort.on_result_changed, sender=AssessmentResult, dispatch_uid="cohort-result-deleted")
        results_deleted.connect(cohort.on_results_deleted, sender=AssessmentResult, dispatch_uid="cohort-results")
        post_save.connect(cohort.on_verification_saved, sender=Verification, dispatch_uid="cohort-verification")
        post_save.connect(cohort.on_organization_saved, sender=Organization, dispatch_uid="cohort-organization")
        post_save.connect(cohort.on_programme_changed, sender=Programme, dispatch_uid="cohort-programme")
        m2m_changed.connect(
            cohort.on_programme_changed, sender=Programme.framework_versions.through, dispatch_uid="cohort-versions"
        )
