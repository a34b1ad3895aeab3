"""cmacheck.cma.plan_cma_size: every branch of the default CMA size decision (§2.1-§2.4)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from cmacheck.cma import CmaSizePlan, DtDefault, aligned_size, plan_cma_size
from cmacheck.load.cmdline import parse_cmdline

K = 1 << 10
M = 1 << 20
G = 1 << 30
V61 = (6, 1, 0)

BASE = {"CMA": "y", "DMA_CMA": "y", "OF_RESERVED_MEM": "y"}
MBYTES64 = {**BASE, "CMA_SIZE_SEL_MBYTES": "y", "CMA_SIZE_MBYTES": "64"}
LINUX_CMA = DtDefault(path="/reserved-memory/linux,cma", size=256 * M, static=False)
STATIC_CMA = DtDefault(path="/reserved-memory/linux,cma@50000000", size=256 * M, static=True)


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
        cmdline=parse_cmdline(cmdline),
        symbols=symbols,
        dt_default=dt,
        phys_mem_size=ram,
        page_size=page_size,
        arch=arch,
        version=version,
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


LATE = [
    # (id, arch, version, dt, late?)
    ("arm64-6.13-static", "arm64", (6, 13, 0), STATIC_CMA, False),
    ("arm-6.12.12-static", "arm", (6, 12, 12), STATIC_CMA, False),
    ("arm-6.12.13-static", "arm", (6, 12, 13), STATIC_CMA, True),
    ("arm-6.13-static", "arm", (6, 13, 0), STATIC_CMA, True),
    ("arm-7.2-static", "arm", (7, 2, 13), STATIC_CMA, True),
    ("arm-6.13-dynamic", "arm", (6, 13, 0), LINUX_CMA, False),
    ("riscv-6.13-static", "riscv64", (6, 13, 0), STATIC_CMA, True),
    ("riscv-6.6-static", "riscv64", (6, 6, 0), STATIC_CMA, False),
]


@pytest.mark.parametrize(
    ("arch", "version", "dt", "late"), [c[1:] for c in LATE], ids=[c[0] for c in LATE]
)
def test_static_default_too_late_on_arm_riscv(
    arch: str, version: tuple[int, int, int], dt: DtDefault, late: bool
) -> None:
    p = plan(dt=dt, arch=arch, version=version)
    assert (p.source, p.size, p.node) == ("dt", 256 * M, dt.path)
    assert (p.declare, p.declared_size) == ((True, 64 * M) if late else (False, None))
    if late:
        assert p.ignored == ()
        assert p.explain[-1] == (
            f"the Kconfig area (64 MiB) is reserved too, then {dt.path} replaces it "
            f"as the default area"
        )


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
