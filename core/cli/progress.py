"""A terminal progress bar for jobs run from the CLI (stderr, so stdout stays clean for --json)."""

from __future__ import annotations

import sys
import time

from core.jobs import Progress


class ConsoleProgress(Progress):
    """Draws ``[#####.....] 50% message`` on stderr when it is a terminal; log lines otherwise."""

    def __init__(self, quiet: bool = False, stream=None) -> None:
        super().__init__()
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0

    def update(self, fraction: float, message: str = "") -> None:
        super().update(fraction, message)
        if self.quiet or not self.tty:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and self.fraction < 1.0:
            return
        self._last = now
        n = int(30 * self.fraction)
        self.stream.write(f"\r[{'#' * n}{'.' * (30 - n)}] {100 * self.fraction:5.1f}% {message[:60]:60s}")
        if self.fraction >= 1.0:
            self.stream.write("\n")
        self.stream.flush()

    def log(self, line: str) -> None:
        if self.quiet:
            return
        if self.tty:
            self.stream.write("\r" + " " * 100 + "\r")
        self.stream.write(line + "\n")
        self.stream.flush()
