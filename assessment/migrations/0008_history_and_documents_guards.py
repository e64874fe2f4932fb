"""Database guards for the audit trail and evidence documents, like those of migration 0002.

History is append-only: no UPDATE or DELETE of an audit event, whatever code or SQL tries (PostgreSQL's
TRUNCATE, which only a test database's flush uses, is a statement of its own and not guarded).
A document never changes once stored, and is added or removed only while its assessment's answers may change.
PostgreSQL raises SQLSTATE 23000 and SQLite RAISE(ABORT), so Django reports an IntegrityError on both.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

EDITABLE = "('draft', 'returned')"

POSTGRES_FORWARD = [
    """
CREATE OR REPLACE FUNCTION assessment_auditevent_guard() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only: audit event % cannot be changed or deleted', OLD.id
        USING ERRCODE = '23000';
END $$ LANGUAGE plpgsql;
""",
    "CREATE TRIGGER assessment_auditevent_guard BEFORE UPDATE OR DELETE ON assessment_auditevent "
    "FOR EACH ROW EXECUTE FUNCTION assessment_auditevent_guard();",
    f"""
CREATE OR REPLACE FUNCTION assessment_evidencedocument_guard() RETURNS trigger AS $$
DECLARE
    assessment_status text;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'evidence document % cannot change', OLD.id USING ERRCODE = '23000';
    END IF;
    SELECT status INTO assessment_status FROM assessment_assessment
        WHERE id = (CASE TG_OP WHEN 'INSERT' THEN NEW.assessment_id ELSE OLD.assessment_id END);
    IF assessment_status IS NOT NULL AND assessment_status NOT IN {EDITABLE} THEN
        RAISE EXCEPTION 'the assessment is %: its documents cannot change', assessment_status
            USING ERRCODE = '23000';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
""",
    "CREATE TRIGGER assessment_evidencedocument_guard BEFORE INSERT OR UPDATE OR DELETE "
    "ON assessment_evidencedocument FOR EACH ROW EXECUTE FUNCTION assessment_evidencedocument_guard();",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS assessment_auditevent_guard ON assessment_auditevent;",
    "DROP TRIGGER IF EXISTS assessment_evidencedocument_guard ON assessment_evidencedocument;",
    "DROP FUNCTION IF EXISTS assessment_auditevent_guard();",
    "DROP FUNCTION IF EXISTS assessment_evidencedocument_guard();",
]


def _status_not_editable(ref: str) -> str:
    return f"(SELECT status FROM assessment_assessment WHERE id = {ref}.assessment_id) NOT IN {EDITABLE}"


SQLITE_TRIGGERS = {
    # name: (event, table, condition, message)
    "assessment_auditevent_guard_update": ("UPDATE", "assessment_auditevent", "1", "history is append-only"),
    "assessment_auditevent_guard_delete": ("DELETE", "assessment_auditevent", "1", "history is append-only"),
    "assessment_evidencedocument_guard_update": (
        "UPDATE",
        "assessment_evidencedocument",
        "1",
        "an evidence document cannot change",
    ),
    "assessment_evidencedocument_guard_insert": (
        "INSERT",
        "assessment_evidencedocument",
        _status_not_editable("NEW"),
        "the assessment is submitted: its documents cannot change",
    ),
    "assessment_evidencedocument_guard_delete": (
        "DELETE",
        "assessment_evidencedocument",
        _status_not_editable("OLD"),
        "the assessment is submitted: its documents cannot change",
    ),
}


def _statements(vendor: str, forward: bool) -> list[str]:
    if vendor == "postgresql":
        # psycopg reads "%" as a placeholder; RAISE's format needs it doubled.
        return [s.replace("%", "%%") for s in (POSTGRES_FORWARD if forward else POSTGRES_BACKWARD)]
    if vendor == "sqlite":
        if not forward:
            return [f"DROP TRIGGER IF EXISTS {name};" for name in SQLITE_TRIGGERS]
        return [
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            for name, (event, table, condition, message) in SQLITE_TRIGGERS.items()
        ]
    raise RuntimeError(f"No history guards for {vendor}; add them before using this database.")


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in _statements(schema_editor.connection.vendor, True):
        schema_editor.execute(statement)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    for statement in _statements(schema_editor.connection.vendor, False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0007_review_portal")]
    operations = [migrations.RunPython(forward, backward)]
