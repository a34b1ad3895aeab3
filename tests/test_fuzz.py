"""Fuzzing in CI: property tests over the four loaders, and every crash the long runs found.

The long coverage-guided runs live in ``tools/fuzz`` (atheris; results in
``benchmarks/FUZZING.md``).  Here hypothesis drives the same targets and oracles
(``tools/fuzz/targets.py``: a result or a one-line InputError/UsageError, never a traceback,
never a write to an input file) a few hundred times each, deterministically.
"""

from __future__ import annotations

import random
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmacheck.api import Inputs, run
from cmacheck.errors import InputError, UsageError
from cmacheck.load import dtb as dtb_loader
from cmacheck.load.cmdline import parse_cma_option, parse_cmdline
from cmacheck.load.dtb import parse_dtb
from cmacheck.model import Node
from cmacheck.units import parse_size

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools" / "fuzz"))

import fdtgen  # noqa: E402
import targets  # noqa: E402

FAST = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# One seed per example: hostile_tree makes hundreds of draws, which through st.randoms() cost
# more than the target itself.
_RNG = st.integers(0, 2**32 - 1).map(random.Random)
SEED_DTBS = [
    (ROOT / "examples" / "problems" / "board.dtb").read_bytes(),
    (ROOT / "examples" / "overlay" / "board.dtb").read_bytes(),
    (ROOT / "examples" / "overlay" / "cma-512.dtbo").read_bytes(),
    fdtgen.assemble(fdtgen.board([("linux,cma", [("size", fdtgen.u64s(64 << 20)),
                                                 ("reusable", b""),
                                                 ("compatible", fdtgen.string("shared-dma-pool")),
                                                 ("linux,cma-default", b"")], [])])),
]


# --------------------------------------------------------------------------- properties


@settings(FAST, max_examples=300)
@given(st.binary(max_size=200) | st.builds(lambda b: b"\xd0\x0d\xfe\xed" + b, st.binary()))
def test_dtb_random_bytes(data: bytes) -> None:
    targets.dtb(data)


@settings(FAST, max_examples=300)
@given(st.sampled_from(SEED_DTBS), _RNG)
def test_dtb_mutated(seed: bytes, rng: random.Random) -> None:
    targets.dtb(fdtgen.mutate(seed, rng))


@settings(FAST, max_examples=150)
@given(_RNG)
def test_dtb_hostile_tree(rng: random.Random) -> None:
    targets.dtb(fdtgen.hostile_dtb(rng, scale=False))


@settings(FAST, max_examples=80)
@given(_RNG, st.integers(0, 255))
def test_run_hostile_tree(rng: random.Random, knob: int) -> None:
    """The whole api.run path: context, every rule, the dry run and the JSON report."""
    targets.dtb_run(fdtgen.hostile_dtb(rng, scale=False) + bytes([knob]))


@settings(FAST, max_examples=40)
@given(st.sampled_from(SEED_DTBS[:2]), _RNG,
       st.integers(0, 255))
def test_run_mutated(seed: bytes, rng: random.Random, knob: int) -> None:
    targets.dtb_run(fdtgen.mutate(seed, rng) + bytes([knob]))


_CONFIG_LINES = st.sampled_from([
    "CONFIG_CMA=y", "CONFIG_CMA=m", "CONFIG_CMA=yes", "CONFIG_CMA=", "CONFIG_CMA",
    "# CONFIG_CMA is not set", "CONFIG_DMA_CMA=y", "CONFIG_CMA_SIZE_MBYTES=64",
    "CONFIG_CMA_SIZE_MBYTES=-1", "CONFIG_CMA_SIZE_MBYTES=99999999999999999999",
    "CONFIG_CMA_SIZE_MBYTES=0x10", "CONFIG_CMA_SIZE_SEL_MBYTES=y", "CONFIG_CMA_SIZE_SEL_MAX=y",
    "CONFIG_CMA_SIZE_PERCENTAGE=200", "CONFIG_CMA_AREAS=0", "CONFIG_CMA_ALIGNMENT=99",
    'CONFIG_CMDLINE="cma=64M"', 'CONFIG_CMDLINE="unterminated', 'CONFIG_CMDLINE="a\\"b"',
    "CONFIG_CMDLINE_FORCE=y", "CONFIG_CMDLINE_EXTEND=y", "CONFIG_ARM64=y", "CONFIG_ARM=y",
    "CONFIG_RISCV=y", "CONFIG_64BIT=y", "CONFIG_32BIT=y", "CONFIG_ARM64_64K_PAGES=y",
    "# Linux/arm64 6.1.0 Kernel Configuration", "# Linux/x86 6.1.0 Kernel Configuration",
    "# Linux/riscv 99999999999999999999.1 Kernel Configuration", "#", "", "   ", "garbage",
    "CONFIG_=y", "CONFIG_CMA=y\r", "\ufeffCONFIG_CMA=y",
])


