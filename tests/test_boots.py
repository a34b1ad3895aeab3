"""The dry run against every real boot recorded under tests/boots/<kernel-id>/<case-id>/.

For each fixture the prediction is made from the fixture's own inputs only: board.dtb (memory,
/chosen bootargs, /reserved-memory, /memreserve/), the kernel version and arch from meta.json,
the boot-chain placement from meta.json (DTB address/totalsize, kernel load address and
image_size, initrd) and the kernel's Kconfig symbols:

the real ``/boot/config-*`` of the Debian package booted, committed as
``tests/data/kconfig/debian-<major.minor>-<arch>.config*`` (read with cmacheck.load.kconfig);
a page-size flavour kernel id (``arm64-6.12-16k``) reads only
``debian-<major.minor>-<arch>-16k.config*``.

``symbols_for`` records which file was used.

What is compared, per fixture:

* every /reserved-memory child: status, base and size against what the kernel printed
  (``cmacheck.dmesg``); where 6.1 prints nothing for a region (plain static / no-map regions,
  dynamic regions without a driver) the ``memblock=debug`` trace is the witness.  Sizes printed
  in MiB are compared in MiB (the kernel truncates), the 6.3+ summary line and the trace are
  exact;
* the default CMA area: status and size exactly, base within ``base_tolerance`` (one CMA
  alignment step): the default area sits below the arch's early allocations (page tables,
  memmap), which the dry run ESTIMATES (dryrun.arm64_early_allocations); the estimate is
  calibrated on these boots, but a board whose tree or memory differs from the calibration
  set can move the memmap buffer by one 2 MiB step.  The number of exact hits is reported by
  ``python tests/test_boots.py``;
* the whole predicted log (``--predict-log``) against the kernel's reserved-memory / CMA
  lines, line for line.

For the flavour kernels, ``--page-size`` on the 4K package's config of the same release
(``WHATIF_BASE_CONFIG``) must give the flavour's symbols and predict the same boots.

A disagreement is a model bug: fix the model, or mark that single case xfail(strict=True) in
``KNOWN_DIFFERENCES`` with the precise reason.
"""

from __future__ import annotations

import glob
import gzip
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cmacheck import board
from cmacheck.dmesg import LoggedRegion, ParsedLog, parse_log
from cmacheck.dryrun import BootChain, DryRun, RegionOutcome, dry_run
from cmacheck.kernel import kernel_model, parse_version
from cmacheck.load.cmdline import parse_cmdline
from cmacheck.load.dtb import load_dtb

ROOT = Path(__file__).resolve().parent
BOOTS = ROOT / "boots"
KCONFIG = ROOT / "data" / "kconfig"
MIB = 1 << 20

#: 32-bit arm: (_stext offset, _end - _stext, swapper_pg_dir offset, its size) from PHYS_OFFSET,
#: read from the memblock=debug trace of each kernel's "base" boot (arm_memblock_init's two
#: memblock_reserve calls): the Debian armmp-lpae kernels run at TEXT_OFFSET 0x208000.
ARM_KERNEL_LAYOUT: dict[str, tuple[int, int, int, int]] = {
    "armhf-6.1": (0x40_0000, 0x140_D288, 0x20_3000, 0x5000),
    "armhf-6.12": (0x40_0000, 0x183_21D0, 0x20_3000, 0x5000),
}

#: "kernel-id/case-id" -> precise reason the model still disagrees (xfail, strict).
KNOWN_DIFFERENCES: dict[str, str] = {}


# ------------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class Fixture:
    kid: str
    case: str
    path: Path
    meta: Mapping[str, Any]

    @property
    def id(self) -> str:
        return f"{self.kid}/{self.case}"

    @property
    def arch(self) -> str:
        return "arm64" if self.meta["arch"] == "arm64" else "arm"

    @property
    def version(self) -> tuple[int, int, int]:
        return parse_version(str(self.meta["kernel"]["version"]))

    def log(self) -> str:
        with gzip.open(self.path / "boot.log.gz", "rt", errors="replace") as f:
            return f.read().replace("\r", "")


