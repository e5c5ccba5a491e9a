"""How much memory a data set will take, checked before it is allocated.

A generated data set lives in memory whole (numpy arrays). Asking for 10^12 muons would fail deep
inside numpy after minutes, or push the machine into swap; instead the size is computed from the
request and compared with the memory this process may use: Linux's ``MemAvailable`` (free memory
plus caches the kernel can drop), capped by a container's cgroup limit, and by
``TRIGLAB_MEMORY_LIMIT_GB`` when the user sets one.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.data.dataset import DatasetError

LIMIT_ENV = "TRIGLAB_MEMORY_LIMIT_GB"


def available_memory_bytes() -> int | None:
    """Bytes this process can still allocate without swapping, or None when unknown."""
    limits: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                limits.append(int(line.split()[1]) * 1024)
                break
    except (OSError, ValueError, IndexError):
        try:
            limits.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
        except (OSError, ValueError, AttributeError):
            pass
    try:  # cgroup v2: a container's own ceiling, minus what it already uses
        cap = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if cap != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text().strip())
            limits.append(max(int(cap) - used, 0))
    except (OSError, ValueError):
        pass
    env = os.environ.get(LIMIT_ENV)
    if env:
        try:
            limits.append(int(float(env) * 1e9))
        except ValueError:
            raise DatasetError(f"{LIMIT_ENV} must be a number of GB, not '{env}'") from None
    return min(limits) if limits else None


def _gb(n: float) -> str:
    return f"{n / 1e9:,.1f} GB" if n < 1e12 else f"{n / 1e12:,.1f} TB"


def check_memory(what: str, count: int, bytes_per_item: float, fixed_bytes: float = 0.0) -> None:
    """Refuse a request that would not fit in memory, before anything is allocated.

    Args:
        what: What is being made, e.g. ``"muon_rpc with 10,000 events"``.
        count: How many items (events).
        bytes_per_item: Peak bytes each item takes (all arrays held at once).
        fixed_bytes: Bytes that do not scale with ``count``.

    Raises:
        DatasetError: The request needs more than the memory available, with both numbers and the
            largest count that would fit.
    """
    need = fixed_bytes + count * bytes_per_item
    have = available_memory_bytes()
    if have is None or need <= have:
        return
    fits = max(int((have - fixed_bytes) / bytes_per_item), 0)
    raise DatasetError(
        f"{what} needs about {_gb(need)} of memory but {_gb(have)} is available; ask for at most {fits:,}"
    )
