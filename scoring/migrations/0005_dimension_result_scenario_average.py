"""A dimension without points (MIIT's 数字化经营) is compared among peers by its scenarios' average level.

Its DimensionResult rows held 0 of 0; they now hold the average level (0–4) of 4, as result_rows stores it
(scoring.peers.dimension_metric). Worked out here from each result's stored card, which carries every
scenario's level: the same figures `manage.py rescore` would store.
"""

from decimal import Decimal

from django.db import migrations

PRECISION = Decimal(1).scaleb(-12)  # scoring.engine.numbers.PRECISION, as of this migration
TOP_SCENARIO_LEVEL = Decimal(4)


def _questions(node):
    return [*node.get("questions", []), *(key for child in node.get("children", []) for key in _questions(child))]


def fill_scenario_averages(apps, schema_editor):
    DimensionResult = apps.get_model("scoring", "DimensionResult")
    rows = DimensionResult.objects.filter(max=0).select_related("result").order_by("pk")
    changed = []
    for row in rows.iterator(chunk_size=1000):
        card = row.result.card or {}
        levels = card.get("scenario_levels", {})
        node = next((d for d in card.get("dimensions", []) if d.get("key") == row.dimension), None)
        found = [int(levels[key]) for key in _questions(node or {}) if key in levels]
        if found:
            row.score = (Decimal(sum(found)) / len(found)).quantize(PRECISION)
            row.max = TOP_SCENARIO_LEVEL
            changed.append(row)
        if len(changed) >= 1000:
            DimensionResult.objects.bulk_update(changed, ["score", "max"])
            changed = []
    DimensionResult.objects.bulk_update(changed, ["score", "max"])


def back_to_points(apps, schema_editor):
    DimensionResult = apps.get_model("scoring", "DimensionResult")
    rows = DimensionResult.objects.filter(max=TOP_SCENARIO_LEVEL).select_related("result")
    for row in rows.iterator(chunk_size=1000):
        node = next((d for d in (row.result.card or {}).get("dimensions", []) if d.get("key") == row.dimension), {})
        if node.get("max") == 0:
            DimensionResult.objects.filter(pk=row.pk).update(score=0, max=0)


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0004_results_exact"),
    ]

    operations = [migrations.RunPython(fill_scenario_averages, back_to_points)]