def fixtures(failed: bool = False) -> list[Fixture]:
    """The recorded boots that reached the normal end (the root-mount panic); with ``failed``
    the others instead (no output, hang, fault before the end)."""
    out = []
    for meta_path in sorted(glob.glob(str(BOOTS / "*" / "*" / "meta.json"))):
        path = Path(meta_path).parent
        if not (path / "boot.log.gz").exists() or not (path / "board.dtb").exists():
            continue
        with open(meta_path) as f:
            meta = json.load(f)
        normal_end = meta.get("boot", {}).get("outcome") in (None, "panic")
        if normal_end == failed:
            continue  # a boot that died early has no lines to compare (see test_failed_boots)
        out.append(Fixture(path.parent.name, path.name, path, meta))
    return out


_SYMBOL_CACHE: dict[str, tuple[str, Mapping[str, str]]] = {}


def symbols_for(fx: Fixture) -> tuple[str, Mapping[str, str]]:
    """(source, symbols) for the fixture's kernel."""
    key = fx.kid
    if key in _SYMBOL_CACHE:
        return _SYMBOL_CACHE[key]
    major, minor, _ = fx.version
    arches = ("arm64",) if fx.arch == "arm64" else ("armhf", "arm", "armmp")
    flavour = page_flavour(fx.kid)
    found: tuple[str, Mapping[str, str]] | None = None
    for arch in arches:
        if flavour:
            # a page-size flavour (arm64-6.12-16k): only its own file, never the 4K one
            own = f"debian-{major}.{minor}-{arch}-{flavour}.config*"
            hits = sorted(glob.glob(str(KCONFIG / own)))
        else:
            hits = sorted(
                h
                for h in glob.glob(str(KCONFIG / f"debian-{major}.{minor}-{arch}.config*"))
                + glob.glob(str(KCONFIG / f"debian-{major}.{minor}-{arch}-*.config*"))
                if not page_flavour(os.path.basename(h).split(".config")[0])
            )
        if hits:
            from cmacheck.load.kconfig import load_config

            cfg = load_config(hits[0])
            found = (f"kconfig:{os.path.basename(hits[0])}", dict(cfg.symbols))
            break
    if found is None:
        pytest.fail(f"no Kconfig for {key}: add the package's /boot/config-* to tests/data/kconfig")
    _SYMBOL_CACHE[key] = found
    return found


#: ``--page-size`` what-if (api.page_overrides) on the 4K package's config of the same Debian
#: release, per page-size flavour kernel id: must predict what the real flavour kernel did.
WHATIF_BASE_CONFIG: dict[str, Path] = {
    "arm64-6.12-16k": KCONFIG / "debian-6.12-arm64.config.gz",  # linux-image-...-arm64
    "arm64-sid-16k": KCONFIG / "debian-7.2-arm64.config.gz",  # linux-base-...-arm64
}


def whatif_symbols(fx: Fixture) -> Mapping[str, str]:
    key = f"{fx.kid}:whatif"
    if key not in _SYMBOL_CACHE:
        from cmacheck.api import page_overrides
        from cmacheck.load.kconfig import load_config

        page = {"16k": 16384, "64k": 65536}[page_flavour(fx.kid) or ""]
        base = load_config(str(WHATIF_BASE_CONFIG[fx.kid]))
        overrides = page_overrides("arm64", page, base)
        cfg = load_config(str(WHATIF_BASE_CONFIG[fx.kid]), overrides=overrides)
        _SYMBOL_CACHE[key] = (f"whatif:{WHATIF_BASE_CONFIG[fx.kid].name}", dict(cfg.symbols))
    return _SYMBOL_CACHE[key][1]


def page_flavour(name: str) -> str | None:
    """``16k`` / ``64k`` for a page-size flavour kernel id or config file name, else None."""
    m = re.search(r"-(16k|64k)$", name)
    return m.group(1) if m else None


