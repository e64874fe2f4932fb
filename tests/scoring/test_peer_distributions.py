"""Peer distributions stay current in the cache as results arrive: no reader counts in the database once
they are built; a lost update is repaired by the periodic rebuild; keys carry the deployment's prefix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_redis.cache import RedisCache

from assessment.models import Assessment, FrameworkVersion, User
from assessment.services.assessments import answers_upsert, assessment_create
from scoring import distributions
from scoring.models import AssessmentResult, DimensionResult, PeerDistribution
from scoring.peers import PeerComparison, PeerFilter, peer_comparison, peer_distributions_rebuild
from scoring.selectors import assessment_result
from scoring.services import peer_distributions_rebuild_all, results_rescore
from tests.helpers import established_organization, submit_filling_gaps

pytestmark = pytest.mark.django_db
NUMBERS = count(5000)
NO_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # what Redis down answers


def peer(miit: FrameworkVersion, owner: User, f5: str, **profile: Any) -> AssessmentResult:
    """A submitted assessment of a new established organisation: F5 at `f5` (A 0, C 5, E 10 points)."""
    organization = established_organization(owner, f"分布{next(NUMBERS)}", next(NUMBERS), **profile)
    assessment = assessment_create(organization=organization, framework_version=miit, created_by=owner)
    answers_upsert(assessment=assessment, answered_by=owner, items=[{"question": "F5", "choice": f5}])
    submit_filling_gaps(assessment, owner)
    return assessment_result(Assessment.objects.get(pk=assessment.pk))


def from_database(result: AssessmentResult, peer_filter: PeerFilter | None = None) -> PeerComparison:
    """The comparison counted in the database: what the cache must agree with."""
    reads = distributions.STATS.copy()
    with override_settings(CACHES=NO_CACHE), transaction.atomic():
        PeerDistribution.objects.all().delete()  # nor the last rebuild's counts: every result counted
        comparison = peer_comparison(result, peer_filter)
        transaction.set_rollback(True)
    distributions.STATS.clear()
    distributions.STATS.update(reads)  # the counters tell what the cache's readers did
    return comparison


@pytest.fixture(params=["memory", "redis"], autouse=True)
def peer_cache(request: pytest.FixtureRequest, settings: Any) -> Iterator[None]:
    """Every test here runs on the embedded default's memory cache and on Redis (counts in BITFIELDs)."""
    if request.param == "memory":
        yield
        return
    prefix = f"test-peers-{uuid.uuid4().hex[:8]}"
    backend = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": request.getfixturevalue("redis_url")}
    settings.CACHES = {"default": {**backend, "KEY_PREFIX": prefix}}
    assert isinstance(caches["default"], RedisCache)
    yield
    from django_redis import get_redis_connection

    redis = get_redis_connection("default")
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


@pytest.fixture
def stats() -> distributions.Counter[str]:
    distributions.STATS.clear()
    return distributions.STATS


