"""The --workload replay (cmacheck/workload.py) against hand-computed CMA bitmaps, the minimum
size search, the loader's error messages and the CLI/JSON/text wiring.

Bitmaps below: one character per page (order_per_bit 0, as for every DMA area), ``#`` set.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import ROOT, run_cli

from cmacheck import workload as w
from cmacheck.dryrun import RegionOutcome
from cmacheck.errors import InputError
from cmacheck.load.workload import load_workload

PAGE = 4096
MIB = 1 << 20


def _req(label: str, pages: int, align: int, index: int = 1) -> w.Request:
    return w.Request(label, index, "x", pages * PAGE, pages, align, None, None)


def _area(base: int, size: int, default: bool = False) -> w.Area:
    return w.Area("x", "/reserved-memory/x", base, size, default)


def _bits(replay: w.AreaReplay, total: int) -> str:
    cells = ["."] * total
    for req, start in replay.placed:
        for i in range(start, start + req.pages):
            cells[i] = "#"
    return "".join(cells)


# --------------------------------------------------------------------------- kernel helpers


@pytest.mark.parametrize(("size", "order"), [
    (1, 0), (PAGE, 0), (PAGE + 1, 1), (2 * PAGE, 1), (3 * PAGE, 2), (MIB, 8), (MIB + 1, 9),
    (8294400, 11),
])
def test_get_order(size: int, order: int) -> None:
    assert w.get_order(size, PAGE) == order


def test_aligned_mask_and_offset() -> None:
    # mm/cma.c: mask = (1 << (align - order_per_bit)) - 1, 0 when align <= order_per_bit
    assert w.cma_bitmap_aligned_mask(0, 0) == 0
    assert w.cma_bitmap_aligned_mask(0, 8) == 255
    assert w.cma_bitmap_aligned_mask(2, 2) == 0
    assert w.cma_bitmap_aligned_mask(2, 5) == 7
    # offset = (base_pfn & ((1 << align) - 1)) >> order_per_bit
    assert w.cma_bitmap_aligned_offset(0x40100, 0, 9) == 0x100
    assert w.cma_bitmap_aligned_offset(0x40100, 0, 8) == 0
    assert w.cma_bitmap_aligned_offset(0x40104, 2, 4) == 1


# ------------------------------------------------------------------------------ the replay


def test_alignment_from_the_area_base() -> None:
    # base pfn 0x40100: 1 MiB aligned, not 2 MiB.  A 512-page buffer aligned to order 9 must
    # start at a 2 MiB physical boundary: bit 256 (pfn 0x40200), not bit 512.
    area = _area(0x40100000, 4 * MIB)  # 1024 pages
    steps = [_req("a", 1, 0), _req("big", 512, 9), _req("b", 1, 0), _req("c", 256, 8),
             _req("d", 1, 0)]
    r = w.replay_area(area, steps, PAGE)
    assert [(q.label, start) for q, start in r.placed] == [
        ("a", 0), ("big", 256), ("b", 1), ("c", 768), ("d", 2)]
    assert not r.failed
    # 'big' left bits 1..255 free below it (255 pages); 'c' sits right after 'big'
    assert r.padding == 255 * PAGE
    assert r.peak == (1 + 512 + 1 + 256 + 1) * PAGE
    assert r.largest_free == (256 - 3) * PAGE


def test_first_fit_small_map() -> None:
    # 16 pages; order-2 buffers of 3 pages are placed every 4 pages; a 1-page order-0 one
    # fills the first gap.
    area = _area(0x80000000, 16 * PAGE)
    r = w.replay_area(area, [_req("a", 3, 2), _req("b", 3, 2), _req("c", 1, 0)], PAGE)
    assert _bits(r, 16) == "#######........."
    assert r.padding == 1 * PAGE  # 'b' left bit 3 free below it


def test_fragmentation_and_release() -> None:
    # 16 pages: a b c d of 4 pages; free a and c: 8 pages free, in two 4-page holes.
    area = _area(0x80000000, 16 * PAGE)
    steps: list[w.Request | str] = [_req(n, 4, 2) for n in "abcd"]
    steps += ["a", "c", _req("big", 8, 3), _req("e", 4, 2)]
    r = w.replay_area(area, steps, PAGE)
    assert [(q.label, reason) for q, reason in r.failed] == [
        ("big", "no free run of 32 KiB (largest free block 16 KiB, 32 KiB free in all)")]
    assert [(q.label, s) for q, s in r.placed][-1] == ("e", 0)  # first fit: a's old place
    assert r.used_after == 12 * PAGE
    assert r.largest_free == 4 * PAGE
    assert r.peak == 16 * PAGE


def test_no_run_after_release() -> None:
    area = _area(0x80000000, 8 * PAGE)
    steps: list[w.Request | str] = [_req("a", 1, 0), _req("b", 3, 0), _req("c", 1, 0),
                                    _req("d", 3, 0), "b", _req("x", 2, 1), _req("y", 3, 2)]
    r = w.replay_area(area, steps, PAGE)
    # a=0, b=1..3, c=4, d=5..7; free b; x (order 1) -> 2..3; y needs 3 pages at 0 or 4: none
    assert [(q.label, s) for q, s in r.placed] == [
        ("a", 0), ("b", 1), ("c", 4), ("d", 5), ("x", 2)]
    assert r.failed[0][0].label == "y"
    assert r.failed[0][1].startswith("no free run of 12 KiB")


def test_aligned_only_failure_message() -> None:
    area = _area(0x80000000, 8 * PAGE)
    r = w.replay_area(area, [_req("a", 1, 0), _req("b", 4, 2), _req("c", 2, 2)], PAGE)
    # a=0, b=4..7; c (2 pages, order 2) needs bit 0 or 4: taken; bits 1..3 are an
    # unaligned run that would do
    assert r.failed[0][1] == ("no free run aligned to 16 KiB (an unaligned one exists; "
                              "largest free block 12 KiB)")


# ------------------------------------------------------------------- replay_workload + areas


def _run(*regions: RegionOutcome) -> Any:
    def region(name: str) -> RegionOutcome | None:
        return next((r for r in regions if name in (r.name, r.path)), None)

    return SimpleNamespace(all_regions=regions, region=region,
                           facts=SimpleNamespace(region_facts={}))


def _cma(name: str, path: str | None, base: int, size: int, default: bool = False,
         status: str = "created") -> RegionOutcome:
    return RegionOutcome(name=name, path=path, origin="dynamic" if path else "default-cma",
                         driver="cma", base=base, size=size, no_map=False, reusable=True,
                         default="cma" if default else None, status=status, log=())


def _workload(*steps: w.Alloc | w.Free) -> w.Workload:
    return w.Workload("wl.toml", steps)


def test_cma_alignment_caps_default_order() -> None:
    # 6 MiB area, 4 MiB aligned base.  One page, then a 4 MiB buffer: get_order = 10.
    # CONFIG_CMA_ALIGNMENT=8 caps it to 1 MiB: bit 256, ends at 5 MiB, fits.
    # CONFIG_CMA_ALIGNMENT=10 keeps 4 MiB: bit 1024, ends at 8 MiB, fails.
    run = _run(_cma("vpu@0", "/reserved-memory/vpu@0", 0x40000000, 6 * MIB))
    wl = _workload(w.Alloc("a", "/reserved-memory/vpu@0", PAGE),
                   w.Alloc("b", "/reserved-memory/vpu@0", 4 * MIB))
    capped = w.replay_workload(wl, run=run, dt=None, page_size=PAGE, version=(6, 1, 0),
                               cma_alignment=2 * MIB, cma_alignment_order=8)
    assert capped.failures == ()
    assert capped.areas[0].padding_bytes == 255 * PAGE
    wide = w.replay_workload(wl, run=run, dt=None, page_size=PAGE, version=(6, 1, 0),
                             cma_alignment=2 * MIB, cma_alignment_order=10)
    assert [f.label for f in wide.failures] == ["b"]
    # an explicit order is capped too (dma_alloc_from_contiguous)
    explicit = _workload(w.Alloc("a", "/reserved-memory/vpu@0", PAGE),
                         w.Alloc("b", "/reserved-memory/vpu@0", 4 * MIB, align=12))
    assert w.replay_workload(explicit, run=run, dt=None, page_size=PAGE, version=(6, 1, 0),
                             cma_alignment=2 * MIB, cma_alignment_order=8).failures == ()


def test_default_area_one_page_shortcut_per_version() -> None:
    run = _run(_cma("reserved", None, 0x40000000, 4 * MIB, default=True))
    wl = _workload(w.Alloc("tiny", "default", 100, count=3), w.Alloc("two", "default", 5000))
    new = w.replay_workload(wl, run=run, dt=None, page_size=PAGE, version=(5, 3, 0),
                            cma_alignment=2 * MIB)
    assert new.page_allocator == (("tiny", 3, 100),)
    assert new.areas[0].buffers == 1
    assert new.areas[0].cma_option == f"cma={new.areas[0].min_size // MIB}M"
    # before 5.3 dma-direct sent every blocking allocation to dma_alloc_from_contiguous()
    old = w.replay_workload(wl, run=run, dt=None, page_size=PAGE, version=(5, 2, 0),
                            cma_alignment=2 * MIB)
    assert old.page_allocator == ()
    assert old.areas[0].buffers == 4
    # a device's own area takes one-page buffers too (dev->cma_area)
    own = _run(_cma("vpu@0", "/reserved-memory/vpu@0", 0x40000000, 4 * MIB))
    mine = w.replay_workload(_workload(w.Alloc("tiny", "vpu", 100)), run=own, dt=None,
                             page_size=PAGE, version=(6, 12, 0), cma_alignment=2 * MIB)
    assert mine.page_allocator == () and mine.areas[0].buffers == 1


def test_missing_and_unknown_areas() -> None:
    run = _run(_cma("isp", "/reserved-memory/isp", 0, 0, status="failed"))
    wl = _workload(w.Alloc("a", "default", 8 * MIB, count=2, line=3),
                   w.Alloc("b", "/reserved-memory/isp", MIB, line=9),
                   w.Alloc("c", "nosuch", MIB, line=12))
    res = w.replay_workload(wl, run=run, dt=None, page_size=PAGE, version=(6, 1, 0),
                            cma_alignment=2 * MIB)
    assert [(f.label, f.index, f.reason) for f in res.failures] == [
        ("a", 1, "there is no default CMA area (CONFIG_DMA_CMA off, or size 0)"),
        ("a", 2, "there is no default CMA area (CONFIG_DMA_CMA off, or size 0)"),
        ("b", 1, "/reserved-memory/isp was not created at boot (status failed)"),
        ("c", 1, "unknown area 'nosuch'"),
    ]
    assert res.areas == ()


# -------------------------------------------------------------------------- minimum size


@pytest.mark.parametrize("base", [0x40000000, 0x40100000])
def test_minimum_size_is_tight(base: int) -> None:
    step = 2 * MIB
    reqs: list[w.Request | str] = [_req("scanout", 2025, 8, i) for i in (1, 2, 3)]
    reqs += [_req("cam", 760, 8, i) for i in range(1, 9)]
    reqs += ["scanout", _req("4k", 8100, 8, 1), _req("4k", 8100, 8, 2), "cam",
             _req("codec", 6144, 8, 1)]
    area = _area(base, 256 * MIB)
    need = w.minimum_size(area, reqs, PAGE, step)
    assert need is not None and need % step == 0
    assert not w.replay_area(_area(base, need), reqs, PAGE).failed
    assert w.replay_area(_area(base, need - step), reqs, PAGE).failed


def test_minimum_size_grows_beyond_the_area() -> None:
    reqs: list[w.Request | str] = [_req("big", 3000, 8)]  # 11.7 MiB on a 4 MiB area
    need = w.minimum_size(_area(0x40000000, 4 * MIB), reqs, PAGE, 2 * MIB)
    assert need == 12 * MIB


# -------------------------------------------------------------------------------- loader


def _load(tmp_path: Path, text: str) -> w.Workload:
    p = tmp_path / "wl.toml"
    p.write_text(text)
    return load_workload(str(p))


def test_loader_reads_steps(tmp_path: Path) -> None:
    wl = _load(tmp_path, '[[step]]\nalloc = "fb"\narea = "default"\nsize = "8M"\ncount = 3\n'
                         '\n[[step]]\nalloc = "x"\narea = "/vpu"\nsize = 4096\nalign = 4\n'
                         '\n[[step]]\nfree = "fb"\n')
    assert wl.steps == (w.Alloc("fb", "default", 8 * MIB, 3, None, 1),
                        w.Alloc("x", "/vpu", 4096, 1, 4, 7), w.Free("fb", 13))
    assert wl.source.endswith("wl.toml")


@pytest.mark.parametrize(("text", "message"), [
    ('[[step]]\nalloc = "a"\narea = "default"\nsize = "8Q"\n',
     "wl.toml:4: step 1: size: invalid size '8Q' (expected e.g. 8M, 4096 or 0x1000)"),
    ('[[step]]\nalloc = "a"\nsize = "8M"\n',
     'wl.toml:1: step 1: missing area ("default", a node path or a region name)'),
    ('[[step]]\nalloc = "a"\narea = "default"\nsize = "1M"\ncount = 0\n',
     "wl.toml:5: step 1: count: expected a positive integer, got 0"),
    ('[[step]]\nalloc = "a"\narea = "default"\nsize = "1M"\nalign = "big"\n',
     "wl.toml:5: step 1: align: expected \"default\" or an order 0..31, got 'big'"),
    ('[[step]]\nalloc = "a"\narea = "default"\nsize = "1M"\n\n[[step]]\nfree = "b"\n',
     "wl.toml:7: step 2: free: no earlier allocation 'b'"),
    ('[[step]]\nalloc = "a"\narea = "default"\nsize = "1M"\n[[step]]\nfree = "a"\n'
     '[[step]]\nfree = "a"\n',
     "wl.toml:8: step 3: free: already freed 'a'"),
    ('[[step]]\nalloc = "a"\narea = "default"\nsize = "1M"\n[[step]]\nalloc = "a"\n'
     'area = "default"\nsize = "1M"\n',
     "wl.toml:6: step 2: alloc: label 'a' is still allocated (step 1)"),
    ('[[step]]\nalloc = "a"\nfree = "a"\n',
     "wl.toml:1: step 1: give either alloc = LABEL or free = LABEL"),
    ('[[step]]\nalloc = "a"\narea = "default"\nsize = "1M"\ncolour = 1\n',
     "wl.toml:5: step 1: colour: unknown key (expected align, alloc, area, count, size)"),
    ('steps = 1\n', "wl.toml:1: unknown key 'steps' (expected [[step]] tables)"),
    ('# nothing\n', "wl.toml: no [[step]] tables"),
    ('[[step]\n', "wl.toml:1: invalid TOML: Expected ']]' at the end of an array "
                  "declaration (column 7)"),
])
def test_loader_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as e:
        _load(tmp_path, text)
    assert str(e.value) == str(tmp_path) + "/" + message


def test_loader_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.toml: No such file or directory$"):
        load_workload(str(tmp_path / "nope.toml"))


# ------------------------------------------------------------------------------- CLI wiring


def test_example_workload_json_and_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # relative paths, as tests/test_cli.py gives them: batch._CONFIGS caches a .config by
    # absolute path but keeps the first spelling in its findings
    monkeypatch.chdir(ROOT)
    ex = "examples/clean"
    args = [f"{ex}/board.dtb", "--config", f"{ex}/kernel.config",
            "--workload", f"{ex}/camera-display.toml"]
    r = run_cli([*args, "--format", "json"])
    assert r.code == 0, r.err
    wl = r.json["workload"]
    assert wl["failures"] == []
    (area,) = wl["areas"]
    assert area["path"] == "/reserved-memory/linux,cma"
    assert area["buffers"] == 20
    assert area["peak"] == 159340 * 1024
    assert area["min_size"] == 182 * MIB and area["cma_option"] == "cma=182M"
    assert wl["page_allocator"] == [{"label": "its-tables", "count": 2, "size": 4096}]
    assert [f["rule"] for f in r.json["findings"]].count("CMA302") == 1
    text = run_cli(args)
    assert "smallest area that serves it: 182 MiB (cma=182M)" in text.out


def test_workload_without_prediction_is_a_usage_error(tmp_path: Path) -> None:
    dts = tmp_path / "b.dts"
    dts.write_text("/dts-v1/;\n/ { #address-cells = <1>; #size-cells = <1>; };\n")
    wl = tmp_path / "wl.toml"
    wl.write_text('[[step]]\nalloc = "a"\narea = "default"\nsize = "1M"\n')
    r = run_cli([str(dts), "--workload", str(wl)])
    assert r.code == 2
    assert "--workload" in r.err and "no CMA areas to replay it on" in r.err
