"""Every status of every model changes through the one helper (core.states).

The first tests walk the models: a model with a `status` field must declare its lifecycle
(a transitions table covering every status, and a history model). The last test reads
the code: nothing but the helper writes a status.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from core.states import Lifecycle, StateEvent

PROJECT_APPS = ("core", "recruiting", "curriculum", "assignments", "cms")

# Marks, not states: any value may follow any other, and each change is a row of its own
# history table (ModuleResultChange, AttendanceChange, ConsultantAttendanceChange), written
# by the marking services.
MARKS = {
    "curriculum.ModuleResult",
    "curriculum.Attendance",
    "curriculum.ModuleResultChange",
    "assignments.ConsultantAttendance",
}

# The services that write those marks: the only code besides the helper that assigns a
# field named `status`.
MARK_WRITERS = {"marks_save", "attendance_save", "consultant_attendance_save"}
CREATORS = {"create", "get_or_create", "update_or_create"}


def _status_models() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model.__name__}"
        if model._meta.app_label not in PROJECT_APPS or label in MARKS:
            continue
        if any(field.name == "status" for field in model._meta.concrete_fields):
            found.append(model)
    return found


STATUS_MODELS = _status_models()
STATUS_MODEL_NAMES = {model.__name__ for model in STATUS_MODELS}


def test_it_finds_the_models_that_have_a_status():
    names = {model.__name__ for model in STATUS_MODELS}
    assert {"Applicant", "Appointment", "Cohort", "Enrollment", "Certificate", "PoolMember"} <= names


@pytest.mark.parametrize("model", STATUS_MODELS, ids=lambda model: model.__name__)
def test_it_declares_a_transitions_table_over_every_status(model):
    lifecycle = getattr(model, "lifecycle", None)
    assert isinstance(lifecycle, Lifecycle), f"{model.__name__} has a status but no lifecycle"
    statuses = {value for value, _label in model._meta.get_field(lifecycle.field).choices}
    assert set(lifecycle.transitions) == statuses, "the table names every status, final ones with no move"
    for source, targets in lifecycle.transitions.items():
        assert set(targets) <= statuses, f"{source} moves to a status {model.__name__} does not have"
        assert source not in targets, f"{source} moves to itself: an event, not a move"
    default = model._meta.get_field(lifecycle.field).default
    reachable = {default} | {target for targets in lifecycle.transitions.values() for target in targets}
    assert reachable == statuses, f"{statuses - reachable} can never be reached"


@pytest.mark.parametrize("model", STATUS_MODELS, ids=lambda model: model.__name__)
def test_it_keeps_a_history_of_each_move(model):
    history, subject = model.lifecycle.history_model(model)
    assert issubclass(history, StateEvent)
    assert history._meta.get_field(subject).related_model is model


def _status_writes(tree: ast.AST) -> list[tuple[int, str]]:
    """Return the lines that write a `status` other than through the helper, outside the mark writers.

    They are: an assignment to `.status`, `update(status=...)`, and a row of a model with a
    lifecycle created with a status (`X.objects.create(status=...)`, `X(status=...)`).
    A new row starts in its model's default status and moves from there.
    """
    found = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if function not in MARK_WRITERS:
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "status":
                        found.append((node.lineno, "assigns .status"))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "update" and any(keyword.arg == "status" for keyword in node.keywords):
                    found.append((node.lineno, "update(status=...)"))
            if isinstance(node, ast.Call) and any(keyword.arg == "status" for keyword in node.keywords):
                model = _created_model(node)
                if model in STATUS_MODEL_NAMES:
                    found.append((node.lineno, f"creates a {model} with a status"))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, "")
    return found


def _created_model(call: ast.Call) -> str | None:
    """Return the model name `call` creates a row of (`Model(...)`, `Model.objects.create(...)`), if any."""
    func = call.func
    if isinstance(func, ast.Name) and func.id[:1].isupper():
        return func.id
    if isinstance(func, ast.Attribute) and func.attr in CREATORS:
        manager = func.value
        if isinstance(manager, ast.Attribute) and isinstance(manager.value, ast.Name):
            return manager.value.id
    return None


def test_it_finds_no_status_written_outside_the_helper():
    root = Path(settings.BASE_DIR)
    offenders = []
    # bench/ is left out: a benchmark bulk-inserts thousands of rows in the state it measures.
    for folder in (*PROJECT_APPS, "config"):
        for path in sorted((root / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, what in _status_writes(ast.parse(path.read_text(encoding="utf-8"))):
                offenders.append(f"{path.relative_to(root)}:{line} {what}")
    assert offenders == []


@pytest.mark.parametrize("model", STATUS_MODELS, ids=lambda model: model.__name__)
def test_it_labels_the_history_with_the_statuses_of_its_model(model):
    history, _subject = model.lifecycle.history_model(model)
    choices = model._meta.get_field(model.lifecycle.field).choices
    assert history.status_labels() == {value: str(label) for value, label in choices}
    first, last = choices[0][0], choices[-1][0]
    assert history(from_status=first, to_status=last).get_to_status_display() == str(choices[-1][1])
