"""Peer groups' distributions kept in the cache, current as results arrive, never built on a reader's path.

What is stored (under the cache's KEY_PREFIX, CACHE_KEY_PREFIX): for each framework version, its current
generation `peers:v5:r<resolution>:<version>:generation`, and for each band of each group and metric that
has organisations, their number, `…:g<generation>:<metric>:<sector>:<size band>:<province>:<band>`. A band
without a count in the current generation holds nobody. Counts are plain integers, so a change is one atomic
increment (Redis INCRBY) and concurrent submissions never overwrite each other's.

- `generation_write` (scoring.peers.peer_distributions_rebuild: beat, every PEER_REBUILD_SECONDS, and once
  when a reader finds no generation) stores a whole new generation, then switches to it; readers keep the
  previous one until then, and its keys expire on their own.
- `counts_add` (on commit, when a result joins or leaves its peers) moves one organisation in each group
  it belongs to. An increment that falls between a rebuild's reading and its switch is lost, and one whose
  result was already read by that rebuild counts twice: the next rebuild repairs either.
- `counts_read` answers None when there is no generation (first start, Redis flushed or down): the reader
  then counts its own groups in the database (slower) and asks for a rebuild (scoring.peers).

`STATS` counts what happened in this process, for tests and benchmarks: readers answered from the cache or
from the database, rebuilds, increments.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.cache import cache, caches
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

Group = tuple[str, str, str]  # sector, size band, province; "" where the group is not narrowed by it
Slot = tuple[str, Group]  # a metric ("total" or a dimension key) of a group

logger = logging.getLogger(__name__)
STATS: Counter[str] = Counter()
_MARGIN_SECONDS = 600  # band counts outlive their generation's pointer: no pointer to a half-expired generation


def band_count() -> int:
    return 100 // settings.PEER_RESOLUTION_PERCENT


def _version_key(version_id: int) -> str:
    return f"peers:v5:r{settings.PEER_RESOLUTION_PERCENT}:{version_id}"


def _band_key(version_id: int, generation: int, slot: Slot, band: int) -> str:
    metric, (sector, size_band, province) = slot
    return f"{_version_key(version_id)}:g{generation}:{metric}:{sector}:{size_band}:{province}:{band}"


def _lifetime() -> int:
    # Three missed rebuilds and the generation is gone: readers count from the database rather than trust it.
    return 3 * settings.PEER_REBUILD_SECONDS


def groups_of(sector: str, size_band: str, province: str) -> list[Group]:
    """The eight groups an organisation with this profile belongs to: each profile value kept or not (fewer
    when a value is empty: the organisation is counted once in each)."""
    return list(dict.fromkeys((s, z, p) for s in ("", sector) for z in ("", size_band) for p in ("", province)))


def generation_current(version_id: int) -> int | None:
    generation = cache.get(f"{_version_key(version_id)}:generation")
    return generation if isinstance(generation, int) else None


def counts_read(version_id: int, generation: int, slots: Iterable[Slot]) -> dict[Slot, tuple[int, ...]]:
    """The band counts of these slots in a generation (generation_current)."""
    bands = range(band_count())
    keys = {(slot, band): _band_key(version_id, generation, slot, band) for slot in slots for band in bands}
    found = cache.get_many(list(keys.values()))
    STATS["read_cached"] += 1
    counts: dict[Slot, list[int]] = {}
    for (slot, band), key in keys.items():
        counts.setdefault(slot, [0] * len(bands))[band] = max(0, int(found.get(key, 0)))
    return {slot: tuple(values) for slot, values in counts.items()}


def generation_write(version_id: int, counts: Mapping[Slot, list[int]]) -> int:
    """Store a whole generation of counts (bands with nobody left out), then make it the current one."""
    generation = time.time_ns()
    lifetime = _lifetime()
    values = {
        _band_key(version_id, generation, slot, band): n
        for slot, bands in counts.items()
        for band, n in enumerate(bands)
        if n
    }
    items = list(values.items())
    for start in range(0, len(items), 10_000):
        cache.set_many(dict(items[start : start + 10_000]), lifetime + _MARGIN_SECONDS)
    cache.set(f"{_version_key(version_id)}:generation", generation, lifetime)
    STATS["rebuilt"] += 1
    return generation


def counts_add(version_id: int, changes: Mapping[tuple[Slot, int], int]) -> None:
    """Add `changes[(slot, band)]` organisations (negative: take them away) in the current generation."""
    changes = {change: n for change, n in changes.items() if n}
    if not changes:
        return
    generation = generation_current(version_id)
    if generation is None:
        return  # nothing to keep current: the first reader or rebuild counts from the database
    keys = {_band_key(version_id, generation, slot, band): n for (slot, band), n in changes.items()}
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        _redis_add(backend, keys)
    else:
        for key, n in keys.items():
            try:
                cache.incr(key, n)
            except ValueError:  # nobody in that band yet
                if n > 0 and not cache.add(key, n, _lifetime() + _MARGIN_SECONDS):
                    cache.incr(key, n)  # another process added it meanwhile
    STATS["incremented"] += len(keys)


def _redis_add(backend: RedisCache, keys: Mapping[str, int]) -> None:
    """All the increments in one round trip. A band nobody was in starts from 0 (INCRBY), and lives as long
    as the generation's other counts (EXPIRE: later than the generation's pointer, never without expiry)."""
    lifetime = _lifetime() + _MARGIN_SECONDS
    try:
        pipeline = backend.client.get_client(write=True).pipeline(transaction=False)
        for key, n in keys.items():
            raw = backend.make_key(key)
            pipeline.incrby(raw, n)
            pipeline.expire(raw, lifetime)
        pipeline.execute()
    except RedisError:  # Redis is down: the rebuild after it is back repairs the counts
        logger.warning("Could not update the peer distributions in Redis", exc_info=True)


def rebuild_ask(version_id: int) -> bool:
    """True once per few minutes per version: the caller is the one to enqueue a rebuild."""
    return bool(cache.add(f"{_version_key(version_id)}:rebuild-asked", 1, 300))
