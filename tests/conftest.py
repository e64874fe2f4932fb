from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from assessment import services
from assessment.models import FrameworkVersion, Organization, User

IN_CI = os.environ.get("CI") == "true"
FRAMEWORKS = Path(settings.FRAMEWORKS_DIR)


def pytest_configure(config: pytest.Config) -> None:
    if not IN_CI:
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"CI=true must test on PostgreSQL, not {engine}: set DATABASE_URL.", returncode=3)
    if not settings.REDIS_URL:
        pytest.exit("CI=true must test with Redis: set REDIS_URL.", returncode=3)


def _reachable(url: str) -> bool:
    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_url() -> str:
    """The real Redis of this machine: fails under CI when absent, skips elsewhere."""
    url = settings.REDIS_URL
    if url and _reachable(url):
        return url
    reason = f"Redis is not reachable ({url or 'REDIS_URL is not set'})"
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _isolated_files(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()  # cached peer quartiles and throttles must not leak from one test into another


@pytest.fixture(scope="session")
def bundled_frameworks(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Import both bundled frameworks once per test session."""
    with django_db_blocker.unblock():
        call_command("import_framework", *sorted(str(p) for p in FRAMEWORKS.glob("*.yaml")), verbosity=0)
    return


@pytest.fixture
def miit(bundled_frameworks: None, db: None) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__slug="miit-2024-manufacturing", label="2024")


@pytest.fixture
def eu_dma(bundled_frameworks: None, db: None) -> FrameworkVersion:
    return FrameworkVersion.objects.get(framework__slug="eu-dma", label="2024")


@pytest.fixture
def owner(db: None) -> User:
    return User.objects.create_user("owner@example.com", "pw-owner-1234")


@pytest.fixture
def organization(owner: User) -> Organization:
    return services.organization_create(
        owner=owner, name="测试精密制造有限公司", sector="C", size_band="small", province="32"
    )
