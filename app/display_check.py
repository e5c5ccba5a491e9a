"""Check, before Qt aborts with a cryptic message, that a Linux display can be used.

Qt's xcb platform plugin needs system libraries that a fresh machine may lack. We look for each
shared library and name the Debian/Ubuntu package to install. Run as ``python -m
app.display_check`` (``make run`` does) — exit code 1 with instructions when something is missing.
"""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys

# shared library (as ldconfig names it) -> Debian/Ubuntu package
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-util.so.1": "libxcb-util1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libfontconfig.so.1": "libfontconfig1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
}


def _known_libraries() -> set[str]:
    try:
        out = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {line.split()[0] for line in out.splitlines()[1:] if line.strip()}


def _qt_xcb_binaries() -> list[str]:
    """PySide6's xcb platform plugin and its Qt library, found without importing Qt."""
    import importlib.util

    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = os.path.join(list(spec.submodule_search_locations)[0], "Qt")
    paths = [
        os.path.join(qt, "plugins", "platforms", "libqxcb.so"),
        os.path.join(qt, "lib", "libQt6XcbQpa.so.6"),
    ]
    return [p for p in paths if os.path.exists(p)]


def _ldd_not_found(binaries: list[str]) -> list[str] | None:
    """Libraries ``ldd`` cannot resolve for the binaries (None when ldd cannot tell)."""
    missing: list[str] = []
    for b in binaries:
        try:
            out = subprocess.run(["ldd", b], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        for line in out.splitlines():
            if "not found" in line:
                lib = line.split()[0]
                if lib not in missing:
                    missing.append(lib)
    return missing


def _package_for(lib: str) -> str:
    if lib in XCB_LIBRARIES:
        return XCB_LIBRARIES[lib]
    # Debian names most libraries after the soname: libxcb-foo.so.0 -> libxcb-foo0
    base, _, ver = lib.partition(".so.")
    return f"{base.lower()}{ver.split('.')[0]}" if ver else base.lower()


def missing_packages() -> list[str]:
    """Debian packages whose libraries Qt's xcb platform needs and this machine lacks.

    Asks ``ldd`` about Qt's own xcb plugin (exact), else checks a fixed list of libraries.
    """
    binaries = _qt_xcb_binaries()
    not_found = _ldd_not_found(binaries) if binaries else None
    if not_found is not None:
        missing = [_package_for(lib) for lib in not_found]
        # libxcb-cursor0 is dlopen()ed by Qt >= 6.5 at run time, so ldd does not list it.
        if "libxcb-cursor.so.0" not in _known_libraries() and _known_libraries():
            missing.append("libxcb-cursor0")
        return list(dict.fromkeys(missing))
    known = _known_libraries()
    missing = []
    for lib, pkg in XCB_LIBRARIES.items():
        if known:
            found = lib in known
        else:  # no ldconfig: fall back to ctypes' search by short name
            found = ctypes.util.find_library(lib.split(".so")[0].removeprefix("lib")) is not None
        if not found and pkg not in missing:
            missing.append(pkg)
    return missing


def check_display() -> str | None:
    """A message explaining what to do, or None when a window can be shown."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform.startswith(("offscreen", "minimal", "vnc")):
        return None
    if platform.startswith("wayland") or (
        not platform and os.environ.get("WAYLAND_DISPLAY") and not os.environ.get("DISPLAY")
    ):
        return None
    if not os.environ.get("DISPLAY"):
        return (
            "No display: DISPLAY is not set, so TrigLab has no screen to open its window on.\n"
            "Run it from a desktop session, or on a headless machine under a virtual screen:\n"
            "    xvfb-run -s '-screen 0 1600x1000x24' make run"
        )
    missing = missing_packages()
    if missing:
        return (
            "Qt's X11 (xcb) platform needs system libraries this machine does not have.\n"
            "Install them with:\n"
            f"    sudo apt-get install -y {' '.join(missing)}\n"
            "then run TrigLab again."
        )
    return None


def main() -> int:
    msg = check_display()
    if msg:
        print(msg, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