@settings(FAST, max_examples=100)
@given(st.integers(0, 7),
       st.lists(_CONFIG_LINES | st.text(max_size=30), max_size=15).map("\n".join)
       .map(lambda t: t.encode("utf-8", "surrogatepass"))
       | st.binary(max_size=100))
def test_kconfig(arch: int, text: bytes) -> None:
    targets.kconfig(bytes([arch]) + text)


_WORDS = st.sampled_from(fdtgen._BOOTARGS_WORDS) | st.text(
    alphabet="cma=@-,:0x123456789abcdefKMGTPE\" \t\n\0_", max_size=20)


@settings(FAST, max_examples=500)
@given(st.lists(_WORDS, max_size=8).map(" ".join) | st.text(max_size=60))
def test_cmdline(text: str) -> None:
    targets.cmdline(text.encode("utf-8", "surrogatepass"))


_LOG_LINES = st.sampled_from([
    "[    0.000000] Linux version 6.1.0-13-arm64 (debian-kernel@lists.debian.org)",
    "[    0.000000] OF: reserved mem: 0x0000000050000000..0x0000000050ffffff (16384 KiB) "
    "nomap non-reusable fw@50000000",
    "OF: reserved mem: 0xffffffffffffffff..0x0 (0 KiB) map reusable x",
    "Reserved memory: created CMA memory pool at 0x00000000b0000000, size 256 MiB",
    "Reserved memory: created DMA memory pool at 0xffffffffffffffff, size 99999999999999999999 MiB",
    "OF: reserved mem: initialized node linux,cma, compatible id shared-dma-pool",
    "OF: reserved mem: node x compatible matching fail",
    "cma: Reserved 64 MiB at 0x00000000b8000000 on node -1", "cma: Failed to reserve 64 MiB",
    "cma: Not enough slots for CMA reserved regions!",
    "cma: CMA area linux,cma could not be activated",
    "OVERLAP DETECTED!", "a (0x1--0x0) overlaps with b (0x0--0xffffffffffffffff)",
    "Zone ranges:", "  DMA      [mem 0x0000000040000000-0x00000000ffffffff]", "  Normal   empty",
    "Memory: 1907028K/2097152K available (12288K kernel code, 65536K cma-reserved)",
    "memblock_reserve: [0x0000000050000000-0x000000004fffffff] early_init_fdt_scan+0x1/0x2",
    "memblock_alloc_try_nid: 4096 bytes align=0x1000 nid=-1 from=0x0000000000000000 "
    "max_addr=0x0000000000000000 early_pgtable_alloc+0x1/0x2",
    " reserved[0x0]\t[0x0000000040000000-0x000000004fffffff], 0x0000000010000000 bytes flags: 0x0",
    "MEMBLOCK configuration:", "Memory limited to 99999999999999999999MB",
    "Reserved memory: failed to reserve memory for node 'x': base 0x0, size 0 MiB",
    "invalid reg property in 'x'", "failed to allocate memory for node 'y': size 4 MiB",
    "Reserved memory: bypass linux,cma node, using cmdline CMA params instead",
    'Skipping dt linux,cma-default node in favor for "cma=" kernel param.',
])


@settings(FAST, max_examples=300)
@given(st.lists(_LOG_LINES | st.text(max_size=40), max_size=20).map("\n".join))
def test_dmesg(text: str) -> None:
    targets.dmesg(text.encode("utf-8", "surrogatepass"))


# -------------------------------------------------------------- limits (load/dtb.py)


def _err(data: bytes) -> str:
    with pytest.raises(InputError) as e:
        parse_dtb("t.dtb", data)
    return str(e.value)


def test_depth_63_is_read() -> None:
    dt = parse_dtb("t.dtb", fdtgen.assemble(fdtgen.nested(63)))
    assert max(n.path.count("/") for n in dt.walk()) == 63


def test_depth_64_is_rejected_like_the_kernel() -> None:
    msg = _err(fdtgen.assemble(fdtgen.nested(64)))
    assert msg == ("t.dtb: " + "/n" * 64 + ": nodes nested 64 or more levels deep: the kernel "
                   "(drivers/of/fdt.c:unflatten_dt_nodes, FDT_MAX_DEPTH) skips them")


