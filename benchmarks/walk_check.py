"""Compare cmacheck's two DTB walks on every DTB of the benchmark corpus (not in git).

    python3 benchmarks/walk_check.py [DIR]     # default: benchmarks/corpus/dtbs

parse_dtb reads the structure block directly (load/dtb.py ``_walk_struct``) and falls back
to the pylibfdt walk (``walk_libfdt``) on anything unusual; tests/test_dtb.py compares the
two on the repository's DTBs and on fuzzed blobs, this script on the corpus.  Exit status 1
if any DTB gives a different model or error, or falls back.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cmacheck.errors import InputError  # noqa: E402
from cmacheck.load import dtb  # noqa: E402
from cmacheck.model import DeviceTree  # noqa: E402


def _shape(root: Any) -> list[Any]:
    return [(n.name, n.path, n.offset, [c.path for c in n.children],
             [(k, p.name, type(p.value), p.value) for k, p in n.props.items()])
            for n in DeviceTree("", root).walk()]


def _outcome(walk: Any, path: str, data: bytes) -> tuple[Any, ...]:
    try:
        return ("tree", _shape(walk(path, data)))
    except InputError as e:
        return ("error", str(e), e.node)


def _libfdt_walk(path: str, data: bytes) -> Any:
    return dtb.walk_libfdt(path, dtb._open_fdt(path, data))


def main() -> int:
    top = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "benchmarks" / "corpus" / "dtbs"
    files = sorted(top.rglob("*.dtb"))
    if not files:
        sys.exit(f"{top}: no DTBs (sh benchmarks/fetch_corpus.sh)")
    bad = 0
    for f in files:
        data = f.read_bytes()
        try:
            fast = _outcome(dtb._walk_struct, str(f), data)
        except dtb._Unusual:
            fast = ("fell back to libfdt",)
        ref = _outcome(_libfdt_walk, str(f), data)
        if fast != ref:
            bad += 1
            print(f"{f}: {fast[:2]!r:.200} != {ref[:2]!r:.200}")
    print(f"{len(files)} DTBs, {bad} differ")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
