import subprocess
import sys


def test_importing_core_loads_no_qt():
    code = (
        "import sys, core, core.jobs, core.workspace, core.zoo, core.train, core.metrics, core.workflows, core.cli;"
        "import core.models, core.data;"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'superqt', 'app'));"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"core imported Qt modules: {r.stdout} {r.stderr[-2000:]}"


def test_importing_core_does_not_import_tensorflow():
    # The window must appear before TensorFlow loads: core's package imports stay light.
    code = (
        "import sys, core, core.jobs, core.workspace, core.zoo, core.models, core.data, core.workflows;"
        "sys.exit(1 if 'tensorflow' in sys.modules else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
