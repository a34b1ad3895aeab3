"""cmacheck.cma.plan_cma_size: every branch of the default CMA size decision (§2.1-§2.4)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cmacheck.cma import (
    CmaSizePlan,
    DefaultCandidate,
    DtDefault,
    aligned_size,
    dt_default,
    plan_cma_size,
)
from cmacheck.kernel import KernelModel, kernel_model
from cmacheck.load.cmdline import parse_cmdline

K = 1 << 10
M = 1 << 20
G = 1 << 30
V61 = (6, 1, 0)

BASE = {"CMA": "y", "DMA_CMA": "y", "OF_RESERVED_MEM": "y"}
MBYTES64 = {**BASE, "CMA_SIZE_SEL_MBYTES": "y", "CMA_SIZE_MBYTES": "64"}
LINUX_CMA = DtDefault(path="/reserved-memory/linux,cma", size=256 * M, static=False)
PAGES = {4096: {}, 16384: {"ARM64_16K_PAGES": "y"}, 65536: {"ARM64_64K_PAGES": "y"}}


def model(arch: str, version: tuple[int, int, int], page_size: int = 4096) -> KernelModel:
    """The kernel model the size decision reads (the .config values it reads from ``symbols``;
    the model only needs the page size, and would refuse e.g. CMA_SIZE_MBYTES=lots)."""
    kernel = kernel_model(version, arch, PAGES[page_size])
    assert kernel.page_size == page_size
    return kernel


def plan(
    cmdline: str = "",
    symbols: Mapping[str, str] | None = MBYTES64,
    dt: DtDefault | None = None,
    ram: int | None = 2 * G,
    *,
    page_size: int = 4096,
    arch: str = "arm64",
    version: tuple[int, int, int] = V61,
) -> CmaSizePlan:
    return plan_cma_size(
        kernel=model(arch, version, page_size),
        cmdline=parse_cmdline(cmdline),
        symbols=symbols,
        dt_default=dt,
        phys_mem_size=ram,
    )


def test_mbytes() -> None:
    p = plan()
    assert (p.size, p.source, p.node, p.kconfig_size) == (64 * M, "kconfig", None, 64 * M)
    assert p.explain == ("CONFIG_CMA_SIZE_SEL_MBYTES=y selects CONFIG_CMA_SIZE_MBYTES=64 → 64 MiB",)
    assert p.ignored == ()
    assert (p.declare, p.declared_size, p.base, p.limit, p.fixed) == (True, 64 * M, 0, 0, False)


def test_cmdline_overrides_kconfig() -> None:
    p = plan("console=ttyAMA0 cma=256M")
    assert (p.size, p.source, p.kconfig_size, p.declared_size) == (
        256 * M,
        "cmdline",
        64 * M,
        256 * M,
    )
    assert p.explain == (
        "CONFIG_CMA_SIZE_SEL_MBYTES=y selects CONFIG_CMA_SIZE_MBYTES=64 → 64 MiB",
        "cma=256M on the command line overrides it → 256 MiB",
    )
    assert p.ignored == (
        "CONFIG_CMA_SIZE_MBYTES=64 is ignored: cma=256M on the command line overrides it",
    )


def test_cmdline_fixed_and_window() -> None:
    p = plan("cma=64M@0x50000000")
    assert (p.base, p.limit, p.fixed) == (0x50000000, 0x54000000, True)
    assert p.explain[-1] == (
        "cma=64M@0x50000000 on the command line overrides it → 64 MiB at exactly 0x0000000050000000"
    )
    p = plan("cma=64M@0x50000000-0x60000000")
    assert (p.base, p.limit, p.fixed) == (0x50000000, 0x60000000, False)
    assert p.explain[-1].endswith("→ 64 MiB within 0x0000000050000000-0x0000000060000000")


def test_cmdline_zero_means_no_area() -> None:
    p = plan("cma=0", dt=LINUX_CMA)
    assert (p.size, p.source, p.declare, p.declared_size) == (0, "cmdline", False, None)
    assert p.explain[-1] == "cma=0 on the command line: no default CMA area at all"
    assert p.ignored[-1] == (
        "/reserved-memory/linux,cma (linux,cma-default) is bypassed: cma=0 takes precedence "
        "(the kernel prints 'Reserved memory: bypass linux,cma node, using "
        "cmdline CMA params instead')"
    )


def test_cmdline_without_config() -> None:
    p = plan("cma=32M", symbols=None)
    assert (p.size, p.source, p.kconfig_size) == (32 * M, "cmdline", None)
    assert p.explain == ("cma=32M on the command line sets it → 32 MiB",)


def test_last_cma_with_kept_base() -> None:
    p = plan("cma=64M@0x50000000 cma=128M")
    assert (p.size, p.base, p.limit, p.fixed) == (128 * M, 0x50000000, 0x54000000, False)


BYPASS = [
    ("5.4-no-bypass", (5, 4, 0), "dt"),
    ("5.5-no-bypass", (5, 5, 19), "dt"),
    ("5.6-bypass", (5, 6, 0), "cmdline"),
    ("6.1-bypass", V61, "cmdline"),
    ("7.2-skip", (7, 2, 13), "cmdline"),
]


@pytest.mark.parametrize(("version", "source"), [c[1:] for c in BYPASS], ids=[c[0] for c in BYPASS])
def test_cmdline_vs_dt_default(version: tuple[int, int, int], source: str) -> None:
    p = plan("cma=32M", dt=LINUX_CMA, version=version)
    assert p.source == source
    if source == "dt":
        assert p.size == 256 * M
        assert p.ignored == (
            "cma=32M is ignored: before 5.6 the kernel does not bypass /reserved-memory/linux,cma "
            "for cma= and drops cma= silently",
            "CONFIG_CMA_SIZE_MBYTES=64 is ignored: /reserved-memory/linux,cma is "
            "the default CMA area",
        )
    else:
        assert p.size == 32 * M
        message = (
            'Skipping dt linux,cma-default node in favor for "cma=" kernel param.'
            if version >= (7, 0, 0)
            else "Reserved memory: bypass linux,cma node, using cmdline CMA params instead"
        )
        assert p.ignored[-1] == (
            "/reserved-memory/linux,cma (linux,cma-default) is bypassed: cma=32M takes precedence "
            f"(the kernel prints '{message}')"
        )


def test_dt_default_suppresses_kconfig() -> None:
    p = plan(dt=LINUX_CMA)
    assert (p.size, p.source, p.node, p.declare) == (
        256 * M,
        "dt",
        "/reserved-memory/linux,cma",
        False,
    )
    assert (
        p.explain[-1]
        == "/reserved-memory/linux,cma is the default CMA area (linux,cma-default, 256 MiB)"
    )
    assert p.ignored == (
        "CONFIG_CMA_SIZE_MBYTES=64 is ignored: /reserved-memory/linux,cma is the default CMA area",
    )


def test_dt_default_unknown_size() -> None:
    p = plan(dt=DtDefault(path="/reserved-memory/cma", size=None, static=False))
    assert (p.size, p.source) == (None, "dt")
    assert (
        p.explain[-1]
        == "/reserved-memory/cma is the default CMA area (linux,cma-default, size unknown)"
    )


def cand(path: str, size: int | None = 256 * M, base: int | None = None,
         outcome: str | None = None, *, pool: bool = True) -> DefaultCandidate:
    return DefaultCandidate(path=path, size=size, static=base is not None, base=base,
                            cma_pool=pool, outcome=outcome)


def choose(cands: list[DefaultCandidate], *, arch: str = "arm64",
           version: tuple[int, int, int] = V61, cmdline: str = "") -> DtDefault | None:
    return dt_default(cands, kernel=model(arch, version), cmdline=parse_cmdline(cmdline))


STATIC = cand("/reserved-memory/linux,cma@50000000", base=0x50000000)
DYNAMIC = cand("/reserved-memory/linux,cma")

LATE = [
    # (id, arch, version, candidate, late?)
    ("arm64-6.13-static", "arm64", (6, 13, 0), STATIC, False),
    ("arm-6.12.12-static", "arm", (6, 12, 12), STATIC, False),
    ("arm-6.12.13-static", "arm", (6, 12, 13), STATIC, True),
    ("arm-6.13-static", "arm", (6, 13, 0), STATIC, True),
    ("arm-7.2-static", "arm", (7, 2, 13), STATIC, True),
    ("arm-6.13-dynamic", "arm", (6, 13, 0), DYNAMIC, False),
    ("riscv-6.13-static", "riscv64", (6, 13, 0), STATIC, True),
    ("riscv-6.6-static", "riscv64", (6, 6, 0), STATIC, False),
]


@pytest.mark.parametrize(
    ("arch", "version", "c", "late"), [c[1:] for c in LATE], ids=[c[0] for c in LATE]
)
def test_static_default_too_late_on_arm_riscv(
    arch: str, version: tuple[int, int, int], c: DefaultCandidate, late: bool
) -> None:
    dt = choose([c], arch=arch, version=version)
    assert dt is not None and (dt.path, dt.late, dt.early) == (c.path, late, None)
    p = plan(dt=dt, arch=arch, version=version)
    assert (p.source, p.size, p.node) == ("dt", 256 * M, c.path)
    assert (p.declare, p.declared_size) == ((True, 64 * M) if late else (False, None))
    if late:
        assert p.ignored == ()
        ver = ".".join(map(str, version))
        assert p.explain[1:] == (
            f"on {arch} {ver} dma_contiguous_reserve() runs before static /reserved-memory "
            "regions are set up (unflatten_device_tree), so no default CMA area exists yet: it "
            "reserves the Kconfig area 'reserved' (64 MiB)",
            f"{c.path} (linux,cma-default, 256 MiB) is set up at unflatten_device_tree and "
            "replaces it as the default CMA area: dma_alloc_* for devices without a "
            "memory-region of their own allocate from it",
            "both areas are reserved (320 MiB of CMA in all): 'reserved' stays a CMA area "
            "that no dma_alloc_* uses by default",
        )


def test_late_static_replaces_an_earlier_dynamic_default() -> None:
    # recorded armhf 6.12.107 t6: cma1 (dynamic, 16 MiB) is set up in the early scan and keeps
    # the Kconfig area away ("cma: Reserved" is absent); cma2@60000000 (static) at unflatten
    first = cand("/reserved-memory/cma1", 16 * M)
    second = cand("/reserved-memory/cma2@60000000", 32 * M, base=0x60000000)
    dt = choose([first, second], arch="arm", version=(6, 12, 107))
    assert dt == DtDefault("/reserved-memory/cma2@60000000", 32 * M, True, late=True,
                           early="/reserved-memory/cma1", early_size=16 * M)
    p = plan(dt=dt, arch="arm", version=(6, 12, 107))
    assert (p.source, p.node, p.size, p.declare) == ("dt", dt.path, 32 * M, False)
    assert p.explain[1:] == (
        "/reserved-memory/cma1 (linux,cma-default, 16 MiB) is already the default CMA area "
        "when dma_contiguous_reserve() runs: no Kconfig area is reserved",
        "/reserved-memory/cma2@60000000 (linux,cma-default, 32 MiB) is set up at "
        "unflatten_device_tree and replaces /reserved-memory/cma1 as the default CMA area: "
        "dma_alloc_* for devices without a memory-region of their own allocate from it",
    )
    assert p.ignored == ("CONFIG_CMA_SIZE_MBYTES=64 is ignored: /reserved-memory/cma1 is the "
                         "default CMA area when dma_contiguous_reserve() runs",)
    # arm64 sets every region up before dma_contiguous_reserve(): cma2 simply wins
    dt = choose([first, second], arch="arm64", version=(6, 12, 107))
    assert dt is not None and (dt.path, dt.late) == ("/reserved-memory/cma2@60000000", False)


SETUP_ORDER = [
    # (id, version, DT order, winner): the last one rmem_cma_setup accepts
    ("one", V61, [DYNAMIC], DYNAMIC.path),
    # dynamic 0/0 records sort before statics (≤6.12.12), E5/E6 set statics up last
    ("static-then-dynamic-6.1", V61, [STATIC, DYNAMIC], STATIC.path),
    ("static-then-dynamic-6.13", (6, 13, 0), [STATIC, DYNAMIC], STATIC.path),
    # statics by base before E5, in DT order from E5
    ("statics-by-base-6.1", V61,
     [cand("/b@60000000", base=0x60000000), cand("/a@50000000", base=0x50000000)],
     "/b@60000000"),
    ("statics-dt-order-6.13", (6, 13, 0),
     [cand("/b@60000000", base=0x60000000), cand("/a@50000000", base=0x50000000)],
     "/a@50000000"),
    # the node alone: not a CMA pool (no reusable / no-map / disabled) does not count
    ("not-a-pool", V61, [DYNAMIC, cand("/x", pool=False)], DYNAMIC.path),
    # with a replay only pools that were created count
    ("rejected", V61, [DYNAMIC, cand("/x@50100000", base=0x50100000, outcome="rejected")],
     DYNAMIC.path),
    ("none-created", V61, [cand("/x@50100000", base=0x50100000, outcome="rejected")], None),
]


@pytest.mark.parametrize(("version", "cands", "winner"), [c[1:] for c in SETUP_ORDER],
                         ids=[c[0] for c in SETUP_ORDER])
def test_last_set_up_default_wins(version: tuple[int, int, int],
                                  cands: list[DefaultCandidate], winner: str | None) -> None:
    dt = choose(cands, version=version)
    assert (dt.path if dt is not None else None) == winner


def test_cmdline_bypass_candidates() -> None:
    created = cand("/reserved-memory/linux,cma", outcome="created")
    bypassed = cand("/reserved-memory/linux,cma", outcome="bypassed")
    # from 5.6 the bypassed region is the one to name (the plan lets cma= win)
    assert choose([bypassed], cmdline="cma=32M") == DtDefault(
        bypassed.path, 256 * M, False, bypassed=(bypassed.path,))
    # every linux,cma-default region is bypassed, each with its own message
    other = cand("/reserved-memory/vendor-cma@60000000", base=0x60000000, outcome="bypassed")
    dt = choose([other, bypassed], cmdline="cma=32M")
    assert dt is not None and dt.bypassed == (bypassed.path, other.path)
    assert plan("cma=32M", dt=dt).ignored[1:] == tuple(
        f"{path} (linux,cma-default) is bypassed: cma=32M takes precedence (the kernel prints "
        f"'Reserved memory: bypass {path.rsplit('/', 1)[-1]} node, using cmdline CMA params "
        "instead')" for path in (bypassed.path, other.path))
    assert choose([created], cmdline="cma=32M") is None
    # before 5.6 there is no bypass: the created region stays the default
    assert choose([created], cmdline="cma=32M", version=(5, 4, 0)) is not None
    # a late static region is bypassed too: no "replaces" story
    dt = choose([STATIC], arch="arm", version=(6, 13, 0), cmdline="cma=32M")
    assert dt is not None and not dt.late


def test_riscv_before_6_1_reserves_the_default_area_first() -> None:
    # setup_bootmem ran dma_contiguous_reserve before the reserved-memory scan (§7 riscv;
    # the model's default_cma_before_dt_scan)
    assert model("riscv64", (5, 10, 0)).default_cma_before_dt_scan
    dt = choose([DYNAMIC], arch="riscv64", version=(5, 10, 0))
    assert dt is not None and (dt.late, dt.early) == (True, None)
    p = plan(dt=dt, arch="riscv64", version=(5, 10, 0))
    assert (p.source, p.declare, p.declared_size) == ("dt", True, 64 * M)
    assert p.explain[1].startswith(
        "on riscv64 5.10.0 dma_contiguous_reserve() runs before /reserved-memory is scanned")
    assert p.explain[2].startswith(
        "/reserved-memory/linux,cma (linux,cma-default, 256 MiB) is set up later and replaces it")


def test_of_reserved_mem_off_ignores_dt() -> None:
    symbols = {k: v for k, v in MBYTES64.items() if k != "OF_RESERVED_MEM"}
    p = plan(symbols=symbols, dt=LINUX_CMA)
    assert (p.source, p.size) == ("kconfig", 64 * M)
    assert p.ignored == (
        "/reserved-memory/linux,cma (linux,cma-default) is not set up: "
        "CONFIG_OF_RESERVED_MEM is not set",
    )


DISABLED = [
    ("dma-cma-off", {"CMA": "y", "CMA_SIZE_MBYTES": "64"}, "CONFIG_DMA_CMA is not set"),
    ("cma-off", {}, "CONFIG_DMA_CMA is not set (nor CONFIG_CMA)"),
    ("dma-cma-n", {"CMA": "y", "DMA_CMA": "n"}, "CONFIG_DMA_CMA is not set"),
]


@pytest.mark.parametrize(
    ("symbols", "why"), [c[1:] for c in DISABLED], ids=[c[0] for c in DISABLED]
)
def test_dma_cma_off(symbols: dict[str, str], why: str) -> None:
    p = plan("cma=64M", symbols=symbols, dt=LINUX_CMA)
    assert (p.size, p.source, p.kconfig_size, p.declare) == (0, "none", None, False)
    assert p.explain == (f"{why}: the kernel has no default CMA area",)
    assert p.ignored == (
        f"cma=64M is ignored: {why}, so cma= is an unknown parameter",
        f"/reserved-memory/linux,cma (linux,cma-default) is not a CMA pool: {why}",
    )


def test_no_config_no_inputs() -> None:
    p = plan(symbols=None)
    assert (p.size, p.source, p.kconfig_size) == (None, "none", None)
    assert p.explain == ("no .config given: the Kconfig default CMA size is unknown",)


def pct(percent: int, sel: str = "PERCENTAGE", mbytes: int | None = None) -> dict[str, str]:
    symbols = {**BASE, f"CMA_SIZE_SEL_{sel}": "y", "CMA_SIZE_PERCENTAGE": str(percent)}
    if mbytes is not None:
        symbols["CMA_SIZE_MBYTES"] = str(mbytes)
    return symbols


KCONFIG = [
    # (id, symbols, ram, page_size, arch, expected size)
    ("pct-10-of-2g", pct(10), 2 * G, 4096, "arm64", 52428 * 4096),
    ("pct-rounds-down-pages", pct(10), 999 * 4096, 4096, "arm64", 99 * 4096),
    ("pct-partial-page-ignored", pct(50), 3 * 4096 + 100, 4096, "arm64", 4096),
    ("pct-33-of-1000-pages", pct(33), 1000 * 4096, 4096, "arm64", 330 * 4096),
    ("pct-16k-pages", pct(10), 2 * G, 16384, "arm64", 13107 * 16384),
    ("pct-64k-pages", pct(10), 2 * G, 65536, "arm64", 3276 * 65536),
    ("pct-100", pct(100), 2 * G, 4096, "arm64", 2 * G),
    ("pct-zero", pct(0), 2 * G, 4096, "arm64", 0),
    ("pct-arm-32-bit-wrap", pct(50), 8 * G, 4096, "arm", 0),
    ("pct-arm-below-4g", pct(50), 4 * G, 4096, "arm", 2 * G),
    ("min-mbytes-smaller", pct(10, "MIN", 64), 2 * G, 4096, "arm64", 64 * M),
    ("min-percent-smaller", pct(10, "MIN", 64), 256 * M, 4096, "arm64", 6553 * 4096),
    ("max-percent-larger", pct(10, "MAX", 64), 2 * G, 4096, "arm64", 52428 * 4096),
    ("max-mbytes-larger", pct(10, "MAX", 64), 256 * M, 4096, "arm64", 64 * M),
    ("min-undefined-mbytes-is-0", pct(10, "MIN"), 2 * G, 4096, "arm64", 0),
    ("max-undefined-mbytes-is-0", pct(10, "MAX"), 2 * G, 4096, "arm64", 52428 * 4096),
    ("mbytes-undefined-is-0", {**BASE, "CMA_SIZE_SEL_MBYTES": "y"}, 2 * G, 4096, "arm64", 0),
    (
        "percentage-undefined-is-0",
        {**BASE, "CMA_SIZE_SEL_PERCENTAGE": "y", "CMA_SIZE_MBYTES": "64"},
        2 * G,
        4096,
        "arm64",
        0,
    ),
    ("no-selection-is-0", {**BASE, "CMA_SIZE_MBYTES": "64"}, 2 * G, 4096, "arm64", 0),
    (
        "mbytes-first-in-ifdef-chain",
        {**pct(10, "MAX", 64), "CMA_SIZE_SEL_MBYTES": "y"},
        2 * G,
        4096,
        "arm64",
        64 * M,
    ),
    (
        "not-a-number-is-0",
        {**BASE, "CMA_SIZE_SEL_MBYTES": "y", "CMA_SIZE_MBYTES": "lots"},
        2 * G,
        4096,
        "arm64",
        0,
    ),
    (
        "hex-value",
        {**BASE, "CMA_SIZE_SEL_MBYTES": "y", "CMA_SIZE_MBYTES": "0x20"},
        2 * G,
        4096,
        "arm64",
        32 * M,
    ),
    ("mbytes-ram-unknown", MBYTES64, None, 4096, "arm64", 64 * M),
    ("pct-ram-unknown", pct(10), None, 4096, "arm64", None),
    ("pct-zero-ram-unknown", pct(0), None, 4096, "arm64", 0),
    ("min-ram-unknown", pct(10, "MIN", 64), None, 4096, "arm64", None),
    ("min-zero-mbytes-ram-unknown", pct(10, "MIN", 0), None, 4096, "arm64", 0),
    ("max-zero-pct-ram-unknown", pct(0, "MAX", 64), None, 4096, "arm64", 64 * M),
    ("max-ram-unknown", pct(10, "MAX", 64), None, 4096, "arm64", None),
]


@pytest.mark.parametrize(
    ("symbols", "ram", "page_size", "arch", "size"),
    [c[1:] for c in KCONFIG],
    ids=[c[0] for c in KCONFIG],
)
def test_kconfig_selection(
    symbols: dict[str, str], ram: int | None, page_size: int, arch: str, size: int | None
) -> None:
    p = plan(symbols=symbols, ram=ram, page_size=page_size, arch=arch)
    assert (p.size, p.kconfig_size, p.source) == (size, size, "kconfig")
    assert p.declare is (size != 0)
    assert p.declared_size == (size or None)
    if size == 0:
        assert (
            p.explain[-1] == "size 0: the kernel reserves no default CMA area (and prints nothing)"
        )


KCONFIG_EXPLAIN = [
    (
        "percentage",
        pct(10),
        2 * G,
        "CONFIG_CMA_SIZE_SEL_PERCENTAGE=y selects "
        "CONFIG_CMA_SIZE_PERCENTAGE=10 of 2 GiB RAM (524288 pages) "
        "→ 52428 pages = 209712 KiB",
    ),
    (
        "percentage-unknown-ram",
        pct(10),
        None,
        "CONFIG_CMA_SIZE_SEL_PERCENTAGE=y selects "
        "CONFIG_CMA_SIZE_PERCENTAGE=10 of an unknown RAM size: "
        "the size cannot be resolved without the RAM size",
    ),
    (
        "min",
        pct(10, "MIN", 64),
        2 * G,
        "CONFIG_CMA_SIZE_SEL_MIN=y takes the smaller of CONFIG_CMA_SIZE_MBYTES=64 (64 MiB) and "
        "CONFIG_CMA_SIZE_PERCENTAGE=10 of 2 GiB RAM (524288 pages) → 52428 "
        "pages = 209712 KiB → 64 MiB",
    ),
    (
        "max-unknown-ram",
        pct(10, "MAX", 64),
        None,
        "CONFIG_CMA_SIZE_SEL_MAX=y takes the larger of CONFIG_CMA_SIZE_MBYTES=64 (64 MiB) and "
        "CONFIG_CMA_SIZE_PERCENTAGE=10 of an unknown RAM size: the size cannot "
        "be resolved without the RAM size",
    ),
    (
        "mbytes-undefined",
        {**BASE, "CMA_SIZE_SEL_MBYTES": "y"},
        2 * G,
        "CONFIG_CMA_SIZE_SEL_MBYTES=y selects CONFIG_CMA_SIZE_MBYTES (not defined: 0) → 0 bytes",
    ),
    ("no-selection", BASE, 2 * G, "no CONFIG_CMA_SIZE_SEL_* is set: the Kconfig size is 0"),
]


@pytest.mark.parametrize(
    ("symbols", "ram", "line"),
    [c[1:] for c in KCONFIG_EXPLAIN],
    ids=[c[0] for c in KCONFIG_EXPLAIN],
)
def test_kconfig_explain(symbols: dict[str, str], ram: int | None, line: str) -> None:
    assert line in plan(symbols=symbols, ram=ram).explain


def test_arm_wrap_explained() -> None:
    p = plan(symbols=pct(50), ram=8 * G, arch="arm")
    assert "32-bit arm computes the percentage in 32 bits: it wraps to 0 bytes" in p.explain


def test_unresolved_percentage_with_dt_default_still_dt() -> None:
    p = plan(symbols=pct(10), ram=None, dt=LINUX_CMA)
    assert (p.size, p.source, p.kconfig_size) == (256 * M, "dt", None)


@pytest.mark.parametrize(
    ("size", "alignment", "aligned"),
    [
        (64 * M, 2 * M, 64 * M),
        (M, 2 * M, 2 * M),
        (40000 * K, 2 * M, 40 * M),
        (0, 4 * M, 0),
        (2 * M + 1, 512 * M, 512 * M),
    ],
    ids=["already-aligned", "rounds-up", "7.2-cma-40000K", "zero", "64k-pages"],
)
def test_aligned_size(size: int, alignment: int, aligned: int) -> None:
    assert aligned_size(size, alignment) == aligned


def test_aligned_size_rejects_zero() -> None:
    with pytest.raises(ValueError):
        aligned_size(M, 0)


_MB, _PCT = "CONFIG_CMA_SIZE_MBYTES", "CONFIG_CMA_SIZE_PERCENTAGE"
KCONFIG_SYMBOL = [
    # (id, symbols, ram, the .config value that decided the Kconfig size)
    ("mbytes", MBYTES64, 2 * G, _MB),
    ("percentage", pct(10), 2 * G, _PCT),
    ("percentage-unknown-ram", pct(10), None, _PCT),
    ("min-mbytes-smaller", pct(10, "MIN", 64), 2 * G, _MB),
    ("min-percent-smaller", pct(1, "MIN", 64), 2 * G, _PCT),
    ("max-percent-larger", pct(10, "MAX", 64), 2 * G, _PCT),
    ("max-mbytes-larger", pct(1, "MAX", 64), 2 * G, _MB),
    ("min-tie-names-mbytes", pct(50, "MIN", 64), 128 * M, _MB),
    ("max-tie-names-mbytes", pct(50, "MAX", 64), 128 * M, _MB),
    ("min-zero-mbytes-ram-unknown", pct(10, "MIN", 0), None, _MB),
    ("min-ram-unknown", pct(10, "MIN", 64), None, None),
    ("max-ram-unknown", pct(10, "MAX", 64), None, None),
    ("no-selection", {**BASE, "CMA_SIZE_MBYTES": "64"}, 2 * G, _MB),
]


@pytest.mark.parametrize(("symbols", "ram", "symbol"), [c[1:] for c in KCONFIG_SYMBOL],
                         ids=[c[0] for c in KCONFIG_SYMBOL])
def test_kconfig_symbol_is_the_deciding_value(symbols: dict[str, str], ram: int | None,
                                               symbol: str | None) -> None:
    p = plan(symbols=symbols, ram=ram)
    assert p.kconfig_symbol == symbol
    # the reason is the explain line of the selection, not a copy made elsewhere
    assert p.kconfig_reason and p.kconfig_reason in p.explain


def test_kconfig_symbol_kept_when_dt_decides() -> None:
    p = plan(symbols=pct(1, "MIN", 64), dt=LINUX_CMA)
    assert (p.source, p.kconfig_size, p.kconfig_symbol) == ("dt", 5242 * 4096, _PCT)
    assert p.ignored == ("CONFIG_CMA_SIZE_MBYTES=64 / CONFIG_CMA_SIZE_PERCENTAGE=1 is ignored: "
                         "/reserved-memory/linux,cma is the default CMA area",)


def test_no_kconfig_symbol_without_config_or_dma_cma() -> None:
    assert plan(symbols=None).kconfig_symbol is None
    off = plan(symbols={"CMA": "y", "CMA_SIZE_SEL_MBYTES": "y", "CMA_SIZE_MBYTES": "64"})
    assert (off.kconfig_symbol, off.kconfig_reason) == (None, "")


def test_pre_56_cmdline_dropped_keeps_no_placement() -> None:
    # before 5.6 a DT default makes the kernel drop cma= entirely: no base/limit/fixed either
    p = plan("cma=64M@0x50000000", dt=LINUX_CMA, version=(5, 4, 0))
    assert (p.source, p.size, p.declare, p.base, p.limit, p.fixed) == (
        "dt", 256 * M, False, 0, 0, False)