def boot_chain(fx: Fixture) -> BootChain:
    m = fx.meta
    img = m.get("kernel_image") or {}
    kaddr = int(img["load_address"], 16) if img.get("load_address") else None
    ksize = _int(img.get("image_size"))
    reserves: tuple[tuple[int, int], ...] = ()
    if fx.arch == "arm":
        # the zImage decompresses itself to (load & 0xf8000000) + TEXT_OFFSET; the reserved
        # kernel range (_stext.._end) and swapper_pg_dir come from the recorded traces
        layout = ARM_KERNEL_LAYOUT.get(fx.kid)
        kaddr = ksize = None
        if layout is not None and img.get("load_address"):
            phys = int(img["load_address"], 16) & 0xF800_0000
            kaddr, ksize = phys + layout[0], layout[1]
            reserves = ((phys + layout[2], layout[3]),)
        else:
            # a kernel not in the table: take the placement from this boot's own trace
            # (arm_memblock_init reserves the kernel, then swapper_pg_dir)
            placed = [
                (e.base, e.size)
                for e in parse_log(fx.log()).memblock
                if e.op == "memblock_reserve" and e.function == "arm_memblock_init" and e.base
            ]
            if placed:
                kaddr, ksize = placed[0]
                reserves = tuple(placed[1:2])
    initrd = None
    if m.get("initrd"):
        initrd = (int(m["initrd"]["address"], 16), _int(m["initrd"]["size"]) or 0)
    return BootChain(
        dtb_addr=int(m["dtb"]["address"], 16),
        dtb_size=_int(m["dtb"]["totalsize"]),
        kernel_addr=kaddr,
        kernel_size=ksize,
        initrd=initrd,
        reserves=reserves,
    )


def _int(v: object) -> int | None:
    if v is None:
        return None
    if isinstance(v, int):
        return v
    return int(str(v), 0)


_RUN_CACHE: dict[str, tuple[DryRun, ParsedLog]] = {}


def predict(fx: Fixture, whatif: bool = False) -> tuple[DryRun, ParsedLog]:
    """The dry run for ``fx`` and its parsed log; ``whatif``: from the 4K config with
    ``--page-size`` set to the fixture's page size (:func:`whatif_symbols`)."""
    key = f"{fx.id}:whatif" if whatif else fx.id
    if key in _RUN_CACHE:
        return _RUN_CACHE[key]
    symbols = whatif_symbols(fx) if whatif else symbols_for(fx)[1]
    dt = load_dtb(str(fx.path / "board.dtb"))
    kernel = kernel_model(fx.version, fx.arch, symbols)
    chosen = board.chosen(dt, board.root_cells(dt))
    cmdline = parse_cmdline(chosen.bootargs or "")
    run = dry_run(dt, kernel=kernel, cmdline=cmdline, symbols=symbols, boot=boot_chain(fx))
    parsed = parse_log(fx.log())
    _RUN_CACHE[key] = (run, parsed)
    return run, parsed


# ------------------------------------------------------------------- what the kernel did


@dataclass(frozen=True)
class Observed:
    status: str  # contract status, or "silent" (nothing printed, nothing traced)
    base: int | None
    size: int | None
    size_mib_only: bool  # the kernel printed only whole MiB


_SCAN_CALLERS = (
    "early_init_fdt_scan_reserved_mem",
    "fdt_scan_reserved_mem",
    "__fdt_scan_reserved_mem",
    "__reserved_mem_reserve_reg",
    "early_init_dt_reserve_memory",
    "early_init_dt_reserve_memory_arch",
)


