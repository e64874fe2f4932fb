"""A programme's cohort in figures, from its CohortMember rows alone: one builder for the page, the API, the
exports' aggregates sheet and the cohort PDF.

Numbers stay exact: scores are Decimal as the engine wrote them; a quartile interpolates linearly between the two
closest ranks (PostgreSQL's percentile_cont, numpy's default), which is exact in Decimal; a mean or a share that does
not end is cut at the engine's twelve places (scoring.engine.numbers.exact). The figures are cached per programme,
filters and language under the programme's data_version, which every change of a member raises
(programmes.cohort), so a cached answer is never stale and never has to be forgotten.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Lag
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.classification import PROVINCES, SECTORS, SizeBand
from assessment.framework_texts import FrameworkTexts, framework_texts
from assessment.models import Assessment, FrameworkVersion
from programmes.cohort import COUNTED_STATUSES
from programmes.models import CohortMember, Enrolment, Programme, ProgrammeGroup
from review.models import Verification
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
    """Five-number summary, mean and a histogram of `bins` equal bins over 0–maximum (the last one closed), the bins
    counted by bisecting the sorted values at each edge."""
    ordered = sorted(values)
    count = len(ordered)
    width = maximum / bins if maximum else Decimal(0)
    edges = [bisect_left(ordered, width * i) for i in range(1, bins)] if maximum else []
    cuts = [0, *edges, count]
    histogram = [cuts[i + 1] - cuts[i] for i in range(bins)] if maximum else [count] + [0] * (bins - 1)
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


def _month_ends(first: date, last: date) -> list[tuple[int, int]]:
    """(year, month) for each month from `first`'s to `last`'s."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _reaching(
    events: QuerySet[Any], organization: str, moment: str, level: str, target: int
) -> Counter[tuple[int, int]]:
    """By (year, month) in the site's time zone: how many SMEs came to the target level or above, less those that
    fell below it, each event compared with the SME's previous one (a window in the database: a few integers per
    row reach Python, and the months' running sum is the count at each month's end)."""
    at_target = Case(When(**{f"{level}__gte": target}, then=Value(1)), default=Value(0))
    rows = (
        events.annotate(
            now=at_target,
            before=Window(
                Lag(at_target, default=Value(0)),  # type: ignore[arg-type]  # the stubs take a field name only
                partition_by=[F(organization)],
                order_by=[F(moment), F("pk")],
            ),
            year=ExtractYear(moment),
            month=ExtractMonth(moment),
        )
        .values_list("year", "month", "now", "before")
        .order_by()
    )
    changes: Counter[tuple[int, int]] = Counter()
    for year, month, now, before in rows:
        if now != before:
            changes[(year, month)] += now - before
    return changes


def _progress(programme: Programme, members: QuerySet[CohortMember], enrolled: int) -> dict[str, Any]:
    """Share of the (current, filtered) members at the target level or above at the end of each month, from their
    assessment history: self-assessed (the latest submitted by then) and verified (the latest signed by then)."""
    organizations = members.values("organization_id")
    counted = Assessment.objects.filter(
        organization__in=organizations,
        framework_version__in=list(programme.framework_versions.values_list("pk", flat=True)),
        status__in=COUNTED_STATUSES,
        submitted_at__isnull=False,
        result__isnull=False,
    ).order_by()
    target = programme.target_level
    series = {
        "self": _reaching(counted, "organization_id", "submitted_at", "result__level", target),
        "verified": _reaching(
            Verification.objects.filter(assessment__in=counted.values("pk")),
            "assessment__organization_id",
            "signed_at",
            "level",
            target,
        ),
    }
    today = timezone.localdate()
    last = min(today, programme.ends_on)
    months = _month_ends(programme.starts_on, last) if programme.starts_on <= last else []
    reached = {
        kind: sum(n for ym, n in changes.items() if months and ym < months[0]) for kind, changes in series.items()
    }
    points = []
    for year, month in months:
        point: dict[str, Any] = {"month": f"{year:04d}-{month:02d}"}
        for kind, changes in series.items():
            reached[kind] += changes.get((year, month), 0)
            point[kind] = {"at_target": reached[kind], "share": share(reached[kind], enrolled)}
        points.append(point)
    return {
        "target_level": target,
        "target_share": exact(programme.target_share / 100),
        "target_date": programme.target_date.isoformat(),
        "enrolled": enrolled,
        "months": points,
    }


