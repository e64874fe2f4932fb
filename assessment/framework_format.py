"""Read, validate and normalise framework files (format 1). Pure Python: no Django import.

The JSON Schema (frameworks/framework.schema.json) fixes the structure; `_Checker` adds the rules a
schema cannot express. `load_document` returns the normalised document and its content hash, or
raises FrameworkFileError listing every problem with its path.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from scoring.engine.intervals import Interval

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "frameworks" / "framework.schema.json"
LANGUAGES = ("zh-Hans", "en")
CHOICE_KINDS = ("single_choice", "multiple_choice")
GUIDANCE = "guidance"  # suggested documents: a top-level block outside the content hash
PLAN = "plan"  # effort and cost estimates: a top-level block outside the content hash
OUTSIDE_HASH = (GUIDANCE, PLAN)
PLAN_CLASSES = ("policy", "training", "tool", "integration", "equipment")
SIZE_BANDS = ("micro", "small", "medium", "large")

Document = dict[str, Any]


class FrameworkFileError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _DecimalLoader(yaml.SafeLoader):
    """A safe YAML loader that reads floats as exact decimals, never as binary floats."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.Node) -> Decimal:
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return Decimal(str(value).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def read_yaml(source: str | Path) -> Any:
    """Parse YAML text (or a file path) with floats as Decimal."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    base = jsonschema.Draft202012Validator
    type_checker = base.TYPE_CHECKER.redefine(
        "number", lambda _checker, value: isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    )
    validator_class = jsonschema.validators.extend(base, type_checker=type_checker)
    return validator_class(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


def _path(parts: Any) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _schema_problems(document: Any) -> list[str]:
    problems = []
    for error in sorted(_schema_validator().iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        # For if/then/else and anyOf failures the top message is vague; name the rule that failed.
        message = {
            "not": "has a field that does not belong to this question kind",
            "minItems": f"needs at least {error.validator_value} item(s)",
            "maxItems": f"allows at most {error.validator_value} item(s)",
            "type": f"must be of type {error.validator_value}",
        }.get(str(error.validator), error.message)
        problems.append(f"{_path(error.absolute_path)}: {message}")
    return problems


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def canonical_decimal(value: Decimal) -> str:
    """'1.50' and '1.5' are the same number: one spelling for hashing and export."""
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


# --- normalisation: defaults filled, numbers as Decimal ---------------------------------------


def _text(value: dict[str, str] | None) -> dict[str, str] | None:
    return None if value is None else {lang: value[lang].strip() for lang in LANGUAGES}


def _node_fields(raw: dict[str, Any]) -> Document:
    """The fields every node of the tree has."""
    return {
        "key": raw["key"],
        "text": _text(raw["text"]),
        "help": _text(raw.get("help")),
        "points": _dec(raw["points"]),
        "weight": _dec(raw.get("weight")),
    }


def _option(raw: dict[str, Any]) -> Document:
    return {
        **_node_fields(raw),
        "exclusive": raw.get("exclusive", False),
        "band": raw.get("band"),
    }


def _evidence(raw: dict[str, Any]) -> Document:
    return {
        "key": raw["key"],
        "type": raw["type"],
        "label": _text(raw["label"]),
        "unit": _text(raw.get("unit")),
        "help": _text(raw.get("help")),
        "required": raw.get("required", False),
        "min": _dec(raw.get("min")),
        "max": _dec(raw.get("max")),
    }


def _question(raw: dict[str, Any]) -> Document:
    kind = raw["kind"]
    question: Document = {
        **_node_fields(raw),
        "kind": kind,
        "definition": _text(raw.get("definition")),
        "required": raw.get("required", kind != "text"),
        "not_applicable": raw.get("not_applicable"),
        "effort": _dec(raw.get("effort", 1)),
        "evidence": [_evidence(e) for e in raw.get("evidence", [])],
    }
    if kind in CHOICE_KINDS:
        question["options"] = [_option(o) for o in raw["options"]]
    if kind == "single_choice":
        question["suggest"] = raw.get("suggest")
    if kind == "multiple_choice":
        question["cap"] = _dec(raw.get("cap"))
    if kind == "banded_number":
        question["bands"] = [
            {"range": b["range"], "points": _dec(b["points"]), "text": _text(b.get("text"))} for b in raw["bands"]
        ]
    if kind in ("banded_number", "before_after"):
        question["unit"] = _text(raw.get("unit"))
    if kind == "scenario":
        question["constrained"] = raw.get("constrained", False)
        question["descriptors"] = sorted(
            ({"level": d["level"], "text": _text(d["text"])} for d in raw["descriptors"]), key=lambda d: d["level"]
        )
        level_points = raw.get("level_points")
        question["level_points"] = None if level_points is None else [_dec(p) for p in level_points]
    if kind == "before_after":
        question["better"] = raw["better"]
        question["outcome_points"] = {k: _dec(v) for k, v in raw["outcome_points"].items()}
    if kind == "text":
        question["max_length"] = raw.get("max_length")
    return question


def _indicator(raw: dict[str, Any]) -> Document:
    return {
        **_node_fields(raw),
        "indicators": [_indicator(i) for i in raw.get("indicators", [])],
        "questions": [_question(q) for q in raw.get("questions", [])],
    }


def _level(raw: dict[str, Any]) -> Document:
    level: Document = {"level": raw["level"], "name": _text(raw["name"]), "description": _text(raw.get("description"))}
    if "gates" in raw:
        score = raw["gates"].get("score")
        scenarios = raw["gates"].get("scenarios")
        level["gates"] = {
            "score": None if score is None else {"min": _dec(score["min"]), "inclusive": score.get("inclusive", True)},
            "scenarios": None
            if scenarios is None
            else {
                "level": scenarios["level"],
                "count": scenarios["count"],
                "constrained": scenarios.get("constrained", 0),
            },
        }
    return level


def _documents(raw: list[dict[str, str]] | None) -> list[dict[str, str] | None]:
    return [_text(item) for item in raw or []]


def _guidance(raw: dict[str, Any] | None) -> Document | None:
    """Suggested documents per question and per scenario level (third-party guidance, outside the hash)."""
    if raw is None:
        return None
    return {
        "note": _text(raw["note"]),
        "questions": {
            key: {
                "documents": _documents(entry.get("documents")),
                "levels": sorted(
                    (
                        {"level": item["level"], "documents": _documents(item["documents"])}
                        for item in entry.get("levels", [])
                    ),
                    key=lambda item: item["level"],
                ),
            }
            for key, entry in raw["questions"].items()
        },
    }


def _plan(raw: dict[str, Any] | None) -> Document | None:
    """Effort classes with durations and cost bands, each question's class per rung, caveats (outside the hash)."""
    if raw is None:
        return None
    return {
        "note": _text(raw["note"]),
        "unit": _text(raw["unit"]),
        "classes": {
            key: {
                "name": _text(spec["name"]),
                "weeks": list(spec["weeks"]),
                "cost": {size: [_dec(v) for v in spec["cost"][size]] for size in SIZE_BANDS},
            }
            for key, spec in raw["classes"].items()
        },
        "steps": {
            key: value if isinstance(value, str) else {str(rung): cls for rung, cls in value.items()}
            for key, value in raw["steps"].items()
        },
        "caveats": [
            {
                "question": c["question"],
                "rungs": [str(r) for r in c["rungs"]],
                "sizes": list(c["sizes"]),
                "text": _text(c["text"]),
            }
            for c in raw.get("caveats", [])
        ],
    }


def stored_plan(stored: dict[str, Any] | None) -> Document | None:
    """A plan as FrameworkVersion.plan keeps it (decimals as strings), with its cost bands as Decimal again."""
    if not stored:
        return None
    classes = {
        key: {**spec, "cost": {size: [Decimal(v) for v in band] for size, band in spec["cost"].items()}}
        for key, spec in stored["classes"].items()
    }
    return {**stored, "classes": classes}


def normalise(raw: Document) -> Document:
    """Return the document with every default filled in; assumes it passed the schema."""
    return {
        "format": raw["format"],
        "slug": raw["slug"],
        "version": str(raw["version"]),
        "title": _text(raw["title"]),
        "description": _text(raw.get("description")),
        "source": raw.get("source", ""),
        "scoring": {"total": raw["scoring"]["total"]},
        "levels": {"base": _level(raw["levels"]["base"]), "rules": [_level(r) for r in raw["levels"]["rules"]]},
        "dimensions": [
            {**_node_fields(d), "indicators": [_indicator(i) for i in d["indicators"]]} for d in raw["dimensions"]
        ],
        GUIDANCE: _guidance(raw.get(GUIDANCE)),
        PLAN: _plan(raw.get(PLAN)),
    }


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return canonical_decimal(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def content_hash(document: Document) -> str:
    """SHA-256 of the canonical JSON of a normalised document, its guidance and plan left out.

    The guidance and the plan are advice about the content (which documents show an answer, what a step
    costs), not the content: amending them must not make a published version a new one, nor change the hash
    its assessments were made against.
    """
    hashed = {key: value for key, value in document.items() if key not in OUTSIDE_HASH}
    canonical = json.dumps(hashed, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- rules beyond the schema ------------------------------------------------------------------


def walk_indicators(indicators: list[Document], path: str) -> Iterator[tuple[str, Document]]:
    """Yield (path, indicator) for every indicator, depth first in file order."""
    for index, indicator in enumerate(indicators):
        here = f"{path}.indicators[{index}]"
        yield here, indicator
        yield from walk_indicators(indicator["indicators"], here)


def walk_questions(document: Document) -> Iterator[tuple[str, Document]]:
    """Yield (path, question) for every question in file order."""
    for d_index, dimension in enumerate(document["dimensions"]):
        for path, indicator in walk_indicators(dimension["indicators"], f"dimensions[{d_index}]"):
            for q_index, question in enumerate(indicator["questions"]):
                yield f"{path}.questions[{q_index}]", question


def best_points(question: Document) -> Decimal:
    """The highest score a question can earn under its own rules."""
    kind = question["kind"]
    if kind == "single_choice":
        return max(o["points"] for o in question["options"])
    if kind == "multiple_choice":
        combined = sum((o["points"] for o in question["options"] if not o["exclusive"]), Decimal(0))
        if question["cap"] is not None:
            combined = min(combined, question["cap"])
        return max([combined, *(o["points"] for o in question["options"] if o["exclusive"])])
    if kind == "banded_number":
        return max(b["points"] for b in question["bands"])
    if kind == "scenario":
        return max(question["level_points"] or [Decimal(0)])
    if kind == "before_after":
        return max(question["outcome_points"].values())
    if kind == "yes_no":
        return question["points"]
    return Decimal(0)


class _Checker:
    def __init__(self, document: Document) -> None:
        self.doc = document
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def unique(self, path: str, items: list[Any], field: str = "key") -> None:
        seen: set[Any] = set()
        for item in items:
            value = item[field]
            if value in seen:
                self.add(path, f'duplicate {field} "{value}"' if field == "key" else f"duplicate {field} {value}")
            seen.add(value)

    def weight(self, path: str, node: Document, parent_points: Decimal) -> None:
        if node["weight"] is not None and node["points"] != parent_points * node["weight"] / 100:
            self.add(
                path,
                f"points {canonical_decimal(node['points'])} do not match weight {canonical_decimal(node['weight'])}% "
                f"of the parent's {canonical_decimal(parent_points)}",
            )

    def run(self) -> list[str]:
        doc = self.doc
        questions = list(walk_questions(doc))
        self.check_keys(questions)
        total_max = self.total_max()
        for d_index, dimension in enumerate(doc["dimensions"]):
            self.weight(f"dimensions[{d_index}]", dimension, total_max)
            self.check_children(f"dimensions[{d_index}]", dimension)
        for path, indicator in (
            item
            for d_index, d in enumerate(doc["dimensions"])
            for item in walk_indicators(d["indicators"], f"dimensions[{d_index}]")
        ):
            self.check_children(path, indicator)
        by_key = {q["key"]: q for _, q in questions}
        for path, question in questions:
            self.check_question(path, question, by_key)
        self.check_levels([q for _, q in questions if q["kind"] == "scenario"], total_max)
        self.check_guidance(by_key)
        self.check_plan(by_key)
        return self.problems

    def total_max(self) -> Decimal:
        points = sum((d["points"] for d in self.doc["dimensions"]), Decimal(0))
        return points / len(self.doc["dimensions"]) if self.doc["scoring"]["total"] == "mean" else points

    def check_keys(self, questions: list[tuple[str, Document]]) -> None:
        seen: dict[str, str] = {}
        nodes = [(f"dimensions[{i}]", d) for i, d in enumerate(self.doc["dimensions"])]
        for d_index, dimension in enumerate(self.doc["dimensions"]):
            nodes.extend(walk_indicators(dimension["indicators"], f"dimensions[{d_index}]"))
        nodes.extend(questions)
        for path, node in nodes:
            if node["key"] in seen:
                self.add(path, f'duplicate key "{node["key"]}" (first used at {seen[node["key"]]})')
            else:
                seen[node["key"]] = path

    def check_children(self, path: str, node: Document) -> None:
        for index, child in enumerate(node["indicators"]):
            self.weight(f"{path}.indicators[{index}]", child, node["points"])
        for index, child in enumerate(node.get("questions", [])):
            self.weight(f"{path}.questions[{index}]", child, node["points"])

    def check_question(self, path: str, question: Document, by_key: dict[str, Document]) -> None:
        kind = question["kind"]
        self.unique(f"{path}.evidence", question["evidence"])
        for index, field in enumerate(question["evidence"]):
            if field["min"] is not None and field["max"] is not None and field["min"] > field["max"]:
                self.add(f"{path}.evidence[{index}]", "min is greater than max")
            if field["type"] in ("text", "boolean") and (field["min"] is not None or field["max"] is not None):
                self.add(f"{path}.evidence[{index}]", f"min and max apply to numbers, not {field['type']}")
        if kind in CHOICE_KINDS:
            self.check_options(path, question)
        if kind == "banded_number":
            self.check_intervals(f"{path}.bands", [b["range"] for b in question["bands"]])
        if kind == "scenario":
            self.unique(f"{path}.descriptors", question["descriptors"], "level")
            missing = {1, 2, 3, 4} - {d["level"] for d in question["descriptors"]}
            if missing:
                self.add(f"{path}.descriptors", f"no descriptor for level {', '.join(map(str, sorted(missing)))}")
        if kind == "text" and question["points"] != 0:
            self.add(f"{path}.points", "a text question is unscored: points must be 0")
        if question.get("suggest"):
            self.check_suggest(path, question, by_key)
        best = best_points(question)
        if kind != "yes_no" and question["points"] != best:
            self.add(
                f"{path}.points",
                f"declared {canonical_decimal(question['points'])} but the best possible answer scores "
                f"{canonical_decimal(best)}",
            )

    def check_options(self, path: str, question: Document) -> None:
        options = question["options"]
        self.unique(f"{path}.options", options)
        for index, option in enumerate(options):
            self.weight(f"{path}.options[{index}]", option, question["points"])
            if option["exclusive"] and question["kind"] != "multiple_choice":
                self.add(f"{path}.options[{index}]", "exclusive applies only to multiple_choice options")
            if option["band"] is not None and question["kind"] != "single_choice":
                self.add(f"{path}.options[{index}]", "band applies only to single_choice options")
        banded = [o["band"] for o in options if o["band"] is not None]
        if banded and len(banded) != len(options):
            self.add(f"{path}.options", "either every option has a band or none has")
        self.check_intervals(f"{path}.options", banded)

    def check_intervals(self, path: str, texts: list[str]) -> None:
        intervals: list[Interval] = []
        for text in texts:
            try:
                intervals.append(Interval.parse(text))
            except ValueError as exc:
                self.add(path, str(exc))
        for index, first in enumerate(intervals):
            for second in intervals[index + 1 :]:
                if first.overlaps(second):
                    self.add(path, f"bands {first} and {second} overlap")

    def check_suggest(self, path: str, question: Document, by_key: dict[str, Document]) -> None:
        if not all(o["band"] for o in question["options"]):
            self.add(f"{path}.suggest", "suggest needs options with bands")
        for role in ("numerator", "denominator"):
            reference = question["suggest"][role]
            other_key, _, field = reference.rpartition(".")
            source = by_key.get(other_key) if other_key else question
            if source is None:
                self.add(f"{path}.suggest.{role}", f'no question "{other_key}"')
            elif not any(e["key"] == field and e["type"] in ("integer", "decimal") for e in source["evidence"]):
                self.add(f"{path}.suggest.{role}", f'no number evidence field "{field}" on question {source["key"]}')

    def check_levels(self, scenarios: list[Document], total_max: Decimal) -> None:
        levels = self.doc["levels"]
        rules = levels["rules"]
        self.unique("levels.rules", rules, "level")
        numbers = [r["level"] for r in rules]
        if numbers != sorted(numbers, reverse=True):
            self.add("levels.rules", "list the rules from the highest level down")
        if any(n <= levels["base"]["level"] for n in numbers):
            self.add("levels.rules", "every rule's level must be above the base level")
        constrained = sum(1 for s in scenarios if s["constrained"])
        for index, rule in enumerate(rules):
            path = f"levels.rules[{index}].gates"
            score = rule["gates"]["score"]
            if score is not None and score["min"] > total_max:
                self.add(f"{path}.score", f"min {canonical_decimal(score['min'])} is above the maximum total")
            gate = rule["gates"]["scenarios"]
            if gate is None:
                continue
            if gate["count"] > len(scenarios):
                self.add(f"{path}.scenarios", f"asks for {gate['count']} scenarios; the framework has {len(scenarios)}")
            if gate["constrained"] > gate["count"]:
                self.add(f"{path}.scenarios", "constrained must not exceed count")
            if gate["constrained"] > constrained:
                self.add(
                    f"{path}.scenarios",
                    f"asks for {gate['constrained']} constrained scenarios; the framework has {constrained}",
                )

    def check_guidance(self, by_key: dict[str, Document]) -> None:
        guidance = self.doc[GUIDANCE]
        if guidance is None:
            return
        for key, entry in guidance["questions"].items():
            path = f"guidance.questions.{key}"
            question = by_key.get(key)
            if question is None:
                self.add(path, f'no question "{key}"')
                continue
            if not entry["levels"]:
                continue
            if question["kind"] != "scenario":
                self.add(f"{path}.levels", "levels apply only to scenario questions")
                continue
            self.unique(f"{path}.levels", entry["levels"], "level")
            described = {d["level"] for d in question["descriptors"]} | {0}
            for item in entry["levels"]:
                if item["level"] not in described:
                    self.add(f"{path}.levels", f"question {key} has no level {item['level']}")

    def check_plan(self, by_key: dict[str, Document]) -> None:
        plan = self.doc[PLAN]
        if plan is None:
            return
        for key, spec in plan["classes"].items():
            low_weeks, high_weeks = spec["weeks"]
            if low_weeks > high_weeks:
                self.add(f"plan.classes.{key}.weeks", "min is greater than max")
            for size, (low, high) in spec["cost"].items():
                if low > high:
                    self.add(f"plan.classes.{key}.cost.{size}", "low is greater than high")
        for key, question in by_key.items():
            if question["kind"] in PLANNED_KINDS and key not in plan["steps"]:
                self.add("plan.steps", f"no effort class for question {key}")
        for key, value in plan["steps"].items():
            path = f"plan.steps.{key}"
            found = by_key.get(key)
            if found is None:
                self.add(path, f'no question "{key}"')
            elif found["kind"] not in PLANNED_KINDS:
                self.add(path, f"question {key} ({found['kind']}) is never a step of the path")
            elif isinstance(value, dict):
                rungs = _rungs(found)
                if rungs is None:
                    self.add(path, f"give {key} ({found['kind']}) one class for every rung")
                    continue
                for rung in value:
                    if rung not in rungs:
                        self.add(path, f'question {key} has no rung "{rung}" (rungs: {", ".join(rungs)})')
                for rung in _rungs_worth_points(found):
                    if rung not in value:
                        self.add(path, f'no effort class for rung "{rung}" of question {key}')
        for index, caveat in enumerate(plan["caveats"]):
            path = f"plan.caveats[{index}]"
            named = by_key.get(caveat["question"])
            if named is None:
                self.add(f"{path}.question", f'no question "{caveat["question"]}"')
                continue
            rungs = _rungs(named)
            if rungs is None:
                self.add(f"{path}.rungs", "caveats name option keys or scenario levels")
                continue
            for rung in caveat["rungs"]:
                if rung not in rungs:
                    self.add(f"{path}.rungs", f'question {named["key"]} has no rung "{rung}"')


PLANNED_KINDS = ("single_choice", "multiple_choice", "scenario", "banded_number", "yes_no")


def _rungs(question: Document) -> list[str] | None:
    """The rung keys a plan may name for a question: option keys, scenario levels "1"–"4"; None for other kinds."""
    if question["kind"] in CHOICE_KINDS:
        return [o["key"] for o in question["options"]]
    if question["kind"] == "scenario":
        return ["1", "2", "3", "4"]
    return None


def _rungs_worth_points(question: Document) -> list[str]:
    """The rungs a path may reach: options worth points (not "none of these"), every scenario level."""
    if question["kind"] in CHOICE_KINDS:
        return [o["key"] for o in question["options"] if o["points"] > 0 and not o["exclusive"]]
    return _rungs(question) or []


def validate(raw: Any) -> tuple[Document, list[str]]:
    """Return (normalised document or {}, problems)."""
    if not isinstance(raw, dict):
        return {}, ["(top level): a framework file is a YAML mapping"]
    problems = _schema_problems(raw)
    if problems:
        return {}, problems
    document = normalise(raw)
    return document, _Checker(document).run()


def load_document(source: str | Path) -> tuple[Document, str]:
    """Read a framework file; return (normalised document, content hash) or raise FrameworkFileError."""
    try:
        raw = read_yaml(source)
    except yaml.YAMLError as exc:
        raise FrameworkFileError([f"(file): not valid YAML: {exc}"]) from None
    document, problems = validate(raw)
    if problems:
        raise FrameworkFileError(problems)
    return document, content_hash(document)


# --- export -----------------------------------------------------------------------------------

_DEFAULTS: dict[str, Any] = {
    "source": "",
    "exclusive": False,
    "indicators": [],
    "questions": [],
    "evidence": [],
    "documents": [],
    "levels": [],
    "caveats": [],
}


def _prune(value: Any) -> Any:
    """Drop fields that hold their default, so exported files read like hand-written ones."""
    if isinstance(value, list):
        return [_prune(item) for item in value]
    if not isinstance(value, dict):
        return value
    pruned = {k: _prune(v) for k, v in value.items() if v is not None and _DEFAULTS.get(k, ...) != v}
    if "kind" in pruned:  # a question
        if pruned["required"] == (pruned["kind"] != "text"):
            del pruned["required"]
        if pruned["effort"] == 1:
            del pruned["effort"]
    elif "type" in pruned and pruned["required"] is False:  # an evidence field
        del pruned["required"]
    return pruned


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = canonical_decimal(value)
    tag = "tag:yaml.org,2002:int" if "." not in text else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)


def dump_document(document: Document) -> str:
    """Write a normalised document as YAML in the file format."""
    header = f"# {document['slug']}@{document['version']}: exported; content hash {content_hash(document)}\n"
    body = yaml.dump(_prune(document), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)
    return header + body


def localised(value: Any, language: str) -> Any:
    """The document with every {"zh-Hans": …, "en": …} text replaced by the one in `language`."""
    if isinstance(value, dict):
        if value.keys() == {"zh-Hans", "en"}:
            return value[language]
        return {key: localised(item, language) for key, item in value.items()}
    if isinstance(value, list):
        return [localised(item, language) for item in value]
    return value