def observe(run: DryRun, parsed: ParsedLog) -> dict[str, Observed]:
    """Per DT region name: what the log (and memblock=debug trace) shows the kernel did."""
    out: dict[str, Observed] = {}
    for r in run.regions:
        if r.origin == "memreserve":
            continue
        logged: LoggedRegion | None = parsed.region(r.name)
        if logged is not None and logged.status is not None:
            out[r.name] = Observed(
                logged.status,
                logged.base,
                logged.size,
                size_mib_only=not logged.size_exact and logged.size is not None,
            )
    trace = parsed.memblock
    if not trace:
        return out
    # silent static regions: their memblock_reserve / the final NOMAP flags
    for r in run.regions:
        if r.name in out or r.origin != "static" or r.base is None or not r.size:
            continue
        if r.no_map:
            hit = any(
                flags & 0x4 and base <= r.base and r.base + r.size <= base + size
                for base, size, flags in parsed.final_memory
            )
        else:
            hit = any(
                e.op == "memblock_reserve"
                and e.base == r.base
                and e.size == r.size
                and e.function in _SCAN_CALLERS
                for e in trace
            )
        if hit:
            out[r.name] = Observed("reserved", r.base, r.size, size_mib_only=False)
    # silent dynamic regions: allocations by the reserved-memory allocator, in order
    allocs: list[tuple[int, int]] = []
    for i, e in enumerate(trace):
        if e.function != "early_init_dt_alloc_reserved_memory_arch" or e.base is not None:
            continue
        nxt = trace[i + 1] if i + 1 < len(trace) else None
        if nxt is not None and nxt.op == "memblock_reserve" and nxt.base is not None:
            allocs.append((nxt.base, e.size))
    named = {(o.base, o.size) for o in out.values() if o.base is not None}
    named_bases = {o.base for o in out.values()}
    unnamed = [a for a in allocs if a not in named and a[0] not in named_bases]
    for r in run.regions:
        if r.name in out or r.origin != "dynamic" or r.size is None:
            continue
        for j, (base, size) in enumerate(unnamed):
            if size == r.size:
                out[r.name] = Observed("reserved", base, size, size_mib_only=False)
                del unnamed[j]
                break
    return out


def _overlaps_ram(parsed: ParsedLog, r: RegionOutcome) -> bool:
    assert r.base is not None
    return any(b < r.base + r.size and r.base < b + s for b, s, _ in parsed.final_memory)


def _matches(pred: RegionOutcome, obs: Observed) -> list[str]:
    problems = []
    if pred.status != obs.status:
        problems.append(f"status {pred.status} != kernel {obs.status}")
    if obs.base is not None and pred.base != obs.base:
        problems.append(f"base {_hex(pred.base)} != kernel {_hex(obs.base)}")
    if obs.size is not None:
        if obs.size_mib_only:
            if pred.size // MIB != obs.size // MIB:
                problems.append(f"size {pred.size // MIB} MiB != kernel {obs.size // MIB} MiB")
        elif pred.size != obs.size:
            problems.append(f"size {pred.size:#x} != kernel {obs.size:#x}")
    return problems


def _names(line: str, name: str) -> bool:
    """Whether a log line names the node ``name`` (not merely contains it as a substring)."""
    return re.search(rf"(?<![\w@,.\-]){re.escape(name)}(?![\w@,.\-])", line) is not None


def _hex(v: int | None) -> str:
    return "None" if v is None else f"{v:#x}"


def region_problems(fx: Fixture, whatif: bool = False) -> tuple[int, int, int, list[str]]:
    """(regions compared, regions agreeing, of which silent, problems) for the DT regions.

    "silent": the kernel printed nothing and the trace shows nothing for the region, which
    agrees only with a prediction of ignored / failed / bypassed (or a no-map range outside
    RAM, or -- in a boot without ``memblock=debug`` -- a region the kernel reserves without
    printing anything about it).
    """
    run, parsed = predict(fx, whatif)
    obs = observe(run, parsed)
    compared = exact = silent = 0
    problems: list[str] = []
    for r in run.regions:
        if r.origin == "memreserve":
            continue
        o = obs.get(r.name)
        compared += 1
        if o is None:
            # the kernel printed nothing and the trace shows nothing: fine for a region the
            # kernel never processed, and for a no-map region outside RAM (marking NOMAP
            # there changes nothing, so nothing can be seen)
            outside = r.no_map and r.base is not None and not _overlaps_ram(parsed, r)
            # without memblock=debug there is no witness for a region the kernel reserves
            # without printing (6.1: plain static / no-map regions, regions without a
            # driver): the log comparison already checks that the kernel printed nothing
            # about it, which is all that can be observed (t31 vs t31-ec on armhf-6.1)
            unwitnessed = (
                r.status == "reserved"
                and not parsed.memblock
                and not any(_names(line, r.name) for line in run.log)
            )
            if r.status not in ("ignored", "failed", "bypassed") and not (
                r.status == "reserved" and (outside or unwitnessed)
            ):
                problems.append(f"{r.name}: predicted {r.status}, kernel silent")
            else:
                exact += 1
                silent += 1
            continue
        if (
            r.status == "inactive"
            and o.status == "created"
            and parsed.cma_activation_fault
            and run.facts.region_facts[r.path or r.name].outside_ram
        ):
            # the kernel printed "created", then WARNed and/or faulted in
            # cma_init_reserved_areas (no memmap there): what "inactive" (outside RAM) predicts
            o = Observed("inactive", o.base, o.size, o.size_mib_only)
        bad = _matches(r, o)
        if bad:
            problems.append(f"{r.name}: " + "; ".join(bad))
        else:
            exact += 1
    for name in parsed.regions:
        if not any(r.name == name for r in run.regions):
            problems.append(f"{name}: the kernel reports it, the dry run has no such region")
    return compared, exact, silent, problems


