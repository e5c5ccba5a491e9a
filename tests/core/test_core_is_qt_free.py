"""``core`` is Qt-free (napari's discipline): importing every one of its modules loads no Qt, no
pyqtgraph/superqt and nothing from ``app``; and importing its packages stays light (no TensorFlow)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "shiboken6", "pyqtgraph", "superqt", "app")

# Walks the whole package in a fresh interpreter; ``__main__`` modules are left out (importing one
# runs the CLI). A module that fails to import is a failure too: it would hide what it imports.
WALK = f"""
import importlib, json, pkgutil, sys, traceback
import core
modules, failed = ["core"], {{}}
for info in pkgutil.walk_packages(core.__path__, "core."):
    if info.name.rsplit(".", 1)[-1] == "__main__":
        continue
    try:
        importlib.import_module(info.name)
        modules.append(info.name)
    except Exception:
        failed[info.name] = traceback.format_exc(limit=3)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
print(json.dumps({{"modules": modules, "failed": failed, "bad": bad}}))
"""


def test_importing_every_core_module_loads_no_qt():
    import json

    r = subprocess.run([sys.executable, "-c", WALK], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert not result["failed"], f"core modules that do not import: {result['failed']}"
    assert not result["bad"], f"core imported Qt/app modules: {result['bad']}"
    on_disk = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "core").rglob("*.py")
        if p.stem != "__main__"
    }
    assert on_disk <= set(result["modules"]), f"not walked: {sorted(on_disk - set(result['modules']))}"


def test_importing_core_does_not_import_tensorflow():
    # The window must appear before TensorFlow loads: core's package imports stay light.
    code = (
        "import sys, core, core.jobs, core.workspace, core.zoo, core.models, core.data, core.workflows;"
        "sys.exit(1 if 'tensorflow' in sys.modules else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