def test_depth_100000_is_rejected() -> None:
    # Was a RecursionError at 1,000 levels (recursive _walk and Node.walk).
    blob = fdtgen.assemble(fdtgen.nested(100_000))
    assert "nested 64 or more levels deep" in _err(blob)


def test_node_walk_is_iterative() -> None:
    root = node = Node("", "/")
    for i in range(5000):
        child = Node("n", f"{node.path.rstrip('/')}/n{i}")
        node.children.append(child)
        node = child
    assert len(list(root.walk())) == 5001


def test_too_many_nodes() -> None:
    blob = fdtgen.assemble(fdtgen.board([], extra=[(f"n{i}", [], []) for i in range(20_000)]))
    assert _err(blob) == ("t.dtb: more than 20000 nodes: cmacheck reads at most 20000 "
                          "(real trees have a few thousand at most)")


def test_too_many_reserved_regions() -> None:
    regions = [(f"r@{i:x}", [], []) for i in range(1025)]
    assert _err(fdtgen.assemble(fdtgen.board(regions))) == (
        "t.dtb: /reserved-memory: 1025 reserved-memory regions: cmacheck reads at most 1024 "
        "(the kernel records 64 before 6.12)")


def test_reg_too_long() -> None:
    regions = [("big", [("reg", fdtgen.u64s(0x50000000, 0x1000) * 1025)], [])]
    assert _err(fdtgen.assemble(fdtgen.board(regions))) == (
        "t.dtb: /reserved-memory/big: reg is 16400 bytes: cmacheck reads at most 16384 "
        "(1024 entries of 4 cells)")


def test_memory_reg_too_long() -> None:
    blob = fdtgen.assemble(fdtgen.board([], memory=[(0x40000000, 0x1000)] * 1025))
    assert _err(blob) == ("t.dtb: /memory@40000000: reg is 16400 bytes: cmacheck reads at most "
                          "16384 (1024 entries of 4 cells)")


def test_too_many_memreserve() -> None:
    blob = fdtgen.assemble(fdtgen.board([]), [(i << 12, 0x1000) for i in range(1025)])
    assert _err(blob) == "t.dtb: 1025 /memreserve/ entries: cmacheck reads at most 1024"


def test_a_thousand_regions_through_the_whole_run() -> None:
    """1,024 regions (the limit) through context, rules and dry run (its cost is measured by
    benchmarks/bench.py, not here)."""
    regions = [(f"r@{i:x}", [("reg", fdtgen.u64s(0x50000000 + i * 0x2000, 0x1000))], [])
               for i in range(1024)]
    path = targets._write("limits.dtb", fdtgen.assemble(fdtgen.board(regions)))
    report = run(Inputs(dt=path, kernel_version="6.1", arch="arm64"))
    assert len(report.ctx.rmem.children) == 1024


def test_huge_file_is_not_read_whole(tmp_path: Path) -> None:
    p = tmp_path / "huge.dtb"
    with open(p, "wb") as f:
        f.truncate(dtb_loader.MAX_DTB_BYTES + 1)
    with pytest.raises(InputError) as e:
        dtb_loader.load_dtb(str(p))
    assert str(e.value) == (f"{p}: larger than 64 MiB: not a device tree (the kernel maps at "
                            "most 2 MiB on arm64 and riscv)")


@pytest.mark.parametrize(("name", "message"), [
    ("nl\nname", "t.dtb: corrupt DTB (a node name in /reserved-memory contains a control "
                 "character: 'nl\\nname')"),
    ("tab\there", "t.dtb: corrupt DTB (a node name in /reserved-memory contains a control "
                  "character: 'tab\\there')"),
], ids=["newline", "tab"])
def test_control_character_in_node_name(name: str, message: str) -> None:
    # Was accepted, and every finding naming the node became a two-line message.
    assert _err(fdtgen.assemble(fdtgen.board([(name, [], [])]))) == message


def test_control_character_in_property_name() -> None:
    blob = fdtgen.assemble(fdtgen.board([("r", [("re\ng", b"")], [])]))
    assert _err(blob) == ("t.dtb: corrupt DTB (a property name in /reserved-memory/r contains a "
                          "control character: 're\\ng')")


