"""Build the exact device-tree source a case boots.

The DTS is: the base tree (QEMU ``virt`` dump in tools/boots/base/, or a real board DTB
decompiled), with its ``/memory`` and ``/chosen`` nodes removed, followed by a second root block
that the harness writes: one ``memory@`` node per RAM bank, ``/chosen`` (bootargs, optional
initrd), ``/reserved-memory`` with the case's children, and any extra root nodes of the case.
``/memreserve/`` entries go in the header.
"""
from __future__ import annotations

import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
_STRIP = re.compile(r"^\t(memory(@[0-9a-fA-F,]+)?|chosen) \{$")


def strip_nodes(text: str) -> str:
    """Remove top-level memory and chosen nodes from dtc-decompiled text (tab indented)."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _STRIP.match(lines[i]):
            depth = 0
            while True:
                depth += lines[i].count("{") - lines[i].count("}")
                i += 1
                if depth == 0:
                    break
            if i < len(lines) and not lines[i].strip():
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out) + "\n"


def base_text(arch: str) -> str:
    with open(os.path.join(HERE, "base", f"virt-{arch}.dts")) as f:
        return f.read()


def board_text(dtb_path: str) -> str:
    txt = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", dtb_path], check=True,
                         capture_output=True, text=True).stdout
    # a real board may carry seeds in /chosen (removed with /chosen) - nothing else to do
    return strip_nodes(txt)


def root_cells(text: str) -> tuple[int, int]:
    """#address-cells / #size-cells of the root node (depth-1 properties of the first block)."""
    ac = sc = None
    depth = 0
    for line in text.splitlines():
        s = line.strip()
        if depth == 1:
            m = re.match(r"#(address|size)-cells = <(0x[0-9a-f]+|\d+)>;", s)
            if m:
                v = int(m.group(2), 0)
                if m.group(1) == "address" and ac is None:
                    ac = v
                elif m.group(1) == "size" and sc is None:
                    sc = v
        depth += line.count("{") - line.count("}")
    return (ac if ac is not None else 2), (sc if sc is not None else 1)


def cells(value: int, n: int) -> list[str]:
    out = []
    for i in range(n - 1, -1, -1):
        out.append(f"0x{(value >> (32 * i)) & 0xFFFFFFFF:x}")
    return out


def reg(base: int, size: int, ac: int = 2, sc: int = 2) -> str:
    return "<" + " ".join(cells(base, ac) + cells(size, sc)) + ">"


def build(*, base: str, memory: list[tuple[int, int]], memory_style: str, bootargs: str,
          initrd: tuple[int, int] | None, memreserve: list[tuple[int, int]],
          rmem: str | None, root_extra: str, chosen_extra: str = "",
          stdout_path: str | None = "/pl011@9000000") -> str:
    ac, sc = root_cells(base)
    lines = base.rstrip("\n").splitlines()
    assert lines[0] == "/dts-v1/;"
    head = ["/dts-v1/;"]
    body = lines[1:]
    # /memreserve/ lines already in a board DTB stay where dtc put them (right after /dts-v1/)
    for a, s in memreserve:
        head.append(f"/memreserve/ 0x{a:x} 0x{s:x};")
    out = head + body + ["", "/ {"]
    if memory_style == "single":
        regs = ", ".join(reg(b, s, ac, sc) for b, s in memory)
        out += [f"\tmemory@{memory[0][0]:x} {{", '\t\tdevice_type = "memory";',
                f"\t\treg = {regs};", "\t};", ""]
    else:
        for b, s in memory:
            out += [f"\tmemory@{b:x} {{", '\t\tdevice_type = "memory";',
                    f"\t\treg = {reg(b, s, ac, sc)};", "\t};", ""]
    out += ["\tchosen {", f'\t\tbootargs = "{bootargs}";']
    if stdout_path:
        out.append(f'\t\tstdout-path = "{stdout_path}";')
    if initrd:
        a, s = initrd
        ic = 2 if (a + s) >> 32 else 1
        out.append(f"\t\tlinux,initrd-start = <{' '.join(cells(a, ic))}>;")
        out.append(f"\t\tlinux,initrd-end = <{' '.join(cells(a + s, ic))}>;")
    if chosen_extra:
        out += ["\t\t" + ln.strip() for ln in chosen_extra.strip().splitlines()]
    out += ["\t};"]
    if rmem is not None:
        out += ["", _indent(rmem.strip("\n"), 1)]
    if root_extra:
        out += ["", _indent(root_extra.strip("\n"), 1)]
    out += ["};", ""]
    return "\n".join(out)


def _indent(text: str, n: int) -> str:
    """Re-indent free-form snippet text with tabs by brace depth."""
    res = []
    depth = n
    for raw in text.splitlines():
        s = raw.strip()
        if not s:
            res.append("")
            continue
        if s.startswith("}"):
            depth -= 1
        res.append("\t" * depth + s)
        depth += s.count("{") - s.count("}") + (1 if s.startswith("}") else 0)
    return "\n".join(res)


def compile_dts(dts_path: str, dtb_path: str) -> None:
    """Compile compactly (no -p / -S padding): the bytes written are the bytes booted."""
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb_path, dts_path], check=True,
                   capture_output=True)