def default_problems(fx: Fixture, whatif: bool = False) -> tuple[bool, list[str]]:
    """(base exact, problems) for the default CMA area."""
    run, parsed = predict(fx, whatif)
    pred = run.default_cma
    real = parsed.default_area
    if pred is None and real is None:
        return True, []
    if pred is None or real is None:
        return False, [
            f"default area: predicted {pred and pred.status}, kernel {real and real.status}"
        ]
    problems = []
    real_status = real.status
    if pred.status == "inactive" and real_status == "created" and parsed.cma_activation_fault:
        real_status = "inactive"  # created, then WARN + fault in cma_init_reserved_areas
    if pred.status != real_status:
        problems.append(f"default area status {pred.status} != kernel {real_status}")
    printed = pred.size // MIB
    if fx.version >= (6, 15, 0):
        plan = run.cma_size_plan
        if plan is not None and plan.declared_size:
            printed = plan.declared_size // MIB  # 6.15+ prints the requested size
    if real.size_mib is not None and printed != real.size_mib:
        problems.append(f"default area size {printed} MiB != kernel {real.size_mib} MiB")
    tolerance = base_tolerance(run)
    exact = pred.base == real.base
    if real.base is not None and (pred.base is None or abs(pred.base - real.base) > tolerance):
        problems.append(
            f"default area base {_hex(pred.base)} != kernel {_hex(real.base)} "
            f"(tolerance {tolerance:#x})"
        )
    return exact, problems


def base_tolerance(run: DryRun) -> int:
    """One CMA alignment step (see the module docstring)."""
    return run.facts.cma_alignment


def log_problems(fx: Fixture, whatif: bool = False) -> list[str]:
    run, parsed = predict(fx, whatif)
    if list(run.log) == parsed.lines:
        return []
    import difflib

    return list(
        difflib.unified_diff(parsed.lines, list(run.log), "kernel", "predicted", lineterm="", n=0)
    )


# ---------------------------------------------------------------------------------- tests

FIXTURES = fixtures()


def _param(fx: Fixture, kind: str) -> Any:
    reason = KNOWN_DIFFERENCES.get(f"{fx.id}:{kind}") or KNOWN_DIFFERENCES.get(fx.id)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(fx, id=fx.id, marks=marks)


def test_fixtures_present() -> None:
    assert FIXTURES, "no recorded boots under tests/boots"


@pytest.mark.parametrize("fx", [_param(f, "regions") for f in FIXTURES])
def test_regions_match_kernel(fx: Fixture) -> None:
    _, _, _, problems = region_problems(fx)
    assert not problems, f"[{symbols_for(fx)[0]}] " + "\n".join(problems)


@pytest.mark.parametrize("fx", [_param(f, "default") for f in FIXTURES])
def test_default_area_matches_kernel(fx: Fixture) -> None:
    _, problems = default_problems(fx)
    assert not problems, f"[{symbols_for(fx)[0]}] " + "\n".join(problems)


