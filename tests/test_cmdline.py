"""cmacheck.load.cmdline: composition (fdt.c), splitting (next_arg/parse_args), early params."""

from __future__ import annotations

import itertools

import pytest

from cmacheck.errors import UsageError
from cmacheck.load.cmdline import (
    CmaCmdline,
    command_line_size,
    compose_cmdline,
    next_arg,
    parse_cma_option,
    parse_cmdline,
    split_args,
)

M = 1 << 20
G = 1 << 30

# --- splitting --------------------------------------------------------------------------------

SPLIT = [
    ("plain", "a=1 b c=3", [("a", "1"), ("b", None), ("c", "3")], []),
    ("leading-trailing-spaces", "   a=1    b  ", [("a", "1"), ("b", None)], []),
    ("tabs-and-newlines", "a=1\tb=2\nc", [("a", "1"), ("b", "2"), ("c", None)], []),
    ("quoted-value", 'dyndbg="file x.c +p" q', [("dyndbg", "file x.c +p"), ("q", None)], []),
    ("quoted-whole-param", '"foo=bar baz" x', [("foo", "bar baz"), ("x", None)], []),
    ("quoted-no-equals", '"foo bar" x', [("foo bar", None), ("x", None)], []),
    ("quote-inside-value", 'a=b"c d"e f', [("a", 'b"c d"e'), ("f", None)], []),
    ("unterminated-quote", 'a="b c', [("a", "b c")], []),
    ("empty-value", "cma=", [("cma", "")], []),
    ("value-with-equals", "a=b=c", [("a", "b=c")], []),
    ("equals-at-start-ignored", "=a=b", [("=a", "b")], []),
    ("double-dash-ends", "a=1 -- b=2 init", [("a", "1")], ["b=2", "init"]),
    ("double-dash-with-value-is-param", "--=x a", [("--", "x"), ("a", None)], []),
    ("empty", "", [], []),
]


@pytest.mark.parametrize(
    ("text", "params", "rest"), [c[1:] for c in SPLIT], ids=[c[0] for c in SPLIT]
)
def test_split_args(text: str, params: list[tuple[str, str | None]], rest: list[str]) -> None:
    assert split_args(text) == (params, rest)


def test_next_arg_position() -> None:
    assert next_arg("cma=64M  mem=1G", 0) == ("cma", "64M", 9)


# --- cma= -------------------------------------------------------------------------------------


def cma(size: int, base: int = 0, limit: int = 0, *, fixed: bool = False, text: str) -> CmaCmdline:
    return CmaCmdline(size=size, base=base, limit=limit, fixed=fixed, text=text)


