"""Discovery of Alveo cards and AMD tools, fed recorded-format outputs (tests/fixtures/deploy)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from core.deploy.discovery import (
    FOUND,
    MISSING,
    PARTIAL,
    U50_SHELL,
    CommandResult,
    discover,
    parse_examine_json,
    parse_lspci,
    parse_version,
    scan_sysfs,
)

FIX = Path(__file__).parents[1] / "fixtures" / "deploy"


def _fixture(name: str) -> str:
    return (FIX / name).read_text()


class RecordingRunner:
    """Stand-in for the probe commands: answers from recorded outputs and keeps every command line.

    ``answers`` maps a program's base name to a CommandResult; ``examine_json`` is the file an
    ``examine --output F`` call writes (as xbutil/xrt-smi do).
    """

    def __init__(self, answers=None, examine_json: str | None = None):
        self.answers = answers or {}
        self.examine_json = examine_json
        self.calls: list[list[str]] = []

    def __call__(self, cmd, timeout):
        cmd = list(cmd)
        self.calls.append(cmd)
        name = Path(cmd[0]).name
        if "examine" in cmd and self.examine_json is not None:
            Path(cmd[cmd.index("--output") + 1]).write_text(self.examine_json)
        return self.answers.get(name, CommandResult(0, "", ""))


def _stand_in(folder: Path, name: str) -> Path:
    """An executable named like the tool (found by shutil.which); never run: the runner answers."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / name
    exe.write_text("#!/bin/sh\necho 'stand-in, not the real tool' >&2\nexit 3\n")
    exe.chmod(0o755)
    return exe


def _nothing(_name, _extra):
    return None


def _rows(d):
    return {r.item: r for r in d.checklist()}


# --- parsers ---------------------------------------------------------------------------------------
def test_examine_json_with_one_u50():
    version, cards = parse_examine_json(_fixture("xbutil_one_card.json"), "xbutil")
    assert version == "2.13.466"
    assert len(cards) == 1
    c = cards[0]
    assert c.bdf == "0000:3b:00.1"
    assert c.shell == U50_SHELL
    assert c.board == "Alveo U50" and c.is_u50
    assert c.ready is True
    assert c.temperature_c == 46.0  # the hottest present sensor; the absent one (0 °C) is ignored
    assert c.serial == "50121119CJ01"
    assert c.seen_by == ["xbutil"]


def test_examine_json_with_two_cards():
    version, cards = parse_examine_json(_fixture("xrt_smi_two_cards.json"), "xrt-smi")
    assert version == "2.18.179"
    by_bdf = {c.bdf: c for c in cards}
    assert set(by_bdf) == {"0000:3b:00.1", "0000:d8:00.1"}
    assert by_bdf["0000:3b:00.1"].is_u50 and by_bdf["0000:3b:00.1"].ready is True
    u280 = by_bdf["0000:d8:00.1"]
    assert u280.board == "Alveo U280" and not u280.is_u50 and u280.ready is False
    assert u280.temperature_c is None and u280.serial is None


def test_examine_json_without_card():
    version, cards = parse_examine_json(_fixture("xbutil_no_card.json"))
    assert version == "2.13.466"
    assert cards == []


@pytest.mark.parametrize("text", [_fixture("xbutil_malformed.json"), "[1, 2]", '{"schema_version": {}}', ""])
def test_examine_json_that_is_not_an_examine_report(text):
    with pytest.raises(ValueError):
        parse_examine_json(text)


def test_lspci_with_a_u50_and_a_card_in_its_factory_image():
    cards = parse_lspci(_fixture("lspci_u50.txt"))
    assert len(cards) == 2  # one card per slot, not per PCI function
    u50, golden = cards
    assert u50.bdf == "0000:3b:00.1"  # the user function, the one XRT addresses
    assert u50.pci_ids == ["10ee:5020", "10ee:5021"]
    assert u50.board == "Alveo U50" and u50.is_u50 and u50.seen_by == ["lspci"]
    assert golden.bdf == "0000:af:00.0" and golden.is_u50
    assert "factory" in golden.shell


def test_lspci_without_domain_and_numeric_ids():
    cards = parse_lspci(_fixture("lspci_plain.txt"))
    assert [c.bdf for c in cards] == ["0000:3b:00.1"]
    assert cards[0].pci_ids == ["10ee:5020", "10ee:5021"]
    assert parse_lspci("") == [] and parse_lspci("garbage\n\n") == []


def test_sysfs_scan(tmp_path):
    for bdf, vendor, device in (
        ("0000:3b:00.0", "0x10ee", "0x5020"),
        ("0000:3b:00.1", "0x10ee", "0x5021"),
        ("0000:00:1f.0", "0x8086", "0xa1c8"),
    ):
        d = tmp_path / "sys/bus/pci/devices" / bdf
        d.mkdir(parents=True)
        (d / "vendor").write_text(vendor + "\n")
        (d / "device").write_text(device + "\n")
    cards = scan_sysfs(tmp_path)
    assert len(cards) == 1 and cards[0].bdf == "0000:3b:00.1" and cards[0].seen_by == ["sysfs"]
    assert scan_sysfs(tmp_path / "nowhere") == []


