"""Each rule's documented ``Fails:`` example triggers it and its ``Passes:`` one does not.

A block is the indented text after ``Fails:`` / ``Passes:``; DTS lines get ``/dts-v1/;``
prepended; a line starting with ``$`` holds extra CLI options, where
``--config-text "..."`` / ``--dmesg-text "..."`` are written to a temporary .config / log
first (``\\n`` for line breaks).
"""

from __future__ import annotations

import shlex
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from cmacheck import rules


def _blocks(doc: str, label: str) -> list[str]:
    out, lines = [], doc.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == label:
            block = []
            for nxt in lines[i + 1 :]:
                if nxt.strip() and not nxt.startswith("    "):
                    break
                block.append(nxt)
            out.append(textwrap.dedent("\n".join(block)).strip())
    return out


def _run(block: str, tmp_path: Path) -> list[str]:
    dts, args, src = [], [], None
    for line in block.splitlines():
        if line.startswith("$ @"):  # a fixture too large to show inline, with its args
            src = ROOT / line[3:].strip()
            head = src.read_text().splitlines()[:3]
            args += [a for h in head if h.startswith("// args:")
                     for a in shlex.split(h.split(":", 1)[1].replace("{dir}", str(src.parent)))]
        elif line.startswith("$"):
            args += shlex.split(line[1:])
        else:
            dts.append(line)
    for flag, real, name in (("--config-text", "--config", "doc.config"),
                             ("--dmesg-text", "--dmesg", "doc.log")):
        if flag in args:
            i = args.index(flag)
            path = tmp_path / name
            path.write_text(args[i + 1].encode().decode("unicode_escape"))
            args[i : i + 2] = [real, str(path)]
    if src is None:
        src = tmp_path / "doc.dts"
        src.write_text("/dts-v1/;\n" + "\n".join(dts) + "\n")
    r = run_cli([str(src), "--format", "json", *args])
    assert r.code in (0, 1), r.err
    return [f["rule"] for f in r.json["findings"]]


@pytest.mark.parametrize("rule", rules.ALL, ids=lambda r: r.ID)
def test_fails_example(rule: rules.Rule, tmp_path: Path) -> None:
    blocks = _blocks(rule.__doc__ or "", "Fails:")
    assert blocks
    for block in blocks:
        assert rule.ID in _run(block, tmp_path)


@pytest.mark.parametrize("rule", rules.ALL, ids=lambda r: r.ID)
def test_passes_example(rule: rules.Rule, tmp_path: Path) -> None:
    blocks = _blocks(rule.__doc__ or "", "Passes:")
    assert blocks
    for block in blocks:
        assert rule.ID not in _run(block, tmp_path)