@pytest.mark.parametrize("fx", [_param(f, "log") for f in FIXTURES])
def test_predicted_log_matches_kernel(fx: Fixture) -> None:
    diff = log_problems(fx)
    assert not diff, f"[{symbols_for(fx)[0]}]\n" + "\n".join(diff)


WHATIF_FIXTURES = [f for f in FIXTURES if f.kid in WHATIF_BASE_CONFIG]


def test_page_size_whatif_symbols() -> None:
    """``--page-size 16K`` on Debian's 4K 6.12 config gives exactly the modelled symbols of
    Debian's 16K package (the packages differ in ARM64_{4K,16K}_PAGES and
    ARCH_FORCE_MAX_ORDER 10 -> 11 among them; FINDINGS.md section 7)."""
    for kid in WHATIF_BASE_CONFIG:
        fx = next((f for f in FIXTURES if f.kid == kid), None)
        if fx is None:
            continue
        assert dict(whatif_symbols(fx)) == dict(symbols_for(fx)[1])


def test_page_size_whatif_keeps_a_tuned_pageblock_order(tmp_path: Path) -> None:
    """PAGE_BLOCK_MAX_ORDER at its default follows ``--page-size``; set lower, it stays."""
    from cmacheck.api import page_overrides
    from cmacheck.load.kconfig import load_config

    text = gzip.decompress((KCONFIG / "debian-7.2-arm64.config.gz").read_bytes()).decode()
    assert "CONFIG_PAGE_BLOCK_MAX_ORDER=10\n" in text
    tuned = tmp_path / "tuned.config"
    tuned.write_text(text.replace("CONFIG_PAGE_BLOCK_MAX_ORDER=10\n",
                                  "CONFIG_PAGE_BLOCK_MAX_ORDER=8\n"))
    for path, expected in ((KCONFIG / "debian-7.2-arm64.config.gz", "11"), (tuned, "8")):
        cfg = load_config(str(path))
        whatif = load_config(str(path), overrides=page_overrides("arm64", 16384, cfg))
        assert whatif.value("PAGE_BLOCK_MAX_ORDER") == expected


@pytest.mark.parametrize("fx", [_param(f, "whatif") for f in WHATIF_FIXTURES])
def test_page_size_whatif_matches_kernel(fx: Fixture) -> None:
    """The what-if predicts the flavour kernel's regions, default area and log."""
    _, _, _, problems = region_problems(fx, whatif=True)
    problems += default_problems(fx, whatif=True)[1]
    problems += log_problems(fx, whatif=True)
    assert not problems, f"[{_SYMBOL_CACHE[f'{fx.kid}:whatif'][0]}]\n" + "\n".join(problems)


@pytest.mark.parametrize("case", ["base", "t2b", "c-kib", "t18"])
def test_page_size_whatif_cli(case: str) -> None:
    """The same through the command line: ``--page-size 16K`` on the 4K config, compared with
    the 16K kernel's own log (``--dmesg``): every region and the default area agree."""
    from conftest import run_cli

    fx = next((f for f in WHATIF_FIXTURES if f.case == case), None)
    if fx is None:
        pytest.fail(f"arm64-6.12-16k/{case} not recorded")
    b = boot_chain(fx)
    r = run_cli([
        str(fx.path / "board.dtb"), "--config", str(WHATIF_BASE_CONFIG[fx.kid]),
        "--page-size", "16K", "--dtb-addr", hex(b.dtb_addr or 0),
        "--kernel-addr", hex(b.kernel_addr or 0), "--kernel-size", str(b.kernel_size),
        "--dmesg", str(fx.path / "boot.log.gz"), "--format", "json",
    ])
    assert r.code in (0, 1), r.err
    assert r.json["kernel"]["page_size"] == 16384
    assert r.json["dmesg"]["agree"] == r.json["dmesg"]["total"] > 0
    assert not [f for f in r.json["findings"] if f["rule"].startswith("CMA8")]