def scenario_counts(members: QuerySet[CohortMember], keys: list[str]) -> Counter[tuple[str, int]]:
    """SMEs at each (scenario, level). PostgreSQL expands each row's scenario levels once (jsonb_each_text) and
    groups them; elsewhere (the embedded SQLite) one conditional count per scenario and level."""
    if connection.vendor != "postgresql":
        return scenario_counts_by_filter(members, keys)
    rows, params = members.values("scenarios").query.sql_with_params()
    sql = (
        "SELECT s.key, s.value, COUNT(*) FROM (" + rows + ") AS m, jsonb_each_text(m.scenarios) AS s "
        "GROUP BY s.key, s.value"
    )  # the inner query is Django's own, its values passed as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Counter({(key, int(level)): n for key, level, n in cursor.fetchall() if key in keys})


def scenario_counts_by_filter(members: QuerySet[CohortMember], keys: list[str]) -> Counter[tuple[str, int]]:
    """SMEs at each (scenario, level) by one conditional count each: any database."""
    found = members.aggregate(
        **{
            f"{index}_{level}": Count("pk", filter=Q(**{f"scenarios__{key}": level}))
            for index, key in enumerate(keys)
            for level in range(TOP_SCENARIO_LEVEL + 1)
        }
    )
    return Counter(
        {
            (key, level): found[f"{index}_{level}"]
            for index, key in enumerate(keys)
            for level in range(TOP_SCENARIO_LEVEL + 1)
        }
    )


def _sorted_values(members: QuerySet[CohortMember], expression: Any) -> list[Decimal]:
    """The non-null values of `expression` over the members, sorted by the database, as exact Decimals."""
    rows = members.annotate(value=expression).exclude(value=None).order_by("value").values_list("value", flat=True)
    return [v if isinstance(v, Decimal) else Decimal(str(v)) for v in rows]


def _dimension(column: str, key: str) -> Any:
    # The dimension's score as the engine wrote it (a string in the JSON), read as a number by the database.
    return Cast(KeyTextTransform(key, column), DecimalField(max_digits=20, decimal_places=12))


