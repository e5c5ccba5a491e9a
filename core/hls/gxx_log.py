"""Which lines of a g++ build a person needs to see, and which only the log file keeps.

hls4ml's ``build_lib.sh`` (run as ``bash -x``) prints its commands, and g++ prints, for the
``ap_types`` headers hls4ml 1.3 ships, dozens of deprecation warnings per translation unit (each
with "In file included from" context lines, a code excerpt and notes). All of it goes to the
build log file (``triglab_build.log`` in the project); the job log shows:

1. the step being run (from the ``bash -x`` command lines, e.g. "g++: compiling the network");
2. every error with its context and excerpt (a diagnostic is ``file:line:col: error: ...``; the
   "In file included from" / "In function" lines before it and the excerpt after it belong to it);
3. everything else that is not a compiler diagnostic (the script's own messages);
4. at the end, one line: "N compiler warnings, see <file>".
"""

from __future__ import annotations

import re
from collections import deque

_DIAGNOSTIC = re.compile(r"^\S.*?:(\d+:)?(\d+:)? (fatal error|error|warning|note):")
# Lines g++ prints before a diagnostic to say where it comes from.
_CONTEXT = re.compile(
    r"^(In file included from |\s+from \S|\S+: In (function|member function|instantiation|"
    r"constructor|destructor|static member function|lambda function)|\S+:\d+:\d+:\s+required from )"
)
# Lines g++ prints after a diagnostic: the source excerpt (`  12 | code`, `     |   ^~~`).
_EXCERPT = re.compile(r"^\s*(\d+\s*)?\|")
_TRACE = re.compile(r"^\++ ")  # bash -x prints one + per nesting level
_SUMMARY = re.compile(r"^\d+ (warnings?|errors?) generated\.?$")
#: Context lines kept before a diagnostic (the nearest ones; a deep include chain is cut).
MAX_CONTEXT = 200


class CompilerLogFilter:
    """Sorts g++ / ``bash -x`` lines into "show" and "file only"; counts the warnings.

    Feed every line to :meth:`feed`; it returns the lines to show now (possibly none, possibly
    several: the buffered context of an error). Warnings, their notes and excerpts, and the
    ``bash -x`` trace lines return nothing.
    """

    def __init__(self, steps: tuple[tuple[re.Pattern, str], ...] = ()) -> None:
        self.steps = steps
        self.warnings = 0
        self.errors = 0
        self._context: deque[str] = deque(maxlen=MAX_CONTEXT)
        self._showing = True  # whether the current diagnostic's excerpt/notes are shown

    def feed(self, line: str) -> list[str]:
        """The lines to show for one more line of output (the step message for a command)."""
        if _TRACE.match(line):  # bash -x: a command; name the step, hide the command
            self._context.clear()
            return [message for pattern, message in self.steps if pattern.search(line)]
        if _CONTEXT.match(line):
            self._context.append(line)
            return []
        m = _DIAGNOSTIC.match(line)
        if m is not None:
            kind = m.group(3)
            context = list(self._context)
            self._context.clear()
            if kind == "note":  # belongs to the diagnostic before it
                return [line] if self._showing else []
            if kind == "warning":
                self.warnings += 1
                self._showing = False
                return []
            self.errors += 1
            self._showing = True
            return [*context, line]
        if _EXCERPT.match(line) or _SUMMARY.match(line):
            return [line] if self._showing else []
        self._context.clear()
        self._showing = True
        return [line] if line.strip() else []

    def summary(self, log_file: str) -> str | None:
        """``"N compiler warnings, see <file>"`` (None without warnings)."""
        if not self.warnings:
            return None
        noun = "warning" if self.warnings == 1 else "warnings"
        return f"{self.warnings} compiler {noun}, see {log_file}"
