"""The CLI does everything the app does: every job the app submits has a command.

The app runs its work as jobs (``self.jobs.submit(title, fn, ...)``, see ``app/jobs.py``). This
test finds every such call in ``app/`` by reading the source (no Qt needed) and looks the job
function up in :data:`ROUTES`. A new job without an entry fails here: give it a command (and add
the route), or say in :data:`NOT_A_COMMAND` why a terminal has no use for it.
"""

from __future__ import annotations

import ast
import shlex
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"

# job function (its name as the app passes it) -> the command that does the same
ROUTES = {
    "ensure_demo_workspace": "demo",
    "ensure_handson2_workspace": "walkthrough handson2 --step data",
    "import_model_file": "import WS model.h5",
    "train_job": "train --variant V --out WS --schedule cosine",
    "distill_job": "distill WS --teacher T --student S --schedule cosine",
    "compress_variant": "compress WS --variant V --op prune --param sparsity=0.8",
    "sensitivity_job": "sensitivity WS --variant V",
    "physics_job": "metrics WS --variant V --threshold 10",
    "add_baseline": "baseline WS --trigger roads --plateau 0.9",
    "profile_job": "profile WS --variant V",
    "autoprec_job": "hls WS --variant V estimate --auto-precision 0.99",
    "csim_job": "hls WS --variant V csim",
    "build_job": "hls WS --variant V build",
    "export_job": "hls WS --variant V export --out project.zip",
    "refit_job": "hls calibrate",
    "run_step": "walkthrough handson1 --step train",
    "discovery_job": "devices",
    "run_variant": "run WS --variant V --target emulator-hls --events 1000",
    "write_run_package": "deploy WS --variant V --target u50-hls --out package.zip",
    "import_results": "run --import results.json WS --variant V",
    "run_variant_remote": "run WS --variant V --target u50-hls --ssh user@host",
    "run_sweep": "sweep WS --variant V --axis sparsity=0.5:0.9:3",
    "materialize_point": "sweep WS --materialize S:P",
}

# app actions that are not jobs (they run at once) but are work a terminal user needs too
DIRECT_ACTIONS = {
    "import_reports": "hls WS --variant V import-report csynth.xml",
}

# jobs that are part of the app's interaction itself, with the reason they have no command
NOT_A_COMMAND = {
    "import_ml_stack": "imports TensorFlow in the background at start-up; every command imports what it needs",
    "_setup_job": "prepares the live slider preview; its applied result is `compress`",
    "_evaluate_job": "re-evaluates the live slider preview; its applied result is `compress`",
}


def submitted_job_functions() -> dict[str, str]:
    """``{job function name: 'file:line'}`` for every ``<...>.jobs.submit(title, fn, ...)`` in app/.

    A panel may submit through a helper of its own that resolves the function from names
    (``self._submit(title, "package", "write_run_package", ...)``): when the function submitted
    is a local variable of the helper, the jobs are named by the string constants its callers pass.
    """
    found: dict[str, str] = {}
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = str(path.relative_to(APP.parent))
        for func in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]:
            local = {
                t.id
                for a in ast.walk(func)
                if isinstance(a, ast.Assign)
                for t in a.targets
                if isinstance(t, ast.Name)
            }
            for node in ast.walk(func):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                if node.func.attr != "submit" or "jobs" not in ast.unparse(node.func.value):
                    continue
                assert len(node.args) >= 2, f"{where}:{node.lineno}: submit(title, fn, ...) expected"
                fn = node.args[1]
                if isinstance(fn, ast.Name) and fn.id in local:
                    for name, line in _names_passed_to(tree, func.name):
                        found.setdefault(name, f"{where}:{line}")
                else:
                    found.setdefault(ast.unparse(fn).rsplit(".", 1)[-1], f"{where}:{node.lineno}")
    return found


def _names_passed_to(tree: ast.AST, helper: str) -> list[tuple[str, int]]:
    """``(last string constant argument, line)`` of every call of ``helper`` (e.g. ``self._submit``)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and ast.unparse(node.func).rsplit(".", 1)[-1] == helper:
            names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            assert names, f"line {node.lineno}: {helper}(...) names no job function"
            out.append((names[-1], node.lineno))
    return out


def test_the_scan_finds_the_app_jobs():
    found = submitted_job_functions()
    # the ones any version of the app has: if these vanish, the scan is broken, not the app
    assert {"compress_variant", "train_job", "csim_job", "run_step"} <= set(found)


def test_every_app_job_has_a_cli_route():
    missing = {
        fn: where
        for fn, where in submitted_job_functions().items()
        if fn not in ROUTES and fn not in NOT_A_COMMAND
    }
    assert not missing, (
        "These app jobs have no CLI command (add one, then a line in ROUTES, or say why not in "
        f"NOT_A_COMMAND): {missing}"
    )


@pytest.mark.parametrize("fn, command", sorted({**ROUTES, **DIRECT_ACTIONS}.items()))
def test_each_route_is_a_valid_command(fn, command):
    from core.cli import build_parser

    args = build_parser().parse_args(shlex.split(command))
    assert callable(args.func), f"{fn}: '{command}' does not reach a command"