@pytest.mark.parametrize(
    "kid", ["arm64-6.12-16k", "arm64-sid-16k", "arm64-6.1", "arm64-6.12", "arm64-sid"]
)
@pytest.mark.parametrize("case", ["base", "t18", "c-mem1g", "t26", "t17"])
def test_arm64_early_allocations_exact(kid: str, case: str) -> None:
    """The replayed early allocations (page tables, unflattened tree, NODE_DATA, sparse_init
    arrays, the memmap buffer and what sparse_buffer_fini frees with 16K pages, vmemmap tables)
    are the ones in the boot's memblock=debug trace, byte for byte."""
    fx = next((f for f in FIXTURES if f.id == f"{kid}/{case}"), None)
    if fx is None:
        pytest.fail(f"{kid}/{case} not recorded")
    run, parsed = predict(fx)
    trace = parsed.memblock
    # each early_pgtable_alloc line is followed by the memblock_reserve of the page it got
    tables = [trace[i + 1].base for i, e in enumerate(trace[:-1])
              if e.function == "early_pgtable_alloc"]
    reserved = {(e.base, e.size) for e in trace if e.op.endswith("memblock_reserve") and e.base}
    freed = {(e.base, e.size) for e in trace if "free" in e.op and e.base}
    early = run.facts.early_allocs
    # paging_init: one entry for all tables, its base the lowest
    page = 16384 if kid.endswith("-16k") else 4096
    assert (early[0].base, early[0].size) == (min(tables), len(tables) * page)
    for e in early[1:]:
        where = freed if e.what.startswith("sparse_buffer_fini") else reserved
        assert (e.base, e.size) in where, f"{e.what}: {e.base:#x} + {e.size:#x} not in the trace"


FAILED_BOOTS = fixtures(failed=True)


@pytest.mark.parametrize("fx", [_param(f, "failed") for f in FAILED_BOOTS])
def test_failed_boots_are_predicted(fx: Fixture) -> None:
    """Boots that never reached the root-mount panic (no console output, hang, exit): the dry
    run must predict the failure (``facts.crash``) or an area it cannot activate."""
    run, _ = predict(fx)
    inactive = [r.name for r in run.all_regions if r.status == "inactive"]
    assert run.facts.crash is not None or inactive, (
        f"boot ended with {fx.meta['boot']['outcome']!r} but no crash is predicted"
    )


def summary() -> str:
    """Agreement table: ``python tests/test_boots.py``."""
    rows = []
    by_kernel: dict[str, list[int]] = {}
    for fx in FIXTURES:
        c, e, sil, _ = region_problems(fx)
        base_exact, dp = default_problems(fx)
        lp = log_problems(fx)
        k = by_kernel.setdefault(fx.kid, [0, 0, 0, 0, 0, 0, 0])
        for i, v in enumerate((c, e, 1, int(not dp), int(base_exact), int(not lp), sil)):
            k[i] += v
    tot = [sum(k[i] for k in by_kernel.values()) for i in range(7)]
    for kid, (c, e, n, d, db, lg, sil) in sorted(by_kernel.items()):
        rows.append(
            f"{kid:12} {n} boots: regions {e}/{c} agree ({sil} silent); default area "
            f"{d}/{n} (base exact {db}/{n}); log identical {lg}/{n}  "
            f"[{_SYMBOL_CACHE.get(kid, ('?',))[0]}]"
        )
    failed = sum(
        1
        for fx in FAILED_BOOTS
        if predict(fx)[0].facts.crash
        or any(r.status == "inactive" for r in predict(fx)[0].all_regions)
    )
    rows.append(f"{'failed boots':12} {failed}/{len(FAILED_BOOTS)} predicted to fail")
    rows.append(
        f"{'total':12} {tot[2]} boots: regions {tot[1]}/{tot[0]} agree ({tot[6]} silent); "
        f"default area {tot[3]}/{tot[2]} (base exact {tot[4]}/{tot[2]}); log identical "
        f"{tot[5]}/{tot[2]}"
    )
    return "\n".join(rows)


if __name__ == "__main__":
    sys.stdout.write(summary() + "\n")
