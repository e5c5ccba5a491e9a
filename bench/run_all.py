"""Run every ``bench/bench_*.py`` script in turn and print their figures (``make bench``).

Benchmarks measure; they never fail the test suite. Targets are printed next to each figure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    rc = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        r = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        rc |= r.returncode
    return rc


if __name__ == "__main__":
    sys.exit(main())