def _compute(programme: Programme, filters: CohortFilter, language: str) -> dict[str, Any]:
    scales = programme_scales(programme, language)
    members = cohort_members(programme, filters).order_by()
    assessed_members = members.filter(assessment__isnull=False)
    counts = members.aggregate(
        enrolled=Count("pk"),
        assessed=Count("pk", filter=Q(assessment__isnull=False)),
        verified=Count("pk", filter=Q(verified_level__isnull=False)),
        with_t0=Count("pk", filter=Q(t0_assessment__isnull=False)),
        at_target_self=Count("pk", filter=Q(level__gte=programme.target_level)),
        at_target_verified=Count("pk", filter=Q(verified_level__gte=programme.target_level)),
    )
    enrolled, assessed = counts["enrolled"], counts["assessed"]
    withdrawn = Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=False).exclude(
        organization__in=Enrolment.objects.filter(programme=programme, withdrawn_at__isnull=True).values("organization")
    )
    if filters.group is not None:
        withdrawn = withdrawn.filter(group_id=filters.group)
    level_names = dict(scales.levels)

    pairs = Counter(
        {
            (row["level"], row["verified_level"]): row["n"]
            for row in members.filter(assessment__isnull=False)
            .values("level", "verified_level")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    self_levels: Counter[int] = Counter()
    verified_levels: Counter[int] = Counter()
    for (own, checked), n in pairs.items():
        self_levels[own] += n
        if checked is not None:
            verified_levels[checked] += n
    levels = [
        {"level": number, "name": name, "self": self_levels.get(number, 0), "verified": verified_levels.get(number, 0)}
        for number, name in scales.levels
    ]

    dimensions = []
    for key, name, maximum, scale in scales.dimensions:
        dimensions.append(
            {
                "key": key,
                "name": name,
                "scale": scale,
                "self": distribution(_sorted_values(assessed_members, _dimension("dimensions", key)), maximum),
                "verified": distribution(_sorted_values(members, _dimension("verified_dimensions", key)), maximum),
            }
        )

    heat = scenario_counts(assessed_members, [key for key, _name in scales.scenarios])
    scenario_rows = [
        {
            "key": key,
            "name": name,
            "levels": [
                {"level": lvl, "count": heat.get((key, lvl), 0), "share": share(heat.get((key, lvl), 0), assessed)}
                for lvl in range(TOP_SCENARIO_LEVEL + 1)
            ],
        }
        for key, name in scales.scenarios
    ]

    gates: Counter[tuple[str, ...]] = Counter()
    for row in assessed_members.values("held_back_by").annotate(n=Count("pk")).order_by():
        gates[tuple(row["held_back_by"])] += row["n"]
    held_back = {
        "assessed": assessed,
        "score_only": gates.get(("score",), 0),
        "scenarios_only": gates.get(("scenarios",), 0),
        "both": gates.get(("score", "scenarios"), 0),
        "at_top": gates.get((), 0),
    }

    steps: Counter[str] = Counter()
    for row in assessed_members.exclude(path_steps=[]).values("path_steps").annotate(n=Count("pk")).order_by():
        for step in row["path_steps"]:
            steps[step] += row["n"]
    path_steps = [
        {"question": key, "name": question_name(scales, key), "count": n, "share": share(n, assessed)}
        for key, n in sorted(steps.items(), key=lambda item: (-item[1], item[0]))[:TOP_PATH_STEPS]
    ]

    with_uplift = assessed_members.filter(t0_assessment__isnull=False).exclude(t0_assessment=F("assessment"))
    level_change = ExpressionWrapper(F("level") - F("t0_level"), output_field=IntegerField())
    total_change = ExpressionWrapper(
        F("total") - F("t0_total"), output_field=DecimalField(max_digits=20, decimal_places=12)
    )
    changes = Counter(
        {
            row["change"]: row["n"]
            for row in with_uplift.annotate(change=level_change).values("change").annotate(n=Count("pk")).order_by()
        }
    )
    named = (
        with_uplift.annotate(level_change=level_change, total_change=total_change)
        .order_by("-level_change", "-total_change", "organization__name", "organization_id")
        .values_list(
            "organization_id",
            "organization__name",
            "t0_level",
            "level",
            "level_change",
            "t0_total",
            "total",
            "total_change",
        )[:NAMED_UPLIFT_ROWS]
    )
    uplift = {
        "count": sum(changes.values()),
        "rose": sum(n for change, n in changes.items() if change > 0),
        "same": changes.get(0, 0),
        "fell": sum(n for change, n in changes.items() if change < 0),
        "level_changes": [{"change": change, "count": n} for change, n in sorted(changes.items())],
        "level_change": spread(Decimal(c) for c, n in changes.items() for _ in range(n)),
        "total_change": spread(_sorted_values(with_uplift, total_change)),
        "smes": [
            {
                "organization": organization,
                "name": name,
                "t0_level": t0_level,
                "t1_level": t1_level,
                "level_change": change,
                "t0_total": exact(t0_total),
                "t1_total": exact(t1_total),
                "total_change": exact(t1_total - t0_total),
            }
            for organization, name, t0_level, t1_level, change, t0_total, t1_total, _c in named
        ],
    }

    return {
        "programme": programme.pk,
        "data_version": programme.data_version,
        "filters": filters.as_dict(),
        "language": language,
        "computed_at": timezone.now().isoformat(),
        "counts": {
            "enrolled": enrolled,
            "assessed": assessed,
            "verified": counts["verified"],
            "with_t0": counts["with_t0"],
            "withdrawn": withdrawn.count() if not filters.by_profile else None,
        },
        "target": {
            "level": programme.target_level,
            "level_name": level_names.get(programme.target_level, str(programme.target_level)),
            "share": exact(programme.target_share / 100),
            "date": programme.target_date.isoformat(),
            "self_at_target": counts["at_target_self"],
            "self_share": share(counts["at_target_self"], enrolled),
            "verified_at_target": counts["at_target_verified"],
            "verified_share": share(counts["at_target_verified"], enrolled),
        },
        "levels": levels,
        "self_vs_verified": [
            {"self": own, "verified": checked, "count": n}
            for (own, checked), n in sorted(pairs.items(), key=lambda p: (p[0][0], -1 if p[0][1] is None else p[0][1]))
            if checked is not None
        ],
        "total": {
            "self": distribution(_sorted_values(assessed_members, F("total")), scales.max_total),
            "verified": distribution(_sorted_values(members, F("verified_total")), scales.max_total),
        },
        "dimensions": dimensions,
        "scenarios": scenario_rows,
        "held_back": held_back,
        "path_steps": path_steps,
        "uplift": uplift,
        "progress": _progress(programme, members, enrolled),
    }


def _cache_key(programme: Programme, filters: CohortFilter, language: str) -> str:
    # The filters hashed: a city name may hold any character, and cache keys are safest in ASCII without spaces.
    digest = hashlib.sha256(filters.key.encode()).hexdigest()[:32]
    return f"cohort:v{CACHE_VERSION}:{programme.pk}:{programme.data_version}:{language}:{digest}"


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
