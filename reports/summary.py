"""The executive summary's facts and the cover's profile: the level ladder, what holds the next level back in
plain words, the change since the previous assessment, the peers in one line. Data only: templates word it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from assessment.framework_texts import FrameworkTexts
from assessment.models import Organization
from scoring.results import Level, ResultsView, level_of, profile_name
from scoring.wording import quantity


@dataclass(frozen=True)
class Profile:
    """The enterprise as the cover presents it, in the report's language; blanks where it is not known."""

    name: str
    uscc: str
    sector: str
    size_band: str
    province: str
    employees: int | None
    revenue: str  # with its unit, e.g. "CNY 168 million" / "16800万元"


@dataclass(frozen=True)
class Rung:
    level: Level
    self_assessed: bool  # where the self-assessment stands
    verified: bool  # where the signed verification stands
    next: bool  # the level above the self-assessment


@dataclass(frozen=True)
class Candidate:
    name: str
    level: int
    constrained: bool


@dataclass(frozen=True)
class Shortfall:
    """One thing that holds the next level back: the score short of its minimum, or scenarios short of a level."""

    kind: str  # "score" or "scenarios"
    required: Decimal  # score: the minimum; scenarios: how many at `scenario_level` or above
    actual: Decimal
    more: Decimal  # score: points still needed
    scenarios_more: int  # scenarios: how many more at `scenario_level` or above
    scenario_level: int
    constrained_more: int  # of `more`, how many must be constrained scenarios
    candidates: tuple[Candidate, ...]  # the scenarios closest to `scenario_level`, constrained first as needed


@dataclass(frozen=True)
class Change:
    date: object
    before: Level
    now: Level
    delta: Decimal  # total now minus total before


def profile(organization: Organization, language: str) -> Profile:
    unit = "10k CNY" if language == "en" else "万元"
    revenue = organization.annual_revenue
    return Profile(
        name=organization.name,
        uscc=organization.uscc,
        sector=profile_name("sector", organization.sector, language),
        size_band=profile_name("size_band", organization.size_band, language),
        province=profile_name("province", organization.province, language),
        employees=organization.employees,
        revenue=quantity(revenue, unit, language) if revenue is not None else "",
    )


def ladder(texts: FrameworkTexts, self_level: int, verified_level: int | None) -> tuple[Rung, ...]:
    """Every level of the framework from the lowest, with where the firm stands."""
    return tuple(
        Rung(level_of(texts, number), number == self_level, number == verified_level, number == self_level + 1)
        for number in sorted(texts.levels)
    )


def shortfalls(view: ResultsView) -> tuple[Shortfall, ...]:
    """What the next level still needs, in the terms a reader acts on: points, and which scenarios to raise."""
    if view.next_level is None:
        return ()
    rule = next((r for r in view.framework.rules if r.level == view.next_level.number), None)
    blocking = {gate.kind: gate for gate in view.blocking}
    found = []
    score = blocking.get("score")
    if score is not None:
        found.append(Shortfall("score", score.required, score.actual, score.shortfall, 0, 0, 0, ()))
    if rule is not None and rule.scenarios is not None and ("scenarios" in blocking or "constrained" in blocking):
        need = rule.scenarios
        below = [s for s in view.scenarios if s.level < need.level]
        at = len(view.scenarios) - len(below)
        constrained_at = sum(1 for s in view.scenarios if s.constrained and s.level >= need.level)
        constrained_more = max(0, need.constrained - constrained_at)
        more = max(need.count - at, constrained_more)
        closest = sorted(below, key=lambda s: (-s.level, not s.constrained))
        chosen = [s for s in closest if s.constrained][:constrained_more]
        chosen += [s for s in closest if s not in chosen][: more - len(chosen)]
        found.append(
            Shortfall(
                "scenarios",
                Decimal(need.count),
                Decimal(at),
                Decimal(0),
                more,
                need.level,
                constrained_more,
                tuple(Candidate(s.name, s.level, s.constrained) for s in chosen),
            )
        )
    return tuple(found)


def change(view: ResultsView) -> Change | None:
    if view.previous is None:
        return None
    return Change(view.previous.date, view.previous.level, view.level, view.card.total - view.previous.total)
