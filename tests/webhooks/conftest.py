from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def local_webhooks(settings: Any) -> None:
    """A receiver on this machine: http and loopback allowed, as an operator may for development."""
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
