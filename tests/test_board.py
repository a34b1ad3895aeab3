"""Decoding what the kernel reads from a tree: cells, memory, /chosen, dma-ranges."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cmacheck import board
from cmacheck.load.dtb import load_dtb
from cmacheck.model import DeviceTree


def _tree(tmp_path: Path, body: str) -> DeviceTree:
    out = tmp_path / "t.dtb"
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(out), "-"],
                   input=f"/dts-v1/;\n{body}".encode(), check=True)
    return load_dtb(str(out))


def test_root_cells_default_to_one(tmp_path: Path) -> None:
    assert board.root_cells(_tree(tmp_path, "/ { };")) == board.Cells(1, 1)


def test_memory_usable_memory_preferred_and_zero_dropped(tmp_path: Path) -> None:
    dt = _tree(tmp_path, """/ { #address-cells = <2>; #size-cells = <2>;
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x80000000>;
                          linux,usable-memory = <0 0x40000000 0 0x20000000>, <0 0x80000000 0 0>; };
        memory@0 { device_type = "memory"; reg = <0 0 0 0>; };
        ram@1 { reg = <0 0x1 0 0x1000>; };
        memory@100000000 { device_type = "memory"; reg = <1 0 0 0x1000>;
                           status = "disabled"; }; };""")
    mem = board.memory_nodes(dt, board.root_cells(dt))
    assert [(m.node.path, m.available, m.placeholder) for m in mem] == [
        ("/memory@40000000", True, False), ("/memory@0", True, True),
        ("/memory@100000000", False, False)]
    assert [(b.base, b.size, b.prop) for b in mem[0].banks] == [
        (0x40000000, 0x20000000, "linux,usable-memory")]


def test_chosen(tmp_path: Path) -> None:
    dt = _tree(tmp_path, """/ { #address-cells = <2>; #size-cells = <2>;
        chosen { bootargs = "console=ttyAMA0 cma=64M"; linux,initrd-start = <0x48000000>;
                 linux,initrd-end = <0x0 0x48100000>; }; };""")
    ch = board.chosen(dt, board.root_cells(dt))
    assert ch.bootargs == "console=ttyAMA0 cma=64M"
    assert ch.initrd == (0x48000000, 0x48100000)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # QEMU t30 (kernel-model.md §9): a bus at the root limits DMA to 0x40000000+512 MiB.
        ("""dmabus { compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges;
             dma-ranges = <0 0x40000000 0 0x40000000 0 0x20000000>; };""", 0x5FFFFFFF),
        # An empty dma-ranges does not limit anything.
        ("""soc { #address-cells = <2>; #size-cells = <2>; ranges; dma-ranges; };""", None),
        # A disabled bus is not walked.
        ("""b { #address-cells = <2>; #size-cells = <2>; status = "disabled";
             dma-ranges = <0 0 0 0 0 0x10000000>; };""", None),
        # Nested: the inner bus address is translated through the outer dma-ranges.
        ("""soc { #address-cells = <1>; #size-cells = <1>; ranges;
               dma-ranges = <0x0 0x0 0x80000000 0x40000000>;
               pcie { #address-cells = <1>; #size-cells = <1>;
                      dma-ranges = <0x0 0x0 0x10000000>; }; };""", 0x8FFFFFFF),
        # Minimum over several constrained nodes.
        ("""a { #address-cells = <2>; #size-cells = <2>; dma-ranges = <0 0 0 0 1 0>; };
            b { #address-cells = <2>; #size-cells = <2>; dma-ranges = <0 0 0 0 0 0x40000000>; };""",
         0x3FFFFFFF),
    ],
    ids=["t30-bus", "empty", "disabled", "nested", "minimum"],
)
def test_max_dma_cpu_address(tmp_path: Path, body: str, expected: int | None) -> None:
    dt = _tree(tmp_path, f"/ {{ #address-cells = <2>; #size-cells = <2>; {body} }};")
    assert board.max_dma_cpu_address(dt) == expected


def test_reserved_memory_check_root(tmp_path: Path) -> None:
    dt = _tree(tmp_path, """/ { #address-cells = <2>; #size-cells = <2>;
        reserved-memory { #address-cells = <1>; a { }; b { }; }; };""")
    rm = board.reserved_memory(dt, board.root_cells(dt))
    assert not rm.cells_ok
    assert rm.problems == ("#size-cells is missing (root has 2)",
                           "#address-cells is 1 but the root's is 2", "ranges is missing")
    assert [c.index for c in rm.children] == [0, 1]
