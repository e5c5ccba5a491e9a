"""Parsers of what the probes print: ``xrt-smi``/``xbutil examine`` JSON, ``lspci`` text, ``/sys`` PCI entries.

Pure functions of text (or of a folder), so the tests replay recorded outputs. The layouts and the
PCI ids, and where they come from, are in :mod:`core.deploy.discovery`'s docstring.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: PCI device id -> (board, function), from XRT's driver table (devices.h). Vendor 0x10ee.
ALVEO_PCI_IDS: dict[str, tuple[str, str]] = {
    "5020": ("Alveo U50", "management"),
    "5021": ("Alveo U50", "user"),
    "d020": ("Alveo U50", "factory image"),
    "5060": ("Alveo U50LV", "management"),
    "5061": ("Alveo U50LV", "user"),
    "506c": ("Alveo U50C", "management"),
    "506d": ("Alveo U50C", "user"),
    "505c": ("Alveo U55C", "management"),
    "505d": ("Alveo U55C", "user"),
    "500c": ("Alveo U280", "management"),
    "500d": ("Alveo U280", "user"),
    "5000": ("Alveo U200", "management"),
    "5001": ("Alveo U200", "user"),
    "5004": ("Alveo U250", "management"),
    "5005": ("Alveo U250", "user"),
}
U50_PCI_IDS = frozenset(k for k, (board, _) in ALVEO_PCI_IDS.items() if board == "Alveo U50")


@dataclass
class Card:
    """One Alveo card (one PCI slot; its management and user functions are one card).

    Attributes:
        bdf: PCI address domain:bus:device.function of the user function when known
            (what XRT reports, e.g. ``0000:3b:00.1``), else the first function seen.
        board: ``"Alveo U50"`` etc. from the PCI id or the shell name; ``"Xilinx 10ee:xxxx"`` if unknown.
        shell: The platform (shell) running on the card, e.g. ``xilinx_u50_gen3x16_xdma_5_202210_1``.
        pci_ids: The PCI device ids seen on the slot (``"10ee:5021"``...).
        serial: Serial number, when a report gives it.
        temperature_c: Highest present temperature sensor (°C), when a report gives one.
        ready: XRT's ``is_ready`` (None when XRT did not see the card).
        seen_by: Which probes saw it (``xrt-smi``, ``xbutil``, ``lspci``, ``sysfs``).
    """

    bdf: str
    board: str = ""
    shell: str | None = None
    pci_ids: list[str] = field(default_factory=list)
    serial: str | None = None
    temperature_c: float | None = None
    ready: bool | None = None
    seen_by: list[str] = field(default_factory=list)

    @property
    def is_u50(self) -> bool:
        """An Alveo U50 (not the U50LV/U50C variants, whose DPU and shells differ)."""
        if self.shell and self.shell.lower().startswith("xilinx_u50_"):
            return True
        return any(pid.split(":")[-1] in U50_PCI_IDS for pid in self.pci_ids)

    @property
    def seen_by_xrt(self) -> bool:
        return any(s in ("xrt-smi", "xbutil") for s in self.seen_by)

    def describe(self) -> str:
        parts = [self.board or "Xilinx card", self.bdf]
        if self.shell:
            parts.append(self.shell)
        if self.temperature_c is not None:
            parts.append(f"{self.temperature_c:.0f} °C")
        return ", ".join(parts)


# --- parsers (public: the tests feed them recorded outputs) ---------------------------------------
def parse_examine_json(text: str, tool: str = "xbutil") -> tuple[str | None, list[Card]]:
    """Parse ``xrt-smi``/``xbutil examine --format JSON`` output.

    Args:
        text: The JSON file's content.
        tool: Which tool wrote it (recorded in :attr:`Card.seen_by`).

    Returns:
        (XRT version or None, the cards it lists).

    Raises:
        ValueError: Not JSON, or not the layout XRT writes (the message says what is wrong).
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{tool} wrote something that is not JSON ({exc.msg} at line {exc.lineno})"
        ) from None
    if not isinstance(data, dict):
        raise ValueError(f"{tool} JSON is a {type(data).__name__}, not an object")
    host = (data.get("system") or {}).get("host") if isinstance(data.get("system"), dict) else None
    if not isinstance(host, dict) and "devices" not in data:
        raise ValueError(f"{tool} JSON has neither system.host nor devices: not an 'examine' report")
    host = host if isinstance(host, dict) else {}
    version = (host.get("xrt") or {}).get("version") if isinstance(host.get("xrt"), dict) else None
    cards: dict[str, Card] = {}
    for dev in _as_list(host.get("devices")):
        if not isinstance(dev, dict) or not dev.get("bdf"):
            continue
        if dev.get("device_class", "Alveo").lower() not in ("alveo", ""):
            continue  # Ryzen AI NPUs also show up in xrt-smi
        bdf = _norm_bdf(str(dev["bdf"]))
        shell = dev.get("vbnv") or dev.get("name")
        cards[bdf] = Card(
            bdf=bdf,
            board=_board_from_shell(shell),
            shell=shell if shell and shell != "n/a" else None,
            ready=_as_bool(dev.get("is_ready")),
            seen_by=[tool],
        )
    for dev in _as_list(data.get("devices")):
        if not isinstance(dev, dict) or not dev.get("device_id"):
            continue
        bdf = _norm_bdf(str(dev["device_id"]))
        card = cards.setdefault(bdf, Card(bdf=bdf, board="Xilinx card", seen_by=[tool]))
        temps = [
            _as_float(t.get("temp_C"))
            for t in _as_list(dev.get("thermals"))
            if isinstance(t, dict) and _as_bool(t.get("is_present")) is not False
        ]
        temps = [t for t in temps if t is not None and t > 0]
        if temps:
            card.temperature_c = max(temps)
        card.serial = card.serial or _find_key(dev, "serial")
        if card.shell is None:
            card.shell = _find_key(dev, "vbnv")
            card.board = _board_from_shell(card.shell) if card.shell else card.board
    return version, list(cards.values())