@pytest.mark.parametrize("where", ["property", "node"])
def test_name_not_utf8(where: str) -> None:
    # property: was a SystemError out of pylibfdt (found by atheris, dtb target); node: the
    # name became a lone surrogate that cannot be printed to a UTF-8 stream.
    tree = fdtgen.board([("r", [("QQQQ", b"")], [])] if where == "property" else
                        [("QQQQ", [], [])])
    blob = fdtgen.assemble(tree).replace(b"QQQQ", b"\xe0QQQ")
    assert _err(blob) == "t.dtb: corrupt DTB (a node or property name is not text)"


# ---------------------------------------------------- one-line errors (units, cmdline)


@pytest.mark.parametrize(("text", "message"), [
    ("1\nG", "invalid size '1\\nG'"),
    ("64M\r\x00", "invalid size '64M\\r\\x00'"),
    ("12Q", "invalid size '12Q'"),
], ids=["newline", "cr-nul", "plain-unchanged"])
def test_parse_size_message_is_one_line(text: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        parse_size(text)
    assert str(e.value) == message


def test_parse_cma_option_message_is_one_line() -> None:
    with pytest.raises(UsageError) as e:
        parse_cma_option('cma=6\r4M@\n')
    assert str(e.value) == (
        "invalid cma=6\\r4M@\\n: size '6\\r4M' is not a number; expected SIZE[@BASE[-LIMIT]] "
        "with numbers like 64M, 0x4000000 or 67108864")


def test_parse_cmdline_takes_anything() -> None:
    for text in ("\0", '"', 'a="', "=", "==", "cma=\udcff", "-- --", "cma=" + "9" * 5000):
        parse_cmdline(text)


# ------------------------------------- bugs found for other owners (fixed by them)


_HUGE_RAM_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {fuzz!r})
    import fdtgen
    from cmacheck.api import Inputs, run
    open({path!r}, "wb").write(fdtgen.assemble(fdtgen.board([], memory=[({base}, {size})])))
    run(Inputs(dt={path!r}, kernel_version="6.1", arch={arch!r}))