def test_versions():
    assert parse_version("****** v++ v2022.1 (64-bit)\n  **** SW Build 3524075") == "2022.1"
    assert parse_version("Vivado v2023.2 (64-bit)\nSW Build 4029153") == "2023.2"
    assert parse_version("g++ (Debian 12.2.0-14) 12.2.0\nCopyright (C) 2022", "gnu") == "12.2.0"
    assert parse_version("no version here") is None


# --- whole discovery ----------------------------------------------------------------------------------
def test_machine_with_nothing(tmp_path):
    """Ours: no card, no AMD tool, not even g++: no crash, every row says why and how."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    runner = RecordingRunner()
    d = discover(env={"PATH": str(empty_bin)}, runner=runner, root=tmp_path, find_module=_nothing)
    assert d.cards == [] and runner.calls == []
    rows = d.checklist()
    assert rows[0].item == "Alveo U50 card" and rows[0].status == MISSING
    assert "No Xilinx PCI device" in rows[0].detail
    assert all(r.status == MISSING for r in rows), [(r.item, r.status) for r in rows if r.status != MISSING]
    assert all(r.why and r.how for r in rows)
    assert "(XRT) 2022.1" in rows[0].how and "Alveo U50 product page" in rows[0].how
    assert d.target_availability("emulator-dpu").ok
    emu = d.target_availability("emulator-hls")
    assert not emu.ok and "g++" in emu.reason and "apt install g++" in emu.fix
    for name in ("u50-hls", "u50-dpu"):
        a = d.target_availability(name)
        assert not a.ok and "U50" in a.reason and "run package" in a.fix
    assert not d.target_availability("nonsense").ok
    assert not d.build_availability("u50-hls").ok and "v++" in d.build_availability("u50-hls").reason
    assert d.summary().startswith("No Alveo card found")
    json.dumps(d.to_dict())  # JSON-able, for triglab-cli devices --json


def _machine_with_a_u50(tmp_path, examine_json: str, tool: str = "xbutil"):
    root = tmp_path / "root"
    xrt = root / "opt/xilinx/xrt"
    _stand_in(xrt / "bin", tool)
    (xrt / "python").mkdir(parents=True)
    (xrt / "python/pyxrt.cpython-311-x86_64-linux-gnu.so").write_text("")
    (root / "sys/module/xocl").mkdir(parents=True)
    pf = root / "opt/xilinx/platforms" / U50_SHELL
    pf.mkdir(parents=True)
    (pf / f"{U50_SHELL}.xpfm").write_text("<xpfm/>")
    for bdf, dev in (("0000:3b:00.0", "0x5020"), ("0000:3b:00.1", "0x5021")):
        d = root / "sys/bus/pci/devices" / bdf
        d.mkdir(parents=True)
        (d / "vendor").write_text("0x10ee\n")
        (d / "device").write_text(dev + "\n")
    bin_dir = tmp_path / "bin"
    _stand_in(bin_dir, "g++")
    _stand_in(bin_dir, "v++")
    runner = RecordingRunner(
        {
            "g++": CommandResult(0, "g++ (Debian 12.2.0-14) 12.2.0\n"),
            "v++": CommandResult(0, "****** v++ v2022.1 (64-bit)\n"),
        },
        examine_json=examine_json,
    )

    def find_module(name, extra):
        hits = [str(Path(p) / "pyxrt.cpython-311-x86_64-linux-gnu.so") for p in extra if name == "pyxrt"]
        return hits[0] if hits else None

    env = {"PATH": str(bin_dir), "XILINX_XRT": str(xrt)}
    return discover(env=env, runner=runner, root=root, find_module=find_module), runner


def test_machine_with_a_u50_and_xrt(tmp_path):
    d, runner = _machine_with_a_u50(tmp_path, _fixture("xbutil_one_card.json"))
    examine = next(c for c in runner.calls if "examine" in c)
    assert Path(examine[0]).name == "xbutil"
    assert examine[1:5] == ["examine", "--format", "JSON", "--output"]  # --format needs --output
    assert not Path(examine[5]).exists()  # a fresh temporary file, removed afterwards
    assert any(c[1:3] == ["-c", c[2]] and "import pyxrt" in c[2] for c in runner.calls)
    # XRT and sysfs saw the same card: one card, both functions, seen by both.
    assert len(d.cards) == 1
    card = d.cards[0]
    assert card.bdf == "0000:3b:00.1" and card.shell == U50_SHELL
    assert card.seen_by == ["xbutil", "sysfs"] and card.pci_ids == ["10ee:5020", "10ee:5021"]
    assert d.usable_u50 == [card]
    rows = _rows(d)
    assert rows["Alveo U50 card"].status == FOUND and U50_SHELL in rows["Alveo U50 card"].detail
    assert "50121119CJ01" in rows["Alveo U50 card"].detail
    assert rows["XRT (Xilinx Runtime)"].status == FOUND and "2.13.466" in rows["XRT (Xilinx Runtime)"].detail
    assert rows[f"U50 platform ({U50_SHELL})"].status == FOUND
    assert rows["pyxrt (XRT's Python binding)"].status == FOUND
    assert rows["v++ (Vitis compiler and linker)"].detail.startswith("2022.1")
    assert d.target_availability("u50-hls").ok
    dpu = d.target_availability("u50-dpu")
    assert not dpu.ok and "vart and xir" in dpu.reason
    assert d.build_availability("u50-hls").ok
    assert d.summary().startswith("Alveo U50 ready: Alveo U50, 0000:3b:00.1")


def test_card_seen_on_the_bus_but_not_by_xrt(tmp_path):
    d, _ = _machine_with_a_u50(tmp_path, _fixture("xbutil_no_card.json"))
    assert len(d.cards) == 1 and d.cards[0].seen_by == ["sysfs"]
    assert d.usable_u50 == []
    row = _rows(d)["Alveo U50 card"]
    assert row.status == PARTIAL and "XRT does not see it" in row.detail
    assert not d.target_availability("u50-hls").ok


def test_broken_or_garbled_xrt_tool_is_reported_not_fatal(tmp_path):
    # Debian's xbutil wrapper looks for a missing unwrapped/xbutil2 and writes no file.
    root = tmp_path / "root"
    _stand_in(root / "usr/bin", "xbutil")
    runner = RecordingRunner(
        {"xbutil": CommandResult(1, "", "/usr/bin/xbutil: unwrapped/xbutil2: not found\n")}
    )
    d = discover(env={"PATH": str(root / "usr/bin")}, runner=runner, root=root, find_module=_nothing)
    row = _rows(d)["xrt-smi / xbutil"]
    assert row.status == PARTIAL and "unwrapped/xbutil2" in row.detail
    assert d.notes and d.cards == []

    # With Debian's libxrt-dev alone, XRT is 'partial': the host program compiles, no card is driven.
    (root / "usr/include/xrt/xrt").mkdir(parents=True)
    (root / "usr/include/xrt/xrt/xrt_kernel.h").write_text("// stand-in\n")
    (root / "usr/lib/x86_64-linux-gnu").mkdir(parents=True)
    (root / "usr/lib/x86_64-linux-gnu/libxrt_coreutil.so").write_text("")
    d = discover(env={"PATH": str(root / "usr/bin")}, runner=runner, root=root, find_module=_nothing)
    rows = _rows(d)
    assert rows["XRT headers + libxrt_coreutil"].status == FOUND
    assert (
        rows["XRT (Xilinx Runtime)"].status == PARTIAL
        and "not to drive a card" in rows["XRT (Xilinx Runtime)"].detail
    )

    d2, _ = _machine_with_a_u50(tmp_path / "m2", _fixture("xbutil_malformed.json"), tool="xrt-smi")
    assert any("not JSON" in n for n in d2.notes)
    assert d2.cards and d2.cards[0].seen_by == ["sysfs"]  # the bus still shows the card


def test_platforms_on_platform_repo_paths(tmp_path):
    repo = tmp_path / "my_platforms" / U50_SHELL
    repo.mkdir(parents=True)
    (repo / f"{U50_SHELL}.xpfm").write_text("<xpfm/>")
    env = {"PATH": str(tmp_path), "PLATFORM_REPO_PATHS": str(tmp_path / "my_platforms")}
    d = discover(env=env, runner=RecordingRunner(), root=tmp_path / "root", find_module=_nothing)
    assert d.platforms == [U50_SHELL] and d.has("platform_u50")


def test_two_cards_from_xrt_smi(tmp_path):
    d, runner = _machine_with_a_u50(tmp_path, _fixture("xrt_smi_two_cards.json"), tool="xrt-smi")
    assert Path(next(c for c in runner.calls if "examine" in c)[0]).name == "xrt-smi"
    assert sorted(c.board for c in d.cards) == ["Alveo U280", "Alveo U50"]
    assert [c.bdf for c in d.usable_u50] == ["0000:3b:00.1"]
    assert d.xrt_version == "2.18.179"


def test_real_discovery_on_this_machine():
    d = discover()
    rows = d.checklist()
    assert len(rows) >= 10 and all(r.status in (FOUND, PARTIAL, MISSING) for r in rows)
    assert d.target_availability("emulator-dpu").ok
    assert d.target_availability("emulator-hls").ok == (
        shutil.which("g++", path=os.environ.get("PATH")) is not None
    )
    text = json.dumps(d.to_dict())
    assert "checklist" in text and d.summary().endswith(".")
