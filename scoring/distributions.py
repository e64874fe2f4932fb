"""Peer groups' distributions kept in the cache, current as results arrive, never built on a reader's path.

What is stored (under the cache's KEY_PREFIX, CACHE_KEY_PREFIX): for each framework version, its current
generation `peers:v6:r<resolution>:<version>:generation`, and for each group and metric with organisations
one value, `…:g<generation>:<metric>:<sector>:<size band>:<province>`, holding the number of organisations
in each band. In Redis that value is a bit field of signed 32-bit counts, one per band (BITFIELD), so a change
is an atomic increment of one count and concurrent submissions never overwrite each other's; a reader gets a
group's whole distribution as one short string (one MGET for all the groups it needs). Other caches (the
embedded default's per-process memory) hold a tuple of counts, read, changed and written back.

- `generation_write` (scoring.peers.peer_distributions_rebuild: beat, every PEER_REBUILD_SECONDS, and once
  when a reader finds no generation) stores a whole new generation, then switches to it; readers keep the
  previous one until then, and its keys expire on their own.
- `counts_add` (on commit, when a result joins or leaves its peers) moves one organisation in each group
  it belongs to. An increment that falls between a rebuild's reading and its switch is lost, and one whose
  result was already read by that rebuild counts twice: the next rebuild repairs either.
- `counts_read` answers None when there is no generation (first start, Redis flushed or down): the reader
  then asks for a rebuild and reads `snapshot_read`, the counts of the last rebuild, which `generation_write`
  also keeps in PostgreSQL (`PeerDistribution`, one row per group and metric: one indexed query, not a
  `GROUP BY` over every result); only before any rebuild does it count its own groups in the database.

`STATS` counts what happened in this process, for tests and benchmarks: readers answered from the cache, from
the last rebuild's copy or by counting in the database, rebuilds, increments.
"""

from __future__ import annotations

import logging
import struct
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

from scoring.models import PeerDistribution

Group = tuple[str, str, str]  # sector, size band, province; "" where the group is not narrowed by it
Slot = tuple[str, Group]  # a metric ("total" or a dimension key) of a group

logger = logging.getLogger(__name__)
STATS: Counter[str] = Counter()
_MARGIN_SECONDS = 600  # counts outlive their generation's pointer: no pointer to a half-expired generation


def band_count() -> int:
    return 100 // settings.PEER_RESOLUTION_PERCENT


def _version_key(version_id: int) -> str:
    return f"peers:v6:r{settings.PEER_RESOLUTION_PERCENT}:{version_id}"


def _slot_name(slot: Slot) -> str:
    metric, (sector, size_band, province) = slot
    return f"{metric}:{sector}:{size_band}:{province}"


def _slot_key(version_id: int, generation: int, slot: Slot) -> str:
    return f"{_version_key(version_id)}:g{generation}:{_slot_name(slot)}"


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


def _redis() -> RedisCache | None:
    backend = caches["default"]
    return backend if isinstance(backend, RedisCache) else None


def _packed(counts: Sequence[int]) -> bytes:
    """Counts as Redis's BITFIELD holds them: big-endian signed 32-bit integers, band 0 first."""
    return struct.pack(f">{len(counts)}i", *counts)


def _unpacked(value: bytes | None) -> tuple[int, ...]:
    """A BITFIELD value's counts (a band never incremented may be missing at the end: 0)."""
    bands = band_count()
    raw = (value or b"")[: 4 * bands].ljust(4 * bands, b"\0")
    return tuple(max(0, n) for n in struct.unpack(f">{bands}i", raw))


def counts_read(version_id: int, generation: int, slots: Iterable[Slot]) -> dict[Slot, tuple[int, ...]] | None:
    """The band counts of these slots in a generation (generation_current); None when Redis fails meanwhile."""
    keys = {slot: _slot_key(version_id, generation, slot) for slot in slots}
    empty = (0,) * band_count()
    redis = _redis()
    if redis is None:
        found = cache.get_many(list(keys.values()))
        STATS["read_cached"] += 1
        return {slot: tuple(found.get(key, empty)) for slot, key in keys.items()}
    try:
        values = redis.client.get_client(write=False).mget([redis.make_key(key) for key in keys.values()])
    except RedisError:
        logger.warning("Could not read the peer distributions from Redis", exc_info=True)
        return None
    STATS["read_cached"] += 1
    return {slot: _unpacked(value) for slot, value in zip(keys, values, strict=True)}


