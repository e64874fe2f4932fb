"""Database triggers behind the services' rules: a published framework version and the answers of a
submitted assessment never change, whatever code (or SQL) tries.

PostgreSQL raises SQLSTATE 23000 and SQLite RAISE(ABORT), so Django reports an IntegrityError on both.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

NODE_TABLES = ["assessment_dimension", "assessment_indicator", "assessment_question", "assessment_option"]
VERSION_CONTENT = [
    "framework_id",
    "label",
    "content_hash",
    "format",
    "title_zh_hans",
    "title_en",
    "description_zh_hans",
    "description_en",
    "source",
    "scoring",
    "levels",
    "published_at",
]
EDITABLE = "('draft', 'returned')"

POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION assessment_framework_node_guard() RETURNS trigger AS $$
DECLARE
    row_version bigint;
    version_status text;
BEGIN
    FOREACH row_version IN ARRAY (CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.version_id]
        WHEN 'DELETE' THEN ARRAY[OLD.version_id]
        ELSE ARRAY[OLD.version_id, NEW.version_id] END)
    LOOP
        SELECT status INTO version_status FROM assessment_frameworkversion WHERE id = row_version;
        IF version_status IS NOT NULL AND version_status <> 'draft' THEN
            RAISE EXCEPTION 'framework version % is %: its content cannot change', row_version, version_status
                USING ERRCODE = '23000';
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION assessment_framework_version_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'framework version % is %: it cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = '23000';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.status = 'draft'
        OR ROW({", ".join(f"NEW.{c}" for c in VERSION_CONTENT)}) IS DISTINCT FROM
           ROW({", ".join(f"OLD.{c}" for c in VERSION_CONTENT)})
    ) THEN
        RAISE EXCEPTION 'framework version % is %: its content cannot change', OLD.id, OLD.status
            USING ERRCODE = '23000';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION assessment_answer_guard() RETURNS trigger AS $$
DECLARE
    row_assessment bigint;
    assessment_status text;
BEGIN
    FOREACH row_assessment IN ARRAY (CASE TG_OP
        WHEN 'INSERT' THEN ARRAY[NEW.assessment_id]
        WHEN 'DELETE' THEN ARRAY[OLD.assessment_id]
        ELSE ARRAY[OLD.assessment_id, NEW.assessment_id] END)
    LOOP
        SELECT status INTO assessment_status FROM assessment_assessment WHERE id = row_assessment;
        IF assessment_status IS NOT NULL AND assessment_status NOT IN {EDITABLE} THEN
            RAISE EXCEPTION 'assessment % is %: its answers cannot change', row_assessment, assessment_status
                USING ERRCODE = '23000';
        END IF;
    END LOOP;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
"""


def _postgres_sql() -> tuple[list[str], list[str]]:
    forward = [POSTGRES_FUNCTIONS]
    backward = []
    for table in NODE_TABLES:
        forward.append(
            f"CREATE TRIGGER {table}_guard BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION assessment_framework_node_guard();"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};")
    forward.append(
        "CREATE TRIGGER assessment_frameworkversion_guard BEFORE UPDATE OR DELETE ON assessment_frameworkversion "
        "FOR EACH ROW EXECUTE FUNCTION assessment_framework_version_guard();"
    )
    forward.append(
        "CREATE TRIGGER assessment_answer_guard BEFORE INSERT OR UPDATE OR DELETE ON assessment_answer "
        "FOR EACH ROW EXECUTE FUNCTION assessment_answer_guard();"
    )
    backward += [
        "DROP TRIGGER IF EXISTS assessment_frameworkversion_guard ON assessment_frameworkversion;",
        "DROP TRIGGER IF EXISTS assessment_answer_guard ON assessment_answer;",
        "DROP FUNCTION IF EXISTS assessment_framework_node_guard();",
        "DROP FUNCTION IF EXISTS assessment_framework_version_guard();",
        "DROP FUNCTION IF EXISTS assessment_answer_guard();",
    ]
    return forward, backward


def _sqlite_trigger(name: str, event: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {condition} BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    )


def _sqlite_sql() -> tuple[list[str], list[str]]:
    forward, names = [], []

    def version_status(ref: str) -> str:
        return f"(SELECT status FROM assessment_frameworkversion WHERE id = {ref}.version_id) <> 'draft'"

    def assessment_status(ref: str) -> str:
        return f"(SELECT status FROM assessment_assessment WHERE id = {ref}.assessment_id) NOT IN {EDITABLE}"

    node_message = "framework version is not a draft: its content cannot change"
    answer_message = "assessment is submitted: its answers cannot change"
    for table in NODE_TABLES:
        for event, condition in (
            ("INSERT", version_status("NEW")),
            ("UPDATE", f"{version_status('OLD')} OR {version_status('NEW')}"),
            ("DELETE", version_status("OLD")),
        ):
            names.append(f"{table}_guard_{event.lower()}")
            forward.append(_sqlite_trigger(names[-1], event, table, condition, node_message))
    for event, condition in (
        ("INSERT", assessment_status("NEW")),
        ("UPDATE", f"{assessment_status('OLD')} OR {assessment_status('NEW')}"),
        ("DELETE", assessment_status("OLD")),
    ):
        names.append(f"assessment_answer_guard_{event.lower()}")
        forward.append(_sqlite_trigger(names[-1], event, "assessment_answer", condition, answer_message))
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in VERSION_CONTENT)
    names.append("assessment_frameworkversion_guard_update")
    forward.append(
        _sqlite_trigger(
            names[-1],
            "UPDATE",
            "assessment_frameworkversion",
            f"OLD.status <> 'draft' AND (NEW.status = 'draft' OR {changed})",
            "framework version is not a draft: its content cannot change",
        )
    )
    names.append("assessment_frameworkversion_guard_delete")
    forward.append(
        _sqlite_trigger(
            names[-1],
            "DELETE",
            "assessment_frameworkversion",
            "OLD.status <> 'draft'",
            "framework version is not a draft: it cannot be deleted",
        )
    )
    return forward, [f"DROP TRIGGER IF EXISTS {name};" for name in names]


def _run(schema_editor: BaseDatabaseSchemaEditor, index: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # psycopg reads "%" as a placeholder; RAISE's format needs it doubled.
        statements = [s.replace("%", "%%") for s in _postgres_sql()[index]]
    elif vendor == "sqlite":
        statements = _sqlite_sql()[index]
    else:
        raise RuntimeError(f"No immutability triggers for {vendor}; add them before using this database.")
    for statement in statements:
        schema_editor.execute(statement)


def forward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, 0)


def backward(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
