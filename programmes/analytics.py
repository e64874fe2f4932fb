"""A programme's cohort in figures, from its CohortMember rows alone: one builder for the page, the API, the
exports' aggregates sheet and the cohort PDF.

Numbers stay exact: scores are Decimal as the engine wrote them; a quartile interpolates linearly between the two
closest ranks (PostgreSQL's percentile_cont, numpy's default), which is exact in Decimal; a mean or a share that does
not end is cut at the engine's twelve places (scoring.engine.numbers.exact). The figures are cached per programme,
filters and language under the programme's data_version, which every change of a member raises
(programmes.cohort), so a cached answer is never stale and never has to be forgotten.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.framework_texts import FrameworkTexts, framework_texts
from assessment.models import Assessment, FrameworkVersion
from programmes.cohort import COUNTED_STATUSES
from programmes.models import CohortMember, Enrolment, Programme, ProgrammeGroup
from scoring.engine import Framework
from scoring.engine.numbers import exact
from scoring.results import TOP_SCENARIO_LEVEL
from scoring.selectors import framework_structure

CACHE_VERSION = 1  # raise when the payload's shape changes
CACHE_SECONDS = 24 * 3600
HISTOGRAM_BINS = 10
TOP_PATH_STEPS = 10
NAMED_UPLIFT_ROWS = 20  # the SMEs the page and the PDF name (analysts only); the export has every one
CITY_MAX_LENGTH = 60


@dataclass(frozen=True)
class CohortFilter:
    """Which members: a sub-group and a profile (empty = any)."""

    group: int | None = None
    sector: str = ""
    size_band: str = ""
    province: str = ""
    city: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}

    @property
    def key(self) -> str:
        return json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=True)

    @property
    def by_profile(self) -> bool:
        return bool(self.sector or self.size_band or self.province or self.city)


def cohort_filter_parse(programme: Programme, data: Mapping[str, Any]) -> CohortFilter:
    """The filters in a query (group, sector, size_band, province, city); ValidationError naming each bad one."""
    errors: dict[str, list[str]] = {}

    def text(name: str) -> str:
        value = data.get(name, "")
        if not isinstance(value, str):
            errors[name] = [_("Give one value.")]
            return ""
        return value.strip()

    group: int | None = None
    raw_group = text("group")
    if raw_group:
        if not raw_group.isdigit() or len(raw_group) > 12:
            errors["group"] = [_("Choose one of the programme's groups.")]
        else:
            group = int(raw_group)
            if not ProgrammeGroup.objects.filter(programme=programme, pk=group).exists():
                errors["group"] = [_("Choose one of the programme's groups.")]
    choices = {
        "sector": {key for key, _label in SECTORS},
        "size_band": set(SizeBand.values),
        "province": {key for key, _label in PROVINCES},
    }
    values: dict[str, str] = {}
    for name, allowed in choices.items():
        values[name] = text(name)
        if values[name] and values[name] not in allowed:
            errors[name] = [_("Choose one of the listed values.")]
    city = text("city")
    if len(city) > CITY_MAX_LENGTH or any(ord(c) < 32 for c in city):
        errors["city"] = [_("Give a city name of at most %(count)s characters.") % {"count": CITY_MAX_LENGTH}]
    if errors:
        raise ValidationError(errors)
    return CohortFilter(group=group, city=city, **values)


def cohort_members(programme: Programme, filters: CohortFilter) -> QuerySet[CohortMember]:
    """The filtered members whose consent stands (a withdrawn SME's row is gone; the join makes sure)."""
    members = CohortMember.objects.filter(programme=programme, enrolment__withdrawn_at__isnull=True)
    if filters.group is not None:
        members = members.filter(group_id=filters.group)
    for name in ("sector", "size_band", "province"):
        if value := getattr(filters, name):
            members = members.filter(**{name: value})
    if filters.city:
        members = members.filter(city__iexact=filters.city)
    return members


# --- pure figures -----------------------------------------------------------------------------------


def quantile(ordered: list[Decimal], p: Decimal) -> Decimal:
    """The p-quantile of sorted values, linear between the closest ranks: exact for p in quarters."""
    position = (len(ordered) - 1) * p
    low = int(position)
    fraction = position - low
    if fraction == 0 or low + 1 >= len(ordered):
        return ordered[low]
    return ordered[low] + (ordered[low + 1] - ordered[low]) * fraction


def share(part: int, whole: int) -> Decimal | None:
    return exact(Decimal(part) / Decimal(whole)) if whole else None


def distribution(values: Iterable[Decimal], maximum: Decimal, bins: int = HISTOGRAM_BINS) -> dict[str, Any]:
    """Five-number summary, mean and a histogram of `bins` equal bins over 0–maximum (the last one closed)."""
    ordered = sorted(values)
    count = len(ordered)
    width = maximum / bins if maximum else Decimal(0)
    histogram = [0] * bins
    for value in ordered:
        index = int(value * bins / maximum) if maximum else 0
        histogram[min(max(index, 0), bins - 1)] += 1
    summary: dict[str, Any] = {"count": count, "max_possible": exact(maximum)}
    if count:
        summary.update(
            min=exact(ordered[0]),
            q1=exact(quantile(ordered, Decimal("0.25"))),
            median=exact(quantile(ordered, Decimal("0.5"))),
            q3=exact(quantile(ordered, Decimal("0.75"))),
            max=exact(ordered[-1]),
            mean=exact(sum(ordered, Decimal(0)) / count),
        )
    else:
        summary.update(min=None, q1=None, median=None, q3=None, max=None, mean=None)
    summary["bins"] = [
        {"from": exact(width * i), "to": exact(width * (i + 1)), "count": n} for i, n in enumerate(histogram)
    ]
    return summary


def spread(values: Iterable[Decimal]) -> dict[str, Any]:
    """Five-number summary and mean of values without a fixed scale (e.g. T1 minus T0)."""
    ordered = sorted(values)
    if not ordered:
        return {"count": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None, "mean": None}
    return {
        "count": len(ordered),
        "min": exact(ordered[0]),
        "q1": exact(quantile(ordered, Decimal("0.25"))),
        "median": exact(quantile(ordered, Decimal("0.5"))),
        "q3": exact(quantile(ordered, Decimal("0.75"))),
        "max": exact(ordered[-1]),
        "mean": exact(sum(ordered, Decimal(0)) / len(ordered)),
    }


# --- the programme's frameworks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Scales:
    """What the programme's frameworks say about the figures: dimensions with their maxima, scenarios, levels."""

    versions: tuple[FrameworkVersion, ...]
    max_total: Decimal
    dimensions: tuple[tuple[str, str, Decimal, str], ...]  # key, name, maximum, scale ("points" | "scenario_level")
    scenarios: tuple[tuple[str, str], ...]  # key, name
    levels: tuple[tuple[int, str], ...]  # number, name (the base level first)
    texts: FrameworkTexts | None


def _dimension_scale(framework: Framework, key: str) -> tuple[Decimal, str]:
    """A dimension's maximum and scale: its points, or (without points) the top scenario level."""
    node = next(d for d in framework.dimensions if d.key == key)
    return (node.points, "points") if node.points else (Decimal(TOP_SCENARIO_LEVEL), "scenario_level")


def programme_scales(programme: Programme, language: str) -> Scales:
    versions = tuple(programme.framework_versions.order_by("pk"))
    dimensions: dict[str, tuple[str, Decimal, str]] = {}
    scenarios: dict[str, str] = {}
    levels: dict[int, str] = {}
    max_total = Decimal(0)
    first: FrameworkTexts | None = None
    for version in versions:
        framework = framework_structure(version)
        texts = framework_texts(version, language)
        first = first or texts
        max_total = max(max_total, framework.max_total)
        for node in framework.dimensions:
            previous = dimensions.get(node.key)
            maximum, scale = _dimension_scale(framework, node.key)
            name = texts.dimension_names.get(node.key, node.key)
            dimensions[node.key] = (name, max(maximum, previous[1]) if previous else maximum, scale)
        for question in framework.scenarios:
            scenarios.setdefault(question.key, str(texts.places[question.key].node["text"]))
        for number in sorted(texts.levels):
            levels.setdefault(number, texts.level_name(number))
    return Scales(
        versions=versions,
        max_total=max_total,
        dimensions=tuple((key, *figures) for key, figures in dimensions.items()),
        scenarios=tuple(scenarios.items()),
        levels=tuple(sorted(levels.items())),
        texts=first,
    )


def question_name(scales: Scales, key: str) -> str:
    for version in scales.versions:
        texts = framework_texts(version, scales.texts.language if scales.texts else "zh-Hans")
        if key in texts.places:
            return f"{key} {texts.places[key].node['text']}"
    return key


# --- the figures -----------------------------------------------------------------------------------


MEMBER_FIELDS = (
    "enrolment_id",
    "organization_id",
    "organization__name",
    "assessment_id",
    "level",
    "total",
    "dimensions",
    "scenarios",
    "verified_level",
    "verified_total",
    "verified_dimensions",
    "t0_assessment_id",
    "t0_level",
    "t0_total",
    "held_back_by",
    "path_steps",
)


def _month_ends(first: date, last: date) -> list[tuple[str, datetime]]:
    """(YYYY-MM, the first moment after the month) for each month from `first`'s to `last`'s."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        end = timezone.make_aware(datetime.combine(date(following[0], following[1], 1), time.min))
        months.append((f"{year:04d}-{month:02d}", end))
        year, month = following
    return months


def _progress(programme: Programme, members: QuerySet[CohortMember], enrolled: int) -> dict[str, Any]:
    """Share of the (current, filtered) members at the target level or above at the end of each month, from their
    assessment history: self-assessed (the latest submitted by then) and verified (the latest signed by then)."""
    versions = programme.framework_versions.values("pk")
    rows = (
        Assessment.objects.filter(
            organization__in=members.values("organization_id"),
            framework_version__in=versions,
            status__in=COUNTED_STATUSES,
            submitted_at__isnull=False,
            result__isnull=False,
        )
        .values_list(
            "organization_id", "submitted_at", "pk", "result__level", "verification__level", "verification__signed_at"
        )
        .order_by()
    )
    self_events: list[tuple[datetime, int, int, int]] = []
    verified_events: list[tuple[datetime, int, int, int]] = []
    for organization, submitted, pk, level, verified_level, signed in rows:
        if submitted is not None:
            self_events.append((submitted, pk, organization, level))
        if signed is not None:
            verified_events.append((signed, pk, organization, verified_level))
    today = timezone.localdate()
    last = min(today, programme.ends_on)
    months = _month_ends(programme.starts_on, last) if programme.starts_on <= last else []
    series = []
    for label, kind_events in (("self", self_events), ("verified", verified_events)):
        kind_events.sort()
        current: dict[int, int] = {}
        reached = 0
        index = 0
        points = []
        for month, end in months:
            while index < len(kind_events) and kind_events[index][0] < end:
                _, _, organization, level = kind_events[index]
                was = current.get(organization)
                if was is not None and was >= programme.target_level:
                    reached -= 1
                if level >= programme.target_level:
                    reached += 1
                current[organization] = level
                index += 1
            points.append({"month": month, "at_target": reached, "share": share(reached, enrolled)})
        series.append((label, points))
    by_kind = dict(series)
    return {
        "target_level": programme.target_level,
        "target_share": exact(programme.target_share / 100),
        "target_date": programme.target_date.isoformat(),
        "enrolled": enrolled,
        "months": [
            {"month": s["month"], "self": s, "verified": v}
            for s, v in zip(by_kind.get("self", []), by_kind.get("verified", []), strict=True)
        ],
    }


def _compute(programme: Programme, filters: CohortFilter, language: str) -> dict[str, Any]:
    scales = programme_scales(programme, language)
    members = cohort_members(programme, filters)
    rows = list(members.values_list(*MEMBER_FIELDS).order_by("enrolment_id"))
    field = {name: i for i, name in enumerate(MEMBER_FIELDS)}
    assessed = [r for r in rows if r[field["assessment_id"]] is not None]
    verified = [r for r in rows if r[field["verified_level"]] is not None]
    withdrawn = Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=False).exclude(
        organization__in=Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True).values("organization")
    )
    if filters.group is not None:
        withdrawn = withdrawn.filter(group_id=filters.group)
    level_names = dict(scales.levels)

    self_levels = Counter(r[field["level"]] for r in assessed)
    verified_levels = Counter(r[field["verified_level"]] for r in verified)
    pairs = Counter((r[field["level"]], r[field["verified_level"]]) for r in verified)
    levels = [
        {"level": number, "name": name, "self": self_levels.get(number, 0), "verified": verified_levels.get(number, 0)}
        for number, name in scales.levels
    ]

    def decimals(column: str) -> list[Decimal]:
        return [Decimal(r[field[column]]) for r in rows if r[field[column]] is not None]

    dimensions = []
    for key, name, maximum, scale in scales.dimensions:
        own = [Decimal(d[key]) for r in assessed if key in (d := r[field["dimensions"]])]
        checked = [Decimal(d[key]) for r in verified if key in (d := r[field["verified_dimensions"]])]
        dimensions.append(
            {
                "key": key,
                "name": name,
                "scale": scale,
                "self": distribution(own, maximum),
                "verified": distribution(checked, maximum),
            }
        )

    heat: dict[str, Counter[int]] = {key: Counter() for key, _name in scales.scenarios}
    for r in assessed:
        for key, level in r[field["scenarios"]].items():
            if key in heat:
                heat[key][int(level)] += 1
    scenario_rows = [
        {
            "key": key,
            "name": name,
            "levels": [
                {"level": lvl, "count": heat[key].get(lvl, 0), "share": share(heat[key].get(lvl, 0), len(assessed))}
                for lvl in range(TOP_SCENARIO_LEVEL + 1)
            ],
        }
        for key, name in scales.scenarios
    ]

    gates = Counter(tuple(r[field["held_back_by"]]) for r in assessed)
    held_back = {
        "assessed": len(assessed),
        "score_only": gates.get(("score",), 0),
        "scenarios_only": gates.get(("scenarios",), 0),
        "both": gates.get(("score", "scenarios"), 0),
        "at_top": gates.get((), 0),
    }

    steps = Counter(step for r in assessed for step in r[field["path_steps"]])
    path_steps = [
        {"question": key, "name": question_name(scales, key), "count": n, "share": share(n, len(assessed))}
        for key, n in sorted(steps.items(), key=lambda item: (-item[1], item[0]))[:TOP_PATH_STEPS]
    ]

    uplift_rows = []
    for r in assessed:
        t0 = r[field["t0_assessment_id"]]
        if t0 is None or t0 == r[field["assessment_id"]]:
            continue
        uplift_rows.append(
            {
                "organization": r[field["organization_id"]],
                "name": r[field["organization__name"]],
                "t0_level": r[field["t0_level"]],
                "t1_level": r[field["level"]],
                "level_change": r[field["level"]] - r[field["t0_level"]],
                "t0_total": exact(Decimal(r[field["t0_total"]])),
                "t1_total": exact(Decimal(r[field["total"]])),
                "total_change": exact(Decimal(r[field["total"]]) - Decimal(r[field["t0_total"]])),
            }
        )
    changes = Counter(u["level_change"] for u in uplift_rows)
    uplift_rows.sort(key=lambda u: (-u["level_change"], -u["total_change"], u["name"], u["organization"]))
    uplift = {
        "count": len(uplift_rows),
        "rose": sum(n for change, n in changes.items() if change > 0),
        "same": changes.get(0, 0),
        "fell": sum(n for change, n in changes.items() if change < 0),
        "level_changes": [{"change": change, "count": n} for change, n in sorted(changes.items())],
        "level_change": spread(Decimal(u["level_change"]) for u in uplift_rows),
        "total_change": spread(u["total_change"] for u in uplift_rows),
        "smes": uplift_rows[:NAMED_UPLIFT_ROWS],
    }

    at_target_self = sum(1 for r in assessed if r[field["level"]] >= programme.target_level)
    at_target_verified = sum(1 for r in verified if r[field["verified_level"]] >= programme.target_level)
    return {
        "programme": programme.pk,
        "data_version": programme.data_version,
        "filters": filters.as_dict(),
        "language": language,
        "computed_at": timezone.now().isoformat(),
        "counts": {
            "enrolled": len(rows),
            "assessed": len(assessed),
            "verified": len(verified),
            "with_t0": sum(1 for r in rows if r[field["t0_assessment_id"]] is not None),
            "withdrawn": withdrawn.count() if not filters.by_profile else None,
        },
        "target": {
            "level": programme.target_level,
            "level_name": level_names.get(programme.target_level, str(programme.target_level)),
            "share": exact(programme.target_share / 100),
            "date": programme.target_date.isoformat(),
            "self_at_target": at_target_self,
            "self_share": share(at_target_self, len(rows)),
            "verified_at_target": at_target_verified,
            "verified_share": share(at_target_verified, len(rows)),
        },
        "levels": levels,
        "self_vs_verified": [
            {"self": s, "verified": v, "count": n} for (s, v), n in sorted(pairs.items(), key=lambda p: p[0])
        ],
        "total": {
            "self": distribution(decimals("total"), scales.max_total),
            "verified": distribution(decimals("verified_total"), scales.max_total),
        },
        "dimensions": dimensions,
        "scenarios": scenario_rows,
        "held_back": held_back,
        "path_steps": path_steps,
        "uplift": uplift,
        "progress": _progress(programme, members, len(rows)),
    }


def _cache_key(programme: Programme, filters: CohortFilter, language: str) -> str:
    return f"cohort:v{CACHE_VERSION}:{programme.pk}:{programme.data_version}:{language}:{filters.key}"


def cohort_analytics(programme: Programme, filters: CohortFilter, *, language: str) -> dict[str, Any]:
    """The cohort's figures (cached under the programme's data_version); named rows under uplift["smes"] are for
    roles that may see named SMEs (the caller strips them for others: cohort_analytics_public)."""
    key = _cache_key(programme, filters, language)
    found = cache.get(key)
    if found is not None:
        return found
    figures = _compute(programme, filters, language)
    cache.set(key, figures, CACHE_SECONDS)
    return figures


def cohort_analytics_unnamed(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures without the named SMEs: what a read-only member of the operator sees."""
    return {**figures, "uplift": {**figures["uplift"], "smes": []}}