""")


@pytest.mark.parametrize(("arch", "base", "size"), [
    # dryrun.arm64_page_table_pages put every 2 MiB chunk of RAM in a Python set
    pytest.param("arm64", 0x40000000, 1 << 50, id="arm64-page-tables"),
    # dryrun._Replay.activation put every memory section of RAM in a Python set
    pytest.param("riscv64", 0x100001000, 0xFFFFFFFFFFF00000, id="activation"),
])
def test_run_huge_memory_bank(tmp_path: Path, arch: str, base: int, size: int) -> None:
    """Found by fuzzing (dtb-run), fixed in dryrun.py by its owner: run() never returned."""
    script = _HUGE_RAM_SCRIPT.format(fuzz=str(ROOT / "tools" / "fuzz"),
                                     path=str(tmp_path / "huge.dtb"), arch=arch,
                                     base=base, size=size)

    def limit() -> None:  # fail fast with MemoryError instead of swapping the machine
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    try:
        proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60,
                              capture_output=True, preexec_fn=limit, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail("run() did not return in 60 s")
    assert proc.returncode == 0, proc.stderr.decode()[-300:]


def test_cmdline_option_mem_message_is_one_line() -> None:
    with pytest.raises(UsageError) as e:
        run(Inputs(dt=str(ROOT / "examples" / "clean" / "board.dtb"), cmdline='mem="1\nG"'))
    assert "\n" not in str(e.value)


def test_cma009_findings_grow_linearly() -> None:
    regions = [(f"r@{i:x}", [("reg", fdtgen.u64s(0x50000000, 0x100000))], [])
               for i in range(150)]
    path = targets._write("cma009.dtb", fdtgen.assemble(fdtgen.board(regions)))
    report = run(Inputs(dt=path, kernel_version="6.1", arch="arm64"))
    hits = [f for f in report.findings if f.rule == "CMA009"]
    assert sum(f.rule == "CMA009" for f in report.findings) < 150
    # 150 regions at one address: 11,175 pairs, 100 listed, the rest counted exactly
    assert any(h.message.startswith("11075 more overlapping pairs") for h in hits)


# ------------------------------------------------ .config (load/kconfig.py), units


def test_kconfig_int_with_5000_digits_is_clamped(tmp_path: Path) -> None:
    # Was: ValueError "Exceeds the limit (4300 digits) for integer string conversion" in
    # _clamp; the C tool's strtoll saturates and sym_validate_range clamps to the bound.
    from cmacheck.load.kconfig import load_config

    p = tmp_path / ".config"
    p.write_text("CONFIG_CMA=y\nCONFIG_DMA_CMA=y\nCONFIG_CMA_ALIGNMENT=" + "9" * 5000 + "\n")
    cfg = load_config(str(p), arch="arm64")
    assert cfg.symbols["CMA_ALIGNMENT"] == "12"
    assert [(q.line, q.kind) for q in cfg.problems] == [(3, "out-of-range")]
    assert cfg.problems[0].message.endswith(
        "has no effect: outside the range 2..12, so kconfig uses 12")


def test_kconfig_gzip_bomb(tmp_path: Path) -> None:
    import gzip

    from cmacheck.load.kconfig import MAX_CONFIG_BYTES, load_config

    p = tmp_path / "bomb.config.gz"
    p.write_bytes(gzip.compress(b"#" * (MAX_CONFIG_BYTES + 1), compresslevel=1))
    with pytest.raises(InputError) as e:
        load_config(str(p))
    assert str(e.value) == f"{p}: larger than 64 MiB: not a kernel .config"


def test_kconfig_multi_member_gzip_still_read(tmp_path: Path) -> None:
    import gzip

    from cmacheck.load.kconfig import load_config

    p = tmp_path / "two.config.gz"
    p.write_bytes(gzip.compress(b"CONFIG_CMA=y\n") + gzip.compress(b"CONFIG_DMA_CMA=y\n"))
    assert dict(load_config(str(p)).lines) == {"CMA": 1, "DMA_CMA": 2}


def test_kconfig_endless_file_is_bounded() -> None:
    from cmacheck.load.kconfig import load_config

    with pytest.raises(InputError) as e:
        load_config("/dev/zero")
    assert str(e.value) == "/dev/zero: larger than 64 MiB: not a kernel .config"


def test_memparse_of_131072_digits() -> None:
    # Was 8 s (--ram or --cmdline cma= with an argv-sized number): the exact value was kept
    # as a growing big int only to learn that it overflowed.
    with pytest.raises(UsageError):
        parse_size("9" * 131072)
    assert parse_cmdline("cma=" + "9" * 131072).problems


@pytest.mark.parametrize("line", [
    "cma: Reserved " + "9" * 5000 + " MiB at 0x1",
    "Memory limited to " + "9" * 5000 + "MB",
], ids=["cma-reserved", "memory-limited"])
def test_dmesg_huge_decimal(line: str) -> None:
    """Found by fuzzing, fixed in dmesg.py by its owner: int() of over 4,300 digits raised."""
    from cmacheck.dmesg import parse_log

    parse_log(line)


# ------------------------------------------------------------------ board.py


@pytest.mark.parametrize("nested", [False, True], ids=["dma-ranges", "translated-through-bus"])
def test_dma_ranges_with_zero_cells(nested: bool) -> None:
    # Was ZeroDivisionError (len % (n * 4) with #address-cells = #size-cells = 0).
    from cmacheck import board

    c = fdtgen.cells
    zero_bus = [("#address-cells", c(0)), ("#size-cells", c(0)), ("dma-ranges", c(1))]
    dev = ("dev", [("#address-cells", c(1)), ("#size-cells", c(1)), ("dma-ranges", c(0, 16))],
           [])
    soc = ("soc", zero_bus, [dev] if nested else [])
    dt = parse_dtb("t.dtb", fdtgen.assemble(fdtgen.board([], address_cells=0, size_cells=0,
                                                          extra=[soc])))
    assert board.max_dma_cpu_address(dt) is None


def test_cma009_one_node_with_many_overlapping_entries() -> None:
    # atheris dtb-run (session 2): one node with ~1,000 overlapping reg entries of its own
    # made the sweep sort every open span for each entry (0.4 s for a 16 KiB DTB).  A node's
    # own entries are no pairs; the pairs with another node are counted exactly.
    regions = [("a", [("reg", fdtgen.u64s(0x50000000, 0x100000) * 1000)], []),
               ("b@50000000", [("reg", fdtgen.u64s(0x50000000, 0x1000))], [])]
    path = targets._write("cma009-own.dtb", fdtgen.assemble(fdtgen.board(regions)))
    report = run(Inputs(dt=path, kernel_version="6.1", arch="arm64"))
    hits = [f for f in report.findings if f.rule == "CMA009"]
    # 1,000 pairs: the first 100 are the same finding (identical entries), the rest counted
    assert sorted(h.message.split(" overlapping")[0] for h in hits) == [
        "900 more", "[0x50000000-0x500fffff] overlaps /reserved-memory/b@50000000 "
        "[0x50000000-0x50000fff] by 4 KiB"]