_LSPCI_LINE = re.compile(
    r"^(?P<bdf>(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\s+(?P<rest>.*)$"
)


def parse_lspci(text: str) -> list[Card]:
    """Parse ``lspci -D -nn -d 10ee:`` (or plain ``lspci -d 10ee:``) output into cards, one per slot."""
    functions: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _LSPCI_LINE.match(line.strip())
        if not m:
            continue
        rest = m["rest"]
        ids = re.findall(r"\[10ee:([0-9a-fA-F]{4})\]", rest)
        dev_id = ids[-1] if ids else None
        if dev_id is None:  # without -nn: "Xilinx Corporation Device 5021"
            m2 = re.search(r"Xilinx Corporation Device ([0-9a-fA-F]{4})", rest)
            dev_id = m2[1] if m2 else None
        if dev_id is None:
            continue
        functions.append((_norm_bdf(m["bdf"]), dev_id.lower()))
    return _cards_from_functions(functions, "lspci")


def scan_sysfs(root: Path) -> list[Card]:
    """Xilinx PCI functions under ``<root>/sys/bus/pci/devices`` (no lspci needed), one card per slot."""
    base = root / "sys/bus/pci/devices"
    functions = []
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    for d in entries:
        try:
            vendor = (d / "vendor").read_text().strip().lower()
            device = (d / "device").read_text().strip().lower()
        except OSError:
            continue
        if vendor == "0x10ee":
            functions.append((_norm_bdf(d.name), device.removeprefix("0x")))
    return _cards_from_functions(functions, "sysfs")


def parse_version(text: str, kind: str = "vendor") -> str | None:
    """The version in a tool's banner: ``20YY.N`` for AMD tools, ``X.Y.Z`` for g++ (its first line)."""
    if kind == "vendor":
        m = re.search(r"\bv?(20\d\d\.\d)(?:\.\d+)?\b", text)
        return m[1] if m else None
    first = text.strip().splitlines()[0] if text.strip() else ""
    m = re.search(r"(\d+\.\d+(?:\.\d+)?)\s*$", first) or re.search(r"(\d+\.\d+(?:\.\d+)?)", first)
    return m[1] if m else None


def _cards_from_functions(functions: list[tuple[str, str]], source: str) -> list[Card]:
    slots: dict[str, Card] = {}
    for bdf, dev_id in functions:
        board, role = ALVEO_PCI_IDS.get(dev_id, (f"Xilinx 10ee:{dev_id}", ""))
        card = slots.get(pci_slot(bdf))
        if card is None:
            card = slots[pci_slot(bdf)] = Card(bdf=bdf, board=board, seen_by=[source])
        card.pci_ids.append(f"10ee:{dev_id}")
        if role == "user":
            card.bdf = bdf  # XRT addresses the card by its user function
        if role:
            card.board = board
        if role == "factory image":
            card.shell = card.shell or f"{board} factory (golden) image: no shell flashed"
    return list(slots.values())


def _norm_bdf(bdf: str) -> str:
    bdf = bdf.strip().strip("[]").lower()
    return bdf if bdf.count(":") == 2 else f"0000:{bdf}"


def pci_slot(bdf: str) -> str:
    return bdf.rsplit(".", 1)[0]


def _board_from_shell(shell: str | None) -> str:
    m = re.match(r"xilinx_(u\d+[a-z]*)", shell or "", re.I)
    return f"Alveo {m[1].upper()}" if m else "Xilinx card"


def _as_list(x: Any) -> list:
    if isinstance(x, list):
        return x
    if isinstance(x, dict):  # boost writes a one-element array as an object keyed ""
        return list(x.values())
    return []


def _as_bool(x: Any) -> bool | None:
    if isinstance(x, bool):
        return x
    if isinstance(x, str) and x.lower() in ("true", "false", "yes", "no", "1", "0"):
        return x.lower() in ("true", "yes", "1")
    return None


def _as_float(x: Any) -> float | None:
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _find_key(obj: Any, fragment: str) -> str | None:
    """The first non-empty string value whose key contains ``fragment`` (depth-first)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if (
                fragment in str(k).lower()
                and isinstance(v, str | int)
                and str(v).strip() not in ("", "N/A", "n/a")
            ):
                return str(v).strip()
        for v in obj.values():
            found = _find_key(v, fragment)
            if found:
                return found
    elif isinstance(obj, list):
        for v in obj:
            found = _find_key(v, fragment)
            if found:
                return found
    return None