def generation_write(version_id: int, counts: Mapping[Slot, list[int]]) -> int:
    """Store a whole generation of counts (groups with nobody left out), then make it the current one; keep
    it in PostgreSQL too, first, for readers while the cache has none (`snapshot_read`)."""
    _snapshot_write(version_id, counts)
    generation = time.time_ns()
    lifetime = _lifetime() + _MARGIN_SECONDS
    values = {_slot_key(version_id, generation, slot): bands for slot, bands in counts.items() if any(bands)}
    redis = _redis()
    if redis is None:
        cache.set_many({key: tuple(bands) for key, bands in values.items()}, lifetime)
    else:
        pipeline = redis.client.get_client(write=True).pipeline(transaction=False)
        for key, bands in values.items():
            pipeline.set(redis.make_key(key), _packed(bands), ex=lifetime)
        pipeline.execute()
    cache.set(f"{_version_key(version_id)}:generation", generation, _lifetime())
    STATS["rebuilt"] += 1
    return generation


def _snapshot_rows(version_id: int) -> QuerySet[PeerDistribution]:
    return PeerDistribution.objects.filter(framework_version_id=version_id, resolution=settings.PEER_RESOLUTION_PERCENT)


@transaction.atomic
def _snapshot_write(version_id: int, counts: Mapping[Slot, list[int]]) -> None:
    """Upsert every group's counts, then delete the groups this rebuild did not find: two rebuilds at once
    (beat's and one a reader asked for) never collide on a row, and take the rows in one order."""
    now = timezone.now()
    resolution = settings.PEER_RESOLUTION_PERCENT
    rows = sorted((_slot_name(slot), bands) for slot, bands in counts.items() if any(bands))
    PeerDistribution.objects.bulk_create(
        [
            PeerDistribution(
                framework_version_id=version_id, resolution=resolution, slot=name, counts=bands, built_at=now
            )
            for name, bands in rows
        ],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["framework_version", "resolution", "slot"],
        update_fields=["counts", "built_at"],
    )
    _snapshot_rows(version_id).filter(built_at__lt=now).delete()


def snapshot_read(version_id: int, slots: Iterable[Slot]) -> dict[Slot, tuple[int, ...]] | None:
    """The band counts of these slots as the last rebuild stored them in PostgreSQL; None before any rebuild
    (at this resolution). Its increments since are not in it: the rebuild after the cache is back has them."""
    rows = _snapshot_rows(version_id)
    names = {slot: _slot_name(slot) for slot in slots}
    found = dict(rows.filter(slot__in=set(names.values())).values_list("slot", "counts"))
    if not found and not rows.exists():
        return None
    STATS["read_snapshot"] += 1
    empty = (0,) * band_count()
    return {slot: tuple(found.get(name, empty)) for slot, name in names.items()}


def counts_add(version_id: int, changes: Mapping[tuple[Slot, int], int]) -> None:
    """Add `changes[(slot, band)]` organisations (negative: take them away) in the current generation."""
    by_slot: dict[Slot, dict[int, int]] = {}
    for (slot, band), n in changes.items():
        if n:
            by_slot.setdefault(slot, {})[band] = n
    if not by_slot:
        return
    generation = generation_current(version_id)
    if generation is None:
        return  # nothing to keep current: the first reader or rebuild counts from the database
    keys = {_slot_key(version_id, generation, slot): bands for slot, bands in by_slot.items()}
    redis = _redis()
    if redis is None:
        found = cache.get_many(list(keys))
        updated = {}
        for key, bands in keys.items():
            counts = list(found.get(key, (0,) * band_count()))
            for band, n in bands.items():
                counts[band] += n
            updated[key] = tuple(counts)
        cache.set_many(updated, _lifetime() + _MARGIN_SECONDS)
    else:
        _redis_add(redis, keys)
    STATS["incremented"] += sum(len(bands) for bands in keys.values())


def _redis_add(backend: RedisCache, keys: Mapping[str, Mapping[int, int]]) -> None:
    """All the increments in one round trip: BITFIELD INCRBY of each band's count (a group nobody was in starts
    from zeros), and EXPIRE, so the value lives as long as the generation's others (never without expiry)."""
    lifetime = _lifetime() + _MARGIN_SECONDS
    try:
        pipeline = backend.client.get_client(write=True).pipeline(transaction=False)
        for key, bands in keys.items():
            raw = backend.make_key(key)
            field = pipeline.bitfield(raw, default_overflow="SAT")
            for band, n in bands.items():
                field.incrby("i32", f"#{band}", n)
            field.execute()
            pipeline.expire(raw, lifetime)
        pipeline.execute()
    except RedisError:  # Redis is down: the rebuild after it is back repairs the counts
        logger.warning("Could not update the peer distributions in Redis", exc_info=True)


def rebuild_ask(version_id: int) -> bool:
    """True once per few minutes per version: the caller is the one to enqueue a rebuild."""
    return bool(cache.add(f"{_version_key(version_id)}:rebuild-asked", 1, 300))
