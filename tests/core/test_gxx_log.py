"""Which g++ lines a person sees: real g++ output through core.hls.gxx_log's filter."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from core.hls.gxx_log import CompilerLogFilter

pytestmark = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is required")

SOURCE = """
#include <cstring>
enum A { a1 }; enum B { b1 };
template <int N> int f() { return a1 + b1 + N; }   // deprecated enum arithmetic (C++20)
int g() { return f<1>(); }
"""


def _gxx(tmp_path, source: str) -> list[str]:
    src = tmp_path / "unit.cpp"
    src.write_text(source, encoding="utf-8")
    done = subprocess.run(
        ["g++", "-std=c++20", "-Wall", "-c", str(src), "-o", str(tmp_path / "unit.o")],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stderr.splitlines()


def _feed(lines: list[str]) -> tuple[CompilerLogFilter, list[str]]:
    steps = ((re.compile(r"^\+ g\+\+ "), "g++: compiling"),)
    flt = CompilerLogFilter(steps)
    shown = [out for line in ["+ g++ -c unit.cpp", "++ pwd", *lines] for out in flt.feed(line)]
    return flt, shown


def test_warnings_are_counted_not_shown(tmp_path):
    lines = _gxx(tmp_path, SOURCE)
    n = sum(": warning:" in line for line in lines)
    assert n >= 1 and any("In instantiation" in line or "required from" in line for line in lines)
    flt, shown = _feed(lines)
    assert shown == ["g++: compiling"]  # the step, no command, no warning, no excerpt
    assert flt.warnings == n and flt.errors == 0
    assert flt.summary("/x/build.log") == f"{n} compiler warning{'s' if n > 1 else ''}, see /x/build.log"


def test_errors_are_shown_with_their_context_and_excerpt(tmp_path):
    lines = _gxx(tmp_path, SOURCE + "int h() { return missing_name; }\n")
    flt, shown = _feed(lines)
    assert flt.errors == 1
    error = next(line for line in shown if ": error:" in line)
    assert "missing_name" in error
    assert any(line.startswith("unit.cpp") or "In function" in line for line in shown)  # where
    assert any("|" in line and "missing_name" in line for line in shown)  # the excerpt
    assert not any(": warning:" in line for line in shown)


def test_csim_report_round_trips_through_json():
    import json

    from core.hls.convert import CsimReport, LayerError

    layer = LayerError("fc1", "fc1_relu", "Dense", "fixed<16,6>", 0.1, 0.01, 0.02, 3.0, False, False)
    report = CsimReport("regression", 300, None, 0.1, 0.01, 0.02, layers=[layer], trace_samples=200)
    again = CsimReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert again == report


def test_context_without_a_diagnostic_is_not_kept_forever():
    """Thousands of "In file included from" lines that no error follows: the filter keeps a bounded
    tail (memory stays small), and an error after them still comes with its nearest context."""
    f = CompilerLogFilter()
    for i in range(100_000):
        assert f.feed(f"In file included from h{i}.h:1,") == []
    shown = f.feed("net.cpp:3:1: error: 'x' was not declared in this scope")
    assert len(shown) <= 201 and shown[-2] == "In file included from h99999.h:1,"
    assert len(f._context) == 0
