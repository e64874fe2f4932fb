"""A framework version's texts in one language, found by key: for pages, reports and the API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import get_language, gettext

from assessment.framework_format import Document, localised
from assessment.models import FrameworkVersion
from assessment.selectors import framework_version_document

LANGUAGES = ("zh-Hans", "en")  # the languages of framework texts, reports and pages


def document_language() -> str:
    """The framework text language of the request: "en" or "zh-Hans" (the default)."""
    return "en" if (get_language() or "").startswith("en") else "zh-Hans"


@dataclass(frozen=True)
class Place:
    """Where a question sits: its node of the localised document, and its indicator's and dimension's names."""

    node: Document
    indicator: str
    dimension: str


@dataclass(frozen=True)
class FrameworkTexts:
    language: str
    document: Document  # the normalised document with every text in `language`
    places: Mapping[str, Place]  # by question key, in framework order
    levels: Mapping[int, Document]  # by level number, the base level's under its own: {"name", "description", …}
    dimension_names: Mapping[str, str]
    indicator_names: Mapping[str, str]

    @property
    def title(self) -> str:
        return str(self.document["title"])

    def level_name(self, level: int | None) -> str:
        """The level's name; a base level 0 reads "Below Level 1" in English.

        Level 0 is what a rated firm gets below the first level. The MIIT file's English name for it,
        "Not yet rated" (ours, inside the content hash), is wrong for a firm that was rated; the framework's
        Chinese name, 未达到一级, says just "below level 1" and is kept.
        """
        info = self.levels.get(level) if level is not None else None
        if not info:
            return "—"
        levels = self.document["levels"]
        rated = [rule["level"] for rule in levels["rules"]]
        if level == 0 and levels["base"]["level"] == 0 and rated and self.language == "en":
            return gettext("Below %(level)s") % {"level": self.levels[min(rated)]["name"]}
        return str(info["name"])

    def options(self, key: str) -> dict[str, str]:
        """A question's option texts by option key."""
        return {o["key"]: o["text"] for o in self.places[key].node.get("options", [])}

    def unit(self, key: str) -> str:
        return str(self.places[key].node.get("unit") or "")


def _indicators(indicators: list[Document]) -> list[Document]:
    found: list[Document] = []
    for indicator in indicators:
        found.append(indicator)
        found.extend(_indicators(indicator["indicators"]))
    return found


@lru_cache(maxsize=32)
def _texts(version_id: int, content_hash: str, language: str) -> FrameworkTexts:
    version = FrameworkVersion.objects.select_related("framework").get(pk=version_id)
    document = localised(framework_version_document(version), language)
    places: dict[str, Place] = {}
    indicator_names: dict[str, str] = {}
    for dimension in document["dimensions"]:
        for indicator in _indicators(dimension["indicators"]):
            indicator_names[indicator["key"]] = indicator["text"]
            for question in indicator["questions"]:
                places[question["key"]] = Place(question, indicator["text"], dimension["text"])
    levels = document["levels"]
    return FrameworkTexts(
        language=language,
        document=document,
        places=places,
        levels={levels["base"]["level"]: levels["base"]} | {rule["level"]: rule for rule in levels["rules"]},
        dimension_names={d["key"]: d["text"] for d in document["dimensions"]},
        indicator_names=indicator_names,
    )


def framework_texts(version: FrameworkVersion, language: str) -> FrameworkTexts:
    """The version's texts in `language`, built once per process (published versions never change)."""
    return _texts(version.pk, version.content_hash, language)


@dataclass(frozen=True)
class QuestionGuidance:
    """Suggested documents for one question in one language: for any answer, and per scenario level."""

    documents: tuple[str, ...]
    levels: tuple[tuple[int, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Guidance:
    note: str  # who wrote it and its standing (e.g. third-party, not official): shown beside it
    questions: Mapping[str, QuestionGuidance]


def framework_guidance(version: FrameworkVersion, language: str) -> Guidance | None:
    """The version's guidance in `language`, read afresh from the row: it may be amended, unlike the texts."""
    raw = version.guidance
    if not raw:
        return None
    questions = {
        key: QuestionGuidance(
            documents=tuple(text[language] for text in entry.get("documents", [])),
            levels=tuple(
                (item["level"], tuple(text[language] for text in item["documents"])) for item in entry.get("levels", [])
            ),
        )
        for key, entry in raw["questions"].items()
    }
    return Guidance(note=raw["note"][language], questions=questions)