def test_distributions_stay_current_under_submissions_without_any_reader_counting(
    miit: FrameworkVersion, owner: User, stats: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for f5 in "AAACE":
        peer(miit, owner, f5)
    peer(miit, owner, "E", province="44")
    mine = peer(miit, owner, "C")
    peer_distributions_rebuild(version_id=miit.pk)
    assert peer_comparison(mine, PeerFilter()).standings[0].peers == 6
    with django_capture_on_commit_callbacks(execute=True):
        for f5, profile in [("E", {}), ("A", {"province": "44"}), ("E", {"sector": "F"}), ("C", {})]:
            peer(miit, owner, f5, **profile)
        peer(miit, owner, "E", size_band="medium")
    for peer_filter in (
        None,
        PeerFilter(),
        PeerFilter(sector="C"),
        PeerFilter(province="32"),
        PeerFilter("C", "small"),
    ):
        cached = peer_comparison(mine, peer_filter)
        assert cached == from_database(mine, peer_filter), peer_filter
    assert peer_comparison(mine, PeerFilter()).standings[0].peers == 11
    assert stats["read_database"] == 0, "no reader counted in the database"
    assert stats["read_cached"] == 7, "one cache read per comparison"
    assert stats["incremented"] > 0
    assert stats["rebuilt"] == 1


def test_a_re_assessment_moves_the_organisation_instead_of_counting_it_twice(
    miit: FrameworkVersion, owner: User, stats: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for f5 in "AAAAE":
        peer(miit, owner, f5)
    mine = peer(miit, owner, "C")
    peer_distributions_rebuild(version_id=miit.pk)
    first = AssessmentResult.objects.filter(peer_group=True).exclude(pk=mine.pk).first()
    assert first is not None
    again = assessment_create(organization=first.organization, framework_version=miit, created_by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        answers_upsert(assessment=again, answered_by=owner, items=[{"question": "F5", "choice": "E"}])
        submit_filling_gaps(again, owner)
    comparison = peer_comparison(mine)
    assert comparison == from_database(mine)
    assert comparison.standings[0].peers == 5
    assert stats["read_database"] == 0


def test_rescoring_leaves_the_distributions_as_they_were(
    miit: FrameworkVersion, owner: User, django_capture_on_commit_callbacks: Any
) -> None:
    results = [peer(miit, owner, f5) for f5 in "AACEEE"]
    peer_distributions_rebuild(version_id=miit.pk)
    before = peer_comparison(results[2])
    with django_capture_on_commit_callbacks(execute=True):
        results_rescore(assessment_ids=[r.assessment_id for r in results], with_path=False)
    mine = AssessmentResult.objects.get(assessment_id=results[2].assessment_id)
    assert peer_comparison(mine) == before == from_database(mine)


def test_an_update_lost_on_the_way_is_repaired_by_the_periodic_rebuild(
    miit: FrameworkVersion, owner: User, stats: Any
) -> None:
    for f5 in "AAAAA":
        peer(miit, owner, f5)
    mine = peer(miit, owner, "C")
    peer_distributions_rebuild(version_id=miit.pk)
    peer(miit, owner, "E")  # its on-commit update never runs: as if the process died after committing
    assert peer_comparison(mine).standings[0].peers == 5
    assert peer_distributions_rebuild_all() > 0  # beat's task
    standing = peer_comparison(mine).standings[0]
    assert (standing.peers, standing.percentile) == (6, Decimal("83.33333333333333333333333333"))
    assert stats["read_database"] == 0


def test_a_reader_without_distributions_counts_in_the_database_and_asks_for_one_rebuild(
    miit: FrameworkVersion, owner: User, stats: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for f5 in "AAAAE":
        peer(miit, owner, f5)
    mine = peer(miit, owner, "C")
    with django_capture_on_commit_callbacks() as asked:
        first = peer_comparison(mine)
        second = peer_comparison(mine)
    assert first == second
    assert first.standings[0].peers == 5
    assert stats["read_database"] == 4  # each reader: the candidates' totals, the chosen group's dimensions
    assert len(asked) == 1, "one rebuild asked for, not one per reader"


def test_without_the_cache_a_reader_takes_the_last_rebuilds_counts_from_postgresql_and_counts_nothing(
    miit: FrameworkVersion, owner: User, stats: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for f5 in "AAAAE":
        peer(miit, owner, f5)
    mine = peer(miit, owner, "C")
    peer_distributions_rebuild(version_id=miit.pk)
    kept = peer_comparison(mine)
    with (
        override_settings(CACHES=NO_CACHE),
        django_capture_on_commit_callbacks() as asked,
        CaptureQueriesContext(connection) as queries,
    ):
        without = peer_comparison(mine)
    assert without == kept == from_database(mine)
    assert (stats["read_snapshot"], stats["read_database"]) == (1, 0)
    assert not [q for q in queries if "GROUP BY" in q["sql"]], "no result counted: one indexed read"
    assert len(asked) == 1, "and a rebuild asked for"

    rows = PeerDistribution.objects.count()
    peer(miit, owner, "E")
    elsewhere = peer(miit, owner, "E", province="44")
    peer_distributions_rebuild(version_id=miit.pk)
    assert PeerDistribution.objects.count() > rows, "province 44's groups"
    with override_settings(CACHES=NO_CACHE):
        assert peer_comparison(mine, PeerFilter()).standings[0].peers == 7
    AssessmentResult.objects.filter(pk=elsewhere.pk).update(peer_group=False)  # as a newer submission does
    DimensionResult.objects.filter(result_id=elsewhere.pk).update(peer_group=False)
    peer_distributions_rebuild(version_id=miit.pk)
    assert PeerDistribution.objects.count() == rows, "the next rebuild's counts replace the last ones"
    assert not PeerDistribution.objects.filter(slot__endswith=":44").exists(), "an emptied group goes"
    with override_settings(CACHES=NO_CACHE):
        assert peer_comparison(mine, PeerFilter()).standings[0].peers == 6


def test_the_cache_keys_carry_the_deployments_prefix(miit: FrameworkVersion, owner: User, redis_url: str) -> None:
    for f5 in "AAAAE":
        peer(miit, owner, f5)
    redis_cache = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url}
    with override_settings(CACHES={"default": {**redis_cache, "KEY_PREFIX": "province-a"}}):
        from django_redis import get_redis_connection

        get_redis_connection("default").flushdb()
        peer_distributions_rebuild(version_id=miit.pk)
        assert distributions.generation_current(miit.pk) is not None
        keys = get_redis_connection("default").keys("*")
        assert keys
        assert all(key.startswith(b"province-a:") for key in keys)
    with override_settings(CACHES={"default": {**redis_cache, "KEY_PREFIX": "province-b"}}):
        assert distributions.generation_current(miit.pk) is None, "another deployment's counts are not ours"