CMA = [
    # kernel-parameters.txt syntax cma=nn[MG]@[start[MG][-end[MG]]] and the [QEMU] cases of §2.3
    ("size", "cma=64M", cma(64 * M, text="cma=64M")),
    (
        "qemu-fixed",
        "cma=64M@0x50000000",
        cma(64 * M, 0x50000000, 0x54000000, fixed=True, text="cma=64M@0x50000000"),
    ),
    (
        "qemu-misaligned-fixed",
        "cma=64M@0x50100000",
        cma(64 * M, 0x50100000, 0x54100000, fixed=True, text="cma=64M@0x50100000"),
    ),
    (
        "qemu-window",
        "cma=64M@0x50000000-0x60000000",
        cma(64 * M, 0x50000000, 0x60000000, text="cma=64M@0x50000000-0x60000000"),
    ),
    ("qemu-too-big", "cma=3G", cma(3 * G, text="cma=3G")),
    ("qemu-1500M", "cma=1500M", cma(1500 * M, text="cma=1500M")),
    (
        "qemu-window-above-ram",
        "cma=64M@0x90000000-0x200000000",
        cma(64 * M, 0x90000000, 0x200000000, text="cma=64M@0x90000000-0x200000000"),
    ),
    (
        "exact-window-is-fixed",
        "cma=64M@0x50000000-0x54000000",
        cma(64 * M, 0x50000000, 0x54000000, fixed=True, text="cma=64M@0x50000000-0x54000000"),
    ),
    ("base-zero-not-fixed", "cma=64M@0", cma(64 * M, 0, 64 * M, text="cma=64M@0")),
    ("suffixed-base-limit", "cma=256M@1G-2G", cma(256 * M, G, 2 * G, text="cma=256M@1G-2G")),
    ("zero", "cma=0", cma(0, text="cma=0")),
    ("empty", "cma=", cma(0, text="cma=")),
    ("hex-size", "cma=0x4000000", cma(64 * M, text="cma=0x4000000")),
    ("garbage-size", "cma=foo", cma(0, text="cma=foo")),
    ("trailing-garbage", "cma=12Q", cma(12, text="cma=12Q")),
    ("last-wins", "cma=64M cma=128M", cma(128 * M, text="cma=128M")),
    (
        "base-limit-not-reset",
        "cma=64M@0x50000000 cma=128M",
        cma(128 * M, 0x50000000, 0x54000000, text="cma=128M"),
    ),
    (
        "later-base-recomputes-limit",
        "cma=64M@0x50000000-0x60000000 cma=32M@0x70000000",
        cma(32 * M, 0x70000000, 0x72000000, fixed=True, text="cma=32M@0x70000000"),
    ),
    ("no-value-ignored", "cma cma=32M", cma(32 * M, text="cma=32M")),
    ("quoted", 'cma="64M"', cma(64 * M, text="cma=64M")),
    ("after-double-dash-ignored", "cma=64M -- cma=1G", cma(64 * M, text="cma=64M")),
    (
        "limit-wraps",
        "cma=16M@0xffffffffff000000",
        cma(16 * M, 0xFFFFFFFFFF000000, 0, fixed=True, text="cma=16M@0xffffffffff000000"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CMA], ids=[c[0] for c in CMA])
def test_cma(text: str, expected: CmaCmdline) -> None:
    assert parse_cmdline(text).cma == expected


CMA_PROBLEMS = [
    ("clean", "cma=64M@0x50000000", []),
    (
        "trailing-size",
        "cma=12Q",
        [
            "cma=12Q: trailing 'Q' ignored by the kernel (memparse stops at it); "
            "size taken as 12 bytes"
        ],
    ),
    (
        "trailing-size-mib",
        "cma=64MB",
        [
            "cma=64MB: trailing 'B' ignored by the kernel (memparse stops at it); "
            "size taken as 64 MiB (67108864 bytes)"
        ],
    ),
    (
        "trailing-base",
        "cma=64M@0x50000000x",
        [
            "cma=64M@0x50000000x: trailing 'x' ignored by the kernel (memparse stops at it); "
            "base taken as 0x50000000"
        ],
    ),
    (
        "trailing-limit",
        "cma=64M@0-1Gz",
        [
            "cma=64M@0-1Gz: trailing 'z' ignored by the kernel (memparse stops at it); "
            "limit taken as 0x40000000"
        ],
    ),
    (
        "garbage",
        "cma=foo",
        [
            "cma=foo: no number for the size; the kernel takes size 0",
            "cma=foo: trailing 'foo' ignored by the kernel (memparse stops at it); "
            "size taken as 0 bytes",
        ],
    ),
    (
        "no-size",
        "cma=@0x50000000",
        ["cma=@0x50000000: no number for the size; the kernel takes size 0"],
    ),
    (
        "no-value",
        "cma",
        [
            'cma: no value; the kernel prints "cma: Config string not provided" and '
            "\"Malformed early option 'cma'\" and ignores it"
        ],
    ),
    ("empty", "cma=", ["cma=: empty value; the kernel takes size 0 (no default CMA area)"]),
    (
        "overflow",
        "cma=16E",
        ["cma=16E: the size does not fit in 64 bits; the kernel wraps it to 0x0"],
    ),
    (
        "base-limit-not-reset",
        "cma=64M@0x50000000 cma=128M",
        [
            "cma=64M@0x50000000 is overridden by a later cma=128M (the last cma= wins)",
            "cma=128M: base 0x50000000 and limit 0x54000000 from cma=64M@0x50000000 still apply "
            "(the kernel does not reset them)",
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "problems"), [c[1:] for c in CMA_PROBLEMS], ids=[c[0] for c in CMA_PROBLEMS]
)
def test_cma_problems(text: str, problems: list[str]) -> None:
    assert list(parse_cmdline(text).problems) == problems


# --- strict cma= (cmacheck's own option) --------------------------------------------------------

STRICT_OK = [
    ("size", "cma=64M", cma(64 * M, text="cma=64M")),
    ("without-prefix", "64M", cma(64 * M, text="cma=64M")),
    (
        "fixed",
        "cma=64M@0x50000000",
        cma(64 * M, 0x50000000, 0x54000000, fixed=True, text="cma=64M@0x50000000"),
    ),
    (
        "window",
        "64M@0x50000000-0x60000000",
        cma(64 * M, 0x50000000, 0x60000000, text="cma=64M@0x50000000-0x60000000"),
    ),
    ("zero", "cma=0", cma(0, text="cma=0")),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in STRICT_OK], ids=[c[0] for c in STRICT_OK]
)
def test_parse_cma_option(text: str, expected: CmaCmdline) -> None:
    assert parse_cma_option(text) == expected


SYNTAX = "expected SIZE[@BASE[-LIMIT]] with numbers like 64M, 0x4000000 or 67108864"
STRICT_BAD = [
    ("garbage", "cma=foo", f"invalid cma=foo: size 'foo' is not a number; {SYNTAX}"),
    ("trailing", "cma=12Q", f"invalid cma=12Q: size '12Q' is not a number; {SYNTAX}"),
    ("empty", "cma=", f"invalid cma=: empty value; {SYNTAX}"),
    ("no-value", "cma", f"invalid cma: no value; {SYNTAX}"),
    ("no-size", "cma=@0x50000000", f"invalid cma=@0x50000000: missing size; {SYNTAX}"),
    ("no-base", "cma=64M@", f"invalid cma=64M@: missing base; {SYNTAX}"),
    ("no-limit", "cma=64M@0x50000000-", f"invalid cma=64M@0x50000000-: missing limit; {SYNTAX}"),
    ("bad-limit", "cma=64M@0-x", f"invalid cma=64M@0-x: limit 'x' is not a number; {SYNTAX}"),
    (
        "limit-below-base",
        "cma=64M@0x50000000-0x40000000",
        "invalid cma=64M@0x50000000-0x40000000: limit 0x40000000 is not above base 0x50000000",
    ),
    ("overflow", "cma=16E", "invalid cma=16E: size '16E' does not fit in 64 bits"),
    (
        "end-overflow",
        "cma=16M@0xffffffffff000001",
        "invalid cma=16M@0xffffffffff000001: base + size does not fit in 64 bits",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"), [c[1:] for c in STRICT_BAD], ids=[c[0] for c in STRICT_BAD]
)
def test_parse_cma_option_rejects(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_cma_option(text)
    assert str(err.value) == message


# --- mem= and the other early params ------------------------------------------------------------

MEM = [
    ("size", "mem=1G", G, ((G, None),)),
    ("last-wins", "mem=1G mem=512M", 512 * M, ((G, None), (512 * M, None))),
    ("arm32-bank", "mem=256M@0x80000000", 256 * M, ((256 * M, 0x80000000),)),
    (
        "arm32-two-banks",
        "mem=256M@0x80000000 mem=256M@0xa0000000",
        256 * M,
        ((256 * M, 0x80000000), (256 * M, 0xA0000000)),
    ),
    ("raw-not-page-masked", "mem=1000000", 1000000, ((1000000, None),)),
    ("hex", "mem=0x40000000", G, ((G, None),)),
    ("absent", "console=ttyAMA0", None, ()),
    ("no-value", "mem", None, ()),
]


@pytest.mark.parametrize(("text", "mem", "banks"), [c[1:] for c in MEM], ids=[c[0] for c in MEM])
def test_mem(text: str, mem: int | None, banks: tuple[tuple[int, int | None], ...]) -> None:
    parsed = parse_cmdline(text)
    assert (parsed.mem, parsed.mem_banks) == (mem, banks)


MEM_PROBLEMS = [
    (
        "trailing",
        "mem=1GB",
        [
            "mem=1GB: trailing 'B' ignored by the kernel (memparse stops at it); "
            "size taken as 1 GiB (1073741824 bytes)"
        ],
    ),
    (
        "at-start",
        "mem=256M@0x80000000",
        ["mem=256M@0x80000000: only 32-bit arm uses '@start'; arm64 and riscv ignore it"],
    ),
    (
        "below-page",
        "mem=1K",
        ["mem=1K: below one page; arm64 and riscv mask it to 0, which memblock treats as no limit"],
    ),
    (
        "no-value",
        "mem",
        [
            "mem: no value; arm64 and riscv print \"Malformed early option 'mem'\" and ignore it, "
            "32-bit arm dereferences a NULL pointer (early crash)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "problems"), [c[1:] for c in MEM_PROBLEMS], ids=[c[0] for c in MEM_PROBLEMS]
)
def test_mem_problems(text: str, problems: list[str]) -> None:
    assert list(parse_cmdline(text).problems) == problems


@pytest.mark.parametrize(
    ("text", "pernuma"),
    [
        ("cma_pernuma=16M", 16 * M),
        ("cma-pernuma=16M", 16 * M),
        ("cma_pernuma=8M cma_pernuma=16M", 16 * M),
        ("console=x", None),
    ],
    ids=["plain", "dash-equals-underscore", "last-wins", "absent"],
)
def test_cma_pernuma(text: str, pernuma: int | None) -> None:
    assert parse_cmdline(text).cma_pernuma == pernuma


NUMA = [
    ("two-nodes", "numa_cma=0:64M,1:32M", ((0, 64 * M), (1, 32 * M)), []),
    (
        "later-occurrence-overwrites-node",
        "numa_cma=0:64M,1:32M numa_cma=1:16M",
        ((0, 64 * M), (1, 16 * M)),
        [],
    ),
    ("sorted-by-node", "numa_cma=3:1M,1:2M", ((1, 2 * M), (3, M)), []),
    (
        "plain-size-ignored",
        "numa_cma=64M",
        (),
        ["numa_cma=64M: expects <node>:<size>[,<node>:<size>]; the kernel ignores '64M'"],
    ),
    (
        "stops-at-bad-item",
        "numa_cma=0:64M,x:1M",
        ((0, 64 * M),),
        ["numa_cma=0:64M,x:1M: 'x:1M' is not <node>:<size>; the kernel stops parsing there"],
    ),
    (
        "stops-at-bad-separator",
        "numa_cma=0:64M;1:1M",
        ((0, 64 * M),),
        [
            "numa_cma=0:64M;1:1M: trailing ';1:1M' ignored by the kernel (memparse stops at it); "
            "node 0 size taken as 64 MiB (67108864 bytes)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "nodes", "problems"), [c[1:] for c in NUMA], ids=[c[0] for c in NUMA]
)
def test_numa_cma(text: str, nodes: tuple[tuple[int, int], ...], problems: list[str]) -> None:
    parsed = parse_cmdline(text)
    assert (parsed.numa_cma, list(parsed.problems)) == (nodes, problems)


HUGETLB = [
    ("plain", "hugetlb_cma=2G", 2 * G, ()),
    ("dash", "hugetlb-cma=2G", 2 * G, ()),
    ("nodes-sum", "hugetlb_cma=0:1G,1:2G", 3 * G, ((0, G), (1, 2 * G))),
    ("mixed-takes-whole-value", "hugetlb_cma=0:1G,2G", 0, ((0, G),)),
    ("occurrences-accumulate", "hugetlb_cma=0:1G hugetlb_cma=1:1G", 2 * G, ((0, G), (1, G))),
]


@pytest.mark.parametrize(
    ("text", "size", "nodes"), [c[1:] for c in HUGETLB], ids=[c[0] for c in HUGETLB]
)
def test_hugetlb_cma(text: str, size: int, nodes: tuple[tuple[int, int], ...]) -> None:
    parsed = parse_cmdline(text).hugetlb_cma
    assert parsed is not None
    assert (parsed.size, parsed.nodes) == (size, nodes)


def test_misc_early_params() -> None:
    parsed = parse_cmdline(
        "console=ttyAMA0 earlycon=pl011,0x9000000 memblock=debug initrd=0x48000000,8M "
        "crashkernel=256M crashkernel=64M,low root=/dev/vda -- single"
    )
    assert parsed.earlycon
    assert parsed.memblock_debug
    assert parsed.initrd == (0x48000000, 8 * M)
    assert parsed.crashkernel == ("256M", "64M,low")
    assert parsed.init_args == ("single",)
    assert parsed.params[0] == ("console", "ttyAMA0")
    assert parsed.problems == ()


@pytest.mark.parametrize(
    ("text", "debug"),
    [
        ("memblock=debug", True),
        ("memblock=nodebug", True),
        ("memblock", False),
        ("memblock=x", False),
    ],
    ids=["debug", "strstr-matches-nodebug", "no-value", "other"],
)
def test_memblock_debug(text: str, debug: bool) -> None:
    assert parse_cmdline(text).memblock_debug is debug


def test_initrd_efi_path_ignored() -> None:
    parsed = parse_cmdline(r"initrd=\initrd.img")
    assert parsed.initrd is None
    assert parsed.problems == ()


@pytest.mark.parametrize("param", ["cma_pernuma", "numa_cma", "hugetlb_cma", "initrd"])
def test_no_value_null_deref(param: str) -> None:
    assert parse_cmdline(param).problems == (
        f"{param}: no value; the kernel's handler dereferences a NULL pointer (early crash)",
    )


# --- composition (drivers/of/fdt.c:early_init_dt_scan_chosen) -----------------------------------

V54, V510, V61, V612, V72 = (5, 4, 0), (5, 10, 0), (6, 1, 0), (6, 12, 0), (7, 2, 0)
ARCH_POLICIES = {
    "arm64": ("from-bootloader", "force"),
    "arm": ("from-bootloader", "extend", "force"),
    "riscv64": ("fallback", "extend", "force"),
}


def expected(
    bootargs: str | None,
    chosen: bool,
    builtin: str | None,
    policy: str,
    arch: str,
    version: tuple[int, int, int],
) -> str:
    """Independent statement of §6.1 (no truncation: inputs are short)."""
    if not chosen and version < (6, 1, 0):
        return ""
    line = bootargs or ""
    if builtin is None:
        return line
    if policy == "extend" and arch != "arm64":
        return f"{line} {builtin}"
    if policy == "force":
        return builtin
    return line or builtin


def _args_id(bootargs: str | None, chosen: bool) -> str:
    if not chosen:
        return "nochosen"
    if bootargs is None:
        return "noargs"
    return "empty" if bootargs == "" else "args"


COMPOSE = [
    (arch, policy, version, bootargs, chosen, builtin)
    for arch, policies in ARCH_POLICIES.items()
    for policy in dict.fromkeys((*policies, "extend"))
    for version in (V54, V510, V61, V612, V72)
    for bootargs, chosen in (
        ("console=ttyAMA0 cma=64M", True),
        ("", True),
        (None, True),
        (None, False),
    )
    for builtin in ("cma=256M", None)
]


@pytest.mark.parametrize(
    ("arch", "policy", "version", "bootargs", "chosen", "builtin"),
    COMPOSE,
    ids=[
        f"{a}-{p}-{'.'.join(map(str, v))}-{_args_id(b, c)}-{'builtin' if k else 'nobuiltin'}"
        for a, p, v, b, c, k in COMPOSE
    ],
)
def test_compose_matrix(
    arch: str,
    policy: str,
    version: tuple[int, int, int],
    bootargs: str | None,
    chosen: bool,
    builtin: str | None,
) -> None:
    line, explain, spans = compose_cmdline(bootargs, chosen, builtin, policy, arch, version)
    assert line == expected(bootargs, chosen, builtin, policy, arch, version)
    assert explain
    # the spans cover the line in order; only the one space EXTEND puts before
    # CONFIG_CMDLINE is left out
    assert all(0 <= a[0] < a[1] <= b[0] < b[1] for a, b in itertools.pairwise(spans))
    covered = {i for start, end, _ in spans for i in range(start, end)}
    left = [line[i] for i in range(len(line)) if i not in covered]
    assert left in ([], [" "])
    assert [o for _, _, o in spans] in ([], ["boot"], ["builtin"], ["boot", "builtin"])
    if builtin is None or not line:
        assert [o for _, _, o in spans] in ([], ["boot"])


COMPOSE_EXPLAIN = [
    (
        "extend-appends",
        ("console=x", True, "cma=1G", "extend", "arm", V61),
        "console=x cma=1G",
        ["bootargs from /chosen (9 bytes)", "CONFIG_CMDLINE appended (CONFIG_CMDLINE_EXTEND)"],
    ),
    (
        "extend-empty-bootargs-leading-space",
        ("", True, "cma=1G", "extend", "riscv64", V61),
        " cma=1G",
        ["bootargs in /chosen is empty", "CONFIG_CMDLINE appended (CONFIG_CMDLINE_EXTEND)"],
    ),
    (
        "extend-empty-builtin-adds-space",
        ("a", True, "", "extend", "arm", V61),
        "a ",
        ["bootargs from /chosen (1 byte)", "CONFIG_CMDLINE appended (CONFIG_CMDLINE_EXTEND)"],
    ),
    (
        "arm64-extend-is-fallback",
        ("console=x", True, "cma=1G", "extend", "arm64", V61),
        "console=x",
        [
            "bootargs from /chosen (9 bytes)",
            "CONFIG_CMDLINE_EXTEND does not exist on arm64 (absent from 5.4-5.11, "
            "removed before 5.12 was "
            "released): the kernel treats CONFIG_CMDLINE as a fallback",
            "CONFIG_CMDLINE not used: the bootloader command line is not empty "
            "(CONFIG_CMDLINE_FROM_BOOTLOADER)",
        ],
    ),
    (
        "riscv-fallback-used",
        (None, True, "cma=1G", "fallback", "riscv64", V61),
        "cma=1G",
        [
            "/chosen has no bootargs",
            "CONFIG_CMDLINE used: the bootloader command line is empty (CONFIG_CMDLINE_FALLBACK)",
        ],
    ),
    (
        "arm64-5.10-fallback-name",
        ("", True, "cma=1G", "from-bootloader", "arm64", V510),
        "cma=1G",
        [
            "bootargs in /chosen is empty",
            "CONFIG_CMDLINE used: the bootloader command line is empty "
            "(CONFIG_CMDLINE_FORCE not set)",
        ],
    ),
    (
        "force-replaces",
        ("console=x", True, "cma=1G", "force", "arm64", V61),
        "cma=1G",
        [
            "bootargs from /chosen (9 bytes)",
            "CONFIG_CMDLINE replaces the bootloader command line (CONFIG_CMDLINE_FORCE)",
            "bootargs from /chosen are ignored",
        ],
    ),
    (
        "force-empty-builtin-wipes",
        ("console=x", True, "", "force", "arm64", V54),
        "",
        [
            "bootargs from /chosen (9 bytes)",
            "CONFIG_CMDLINE replaces the bootloader command line (CONFIG_CMDLINE_FORCE)",
            "bootargs from /chosen are ignored",
            "CONFIG_CMDLINE is empty: the kernel command line is empty",
        ],
    ),
    (
        "no-chosen-5.10",
        (None, False, "cma=1G", "force", "arm64", V510),
        "",
        [
            "no /chosen node: the kernel prints 'No chosen node found, continuing "
            "without' and, before 6.1, "
            "skips CONFIG_CMDLINE entirely"
        ],
    ),
    (
        "no-chosen-6.1",
        (None, False, "cma=1G", "force", "arm64", V61),
        "cma=1G",
        [
            "no /chosen node: CONFIG_CMDLINE handling still applies (6.1+)",
            "CONFIG_CMDLINE replaces the bootloader command line (CONFIG_CMDLINE_FORCE)",
        ],
    ),
    (
        "no-config-cmdline",
        ("console=x", True, None, "force", "arm64", V61),
        "console=x",
        [
            "bootargs from /chosen (9 bytes)",
            "CONFIG_CMDLINE is not defined: the bootloader command line is used as is",
        ],
    ),
    (
        "bootargs-imply-chosen",
        ("console=x", False, None, "force", "arm64", V54),
        "console=x",
        [
            "bootargs given without a /chosen node: taken as /chosen/bootargs",
            "bootargs from /chosen (9 bytes)",
            "CONFIG_CMDLINE is not defined: the bootloader command line is used as is",
        ],
    ),
    (
        "embedded-nul",
        ("a\0b", True, None, "force", "arm", V61),
        "a",
        [
            "bootargs from /chosen (1 byte)",
            "CONFIG_CMDLINE is not defined: the bootloader command line is used as is",
        ],
    ),
]


@pytest.mark.parametrize(
    ("args", "line", "explain"),
    [c[1:] for c in COMPOSE_EXPLAIN],
    ids=[c[0] for c in COMPOSE_EXPLAIN],
)
def test_compose_explain(
    args: tuple[str | None, bool, str | None, str, str, tuple[int, int, int]],
    line: str,
    explain: list[str],
) -> None:
    assert compose_cmdline(*args)[:2] == (line, explain)


@pytest.mark.parametrize(
    ("arch", "version", "size"),
    [
        ("arm64", V54, 2048),
        ("arm64", V72, 2048),
        ("arm", V510, 1024),
        ("riscv64", V510, 512),
        ("riscv64", (5, 10, 177), 1024),
        ("riscv64", (6, 1, 21), 512),
        ("riscv64", (6, 1, 22), 1024),
        ("riscv64", (6, 2, 0), 512),
        ("riscv64", (6, 3, 0), 1024),
        ("riscv64", (5, 4, 239), 1024),
        ("riscv64", (5, 15, 104), 512),
    ],
    ids=[
        "arm64-5.4",
        "arm64-7.2",
        "arm",
        "riscv-5.10.0",
        "riscv-5.10.177",
        "riscv-6.1.21",
        "riscv-6.1.22",
        "riscv-6.2.0",
        "riscv-6.3",
        "riscv-5.4.239",
        "riscv-5.15.104",
    ],
)
def test_command_line_size(arch: str, version: tuple[int, int, int], size: int) -> None:
    assert command_line_size(arch, version) == size


@pytest.mark.parametrize(("arch", "limit"), [("arm64", 2047), ("arm", 1023), ("riscv64", 1023)])
def test_truncation(arch: str, limit: int) -> None:
    long = "x" * 3000
    line, explain, _ = compose_cmdline(long, True, None, "from-bootloader", arch, V72)
    assert len(line) == limit
    assert (
        f"bootargs truncated to {limit} bytes (COMMAND_LINE_SIZE {limit + 1} on {arch})" in explain
    )
    line, explain, _ = compose_cmdline("y" * (limit - 2), True, "cma=1G", "extend", "arm", V72)
    if arch == "arm":
        assert line == "y" * (limit - 2) + " c"
        assert explain[-1] == f"truncated to {limit} bytes (COMMAND_LINE_SIZE {limit + 1} on arm)"


def test_truncated_builtin_cma_is_lost() -> None:
    # A built-in cma= appended past COMMAND_LINE_SIZE - 1 is cut: the kernel then sees "cma=2".
    line, _, spans = compose_cmdline("x" * 1017, True, "cma=256M", "extend", "arm", V61)
    assert line.endswith(" cma=2")
    assert spans == ((0, 1017, "boot"), (1018, 1023, "builtin"))
    assert parse_cmdline(line).cma == cma(2, text="cma=2")


@pytest.mark.parametrize(
    ("policy", "arch"), [("sideways", "arm64"), ("force", "x86")], ids=["bad-policy", "bad-arch"]
)
def test_compose_rejects(policy: str, arch: str) -> None:
    with pytest.raises(ValueError):
        compose_cmdline("", True, None, policy, arch, V61)
