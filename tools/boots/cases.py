"""Boot cases as data.

Each :class:`~boots.model.Case` describes one device tree + command line.  ``children`` are DTS
snippets placed inside ``/reserved-memory`` (wrapper ``#address-cells = <2>; #size-cells = <2>;
ranges;`` unless ``rm_header`` is given).  Default RAM: QEMU ``-m 2048`` = one bank
0x40000000..0xc0000000 described by one ``memory@40000000`` node.  Default placement (see
model.plan): stub 0x40100000, kernel at bank0 + 2 MiB, DTB at bank0 + min(size/2, 128 MiB).
Ids ``t*`` reproduce the table in docs/kernel-model.md §9, ``c*`` the cma=/mem= checks of §2.3/§6.2.
"""
from __future__ import annotations

from .model import Case, GiB, MiB

SDP = 'compatible = "shared-dma-pool";'
RDP = 'compatible = "restricted-dma-pool";'
REUSABLE = "reusable;"
NOMAP = "no-map;"
CMADEF = "linux,cma-default;"
DMADEF = "linux,dma-default;"


def c2(v: int) -> str:
    return f"0x{v >> 32:x} 0x{v & 0xFFFFFFFF:x}"


def reg(*pairs: tuple[int, int]) -> str:
    return "reg = " + ", ".join(f"<{c2(b)} {c2(s)}>" for b, s in pairs) + ";"


def R(b: int, s: int) -> str:
    return reg((b, s))


def size(s: int) -> str:
    return f"size = <{c2(s)}>;"


def align(a: int) -> str:
    return f"alignment = <{c2(a)}>;"


def ranges(*pairs: tuple[int, int]) -> str:
    return "alloc-ranges = " + ", ".join(f"<{c2(b)} {c2(s)}>" for b, s in pairs) + ";"


def n(name: str, *props: str) -> str:
    return name + " {\n" + "\n".join(props) + "\n};"


def st(name: str, base: int, sz: int, *props: str) -> str:
    """Static region name@base."""
    return n(f"{name}@{base:x}", *props, R(base, sz))


def dyn(name: str, sz: int, *props: str) -> str:
    return n(name, *props, size(sz))


def cma_static(name: str, base: int, sz: int, *extra: str) -> str:
    return st(name, base, sz, SDP, REUSABLE, *extra)


def cma_dyn(name: str, sz: int, *extra: str) -> str:
    return dyn(name, sz, SDP, REUSABLE, *extra)


def membank(base: int, sz: int, *props: str) -> str:
    return n(f"memory@{base:x}", 'device_type = "memory";', R(base, sz), *props)


DMABUS_512M = n("dmabus", 'compatible = "simple-bus";', "#address-cells = <2>;",
                "#size-cells = <2>;", "ranges;",
                f"dma-ranges = <{c2(0x40000000)} {c2(0x40000000)} {c2(0x20000000)}>;")

HI = 0x100000000


def _paper() -> list[Case]:
    """The §9 table of kernel-model.md (6.1 measurements) - replayed on every kernel."""
    return [
        Case("base", "no /reserved-memory children: Kconfig default CMA only"),
        Case("base-normem", "no /reserved-memory node at all", children=None),
        Case("t1", "coherent pool of odd size (0x1040) + compatible-less dynamic region",
             [dyn("dmapool", 0x1040, SDP), dyn("nocompat", 0x1040)]),
        Case("t31", "odd-size pool, dynamic no-map pool, static reusable without compatible",
             [dyn("odd", 0x1040, SDP), dyn("nm", MiB, SDP, NOMAP),
              st("ru", 0x50000000, MiB, REUSABLE)]),
        Case("t2b", "dynamic 6 MiB CMA pool (not default) + Kconfig default area",
             [cma_dyn("cmapool", 6 * MiB)]),
        Case("t3", "static CMA at 1 MiB-aligned base (misaligned)",
             [cma_static("cmamis", 0x50100000, 4 * MiB)]),
        Case("t4", "static CMA with reusable + no-map",
             [cma_static("cmanomap", 0x50000000, 4 * MiB, NOMAP)]),
        Case("t5", "two overlapping static regions",
             [st("a", 0x50000000, 16 * MiB), st("b", 0x50800000, 16 * MiB)]),
        Case("t10", "overlapping static regions, the second no-map",
             [st("a", 0x50000000, 16 * MiB), st("b", 0x50800000, 16 * MiB, NOMAP)]),
        Case("t6", "two linux,cma-default nodes (dynamic then static)",
             [cma_dyn("cma1", 16 * MiB, CMADEF),
              cma_static("cma2", 0x60000000, 32 * MiB, CMADEF)]),
        Case("t7", "linux,cma-default node + cma=32M", [cma_dyn("linux,cma", 16 * MiB, CMADEF)],
             cmdline="cma=32M"),
        Case("t7z", "linux,cma-default node + cma=0", [cma_dyn("linux,cma", 16 * MiB, CMADEF)],
             cmdline="cma=0"),
        Case("t8", "dynamic region of 4 GiB (larger than RAM)", [dyn("huge", 4 * GiB, SDP)]),
        Case("t11", "/reserved-memory with 1/1 cells (root has 2/2): unsupported format",
             [n("r@50000000", "reg = <0x50000000 0x100000>;")],
             rm_header="#address-cells = <1>;\n#size-cells = <1>;\nranges;"),
        Case("t12", "disabled and okay dynamic CMA regions",
             [cma_dyn("cmadis", 16 * MiB, 'status = "disabled";'),
              cma_dyn("cmaok", 16 * MiB, 'status = "okay";')]),
        Case("t13", "dynamic CMA with alloc-ranges 0x50000000+256M (top-down in range)",
             [cma_dyn("ranged", 16 * MiB, ranges((0x50000000, 0x10000000)))]),
        Case("t16", "static CMA with two reg entries",
             [n("multi@50000000", SDP, REUSABLE, reg((0x50000000, 4 * MiB),
                                                     (0x60000000, 4 * MiB)))]),
        Case("t17", "dynamic 1 MiB CMA (misaligned size)", [cma_dyn("small", MiB)]),
        Case("t21", "invalid properties: zero size, bad reg/size/alignment/alloc-ranges length",
             [n("zero@50000000", R(0x50000000, 0)),
              n("badreg@51000000", f"reg = <{c2(0x51000000)} 0x0>;"),
              n("badsize", "size = <0x100000>;"),
              n("badalign", size(MiB), "alignment = <0x100000>;"),
              n("aligned", SDP, size(MiB), align(0x10000000)),
              n("badranges", size(MiB), f"alloc-ranges = <{c2(0x50000000)} 0x0>;")]),
        Case("t25", "/memreserve/ inside a static no-map region",
             [st("nm", 0x50000000, MiB, NOMAP)], memreserve=[(0x50080000, 0x1000)]),
        Case("t26", "dynamic d0,d1,d2, static s, dynamic d3: allocation order (heapsort?)",
             [dyn("d0", MiB, SDP), dyn("d1", MiB, SDP), dyn("d2", MiB, SDP),
              st("s", 0x50000000, MiB), dyn("d3", MiB, SDP)]),
        Case("t30", "bus dma-ranges limit DMA zone; static top region, dynamic CMA, 2 alloc-ranges",
             [st("top", 0xbf000000, 16 * MiB), cma_dyn("dyncma", 16 * MiB),
              n("twor", SDP, NOMAP, size(MiB), ranges((0x40000000, MiB), (0x70000000, 16 * MiB)))],
             root_extra=DMABUS_512M),
        Case("t19", "65 static 4 KiB regions (> MAX_RESERVED_REGIONS 64)",
             [st(f"r{i}", 0x50000000 + i * 0x10000, 0x1000) for i in range(65)]),
        Case("t20", "21 static 2 MiB CMA regions (slot exhaustion)",
             [cma_static(f"c{i}", 0x50000000 + i * 2 * MiB, 2 * MiB) for i in range(21)]),
        Case("t18", "6 GiB RAM: static CMA straddling 4 GiB + dynamic CMA",
             [cma_static("straddle", 0xff000000, 32 * MiB), cma_dyn("dyn", 16 * MiB)],
             ram_mb=6144),
    ]


def _cmdline() -> list[Case]:
    cs = [
        ("c-size", "cma=32M", "cma=SIZE"),
        ("c-hex", "cma=0x2000000", "cma=hex size"),
        ("c-kib", "cma=40000K", "cma=40000K (not a multiple of the alignment)"),
        ("c-zero", "cma=0", "cma=0: no default area"),
        ("c-empty", "cma=", "cma= with empty value"),
        ("c-noval", "cma", "cma without =: Config string not provided"),
        ("c-fixed", "cma=64M@0x50000000", "cma=SIZE@BASE fixed"),
        ("c-misaligned", "cma=64M@0x50100000", "cma=SIZE@BASE misaligned base"),
        ("c-window", "cma=64M@0x50000000-0x60000000", "cma=SIZE@BASE-LIMIT window"),
        ("c-window-clamp", "cma=64M@0x90000000-0x200000000", "window beyond RAM/DMA limit"),
        ("c-base0", "cma=64M@0", "cma=SIZE@0 (base 0 means anywhere)"),
        ("c-toobig", "cma=3G", "cma larger than RAM"),
        ("c-1500m", "cma=1500M", "cma=1500M (most of RAM)"),
        ("c-outside", "cma=64M@0x20000000", "fixed base below RAM"),
        ("c-exactwin", "cma=64M@0x50000000-0x54000000", "window exactly SIZE: fixed"),
        ("c-tiny", "cma=1M", "cma=1M (below the minimum alignment)"),
        ("c-mem1g", "mem=1G", "mem=1G (cut RAM)"),
        ("c-mem1500", "mem=1500M", "mem=1500M (cut not on a 1 GiB boundary)"),
        ("c-mem-cma", "mem=1G cma=128M", "mem= and cma="),
        ("c-twice", "cma=32M cma=48M", "cma= given twice (last wins?)"),
    ]
    return [Case(i, d, cmdline=c, tags=("cmdline",)) for i, c, d in cs]


def _mixes() -> list[Case]:
    out = [
        Case("dyn-align32m", "dynamic CMA 16 MiB with alignment 32 MiB",
             [cma_dyn("al", 16 * MiB, align(32 * MiB))]),
        Case("dyn-5m", "dynamic CMA 5 MiB (size not pageblock multiple)", [cma_dyn("c5", 5 * MiB)]),
        Case("dyn-2m", "dynamic CMA 2 MiB", [cma_dyn("c2", 2 * MiB)]),
        Case("st-2m-aligned", "static CMA at 2 MiB (not 4 MiB) aligned base, 6 MiB",
             [cma_static("c2", 0x50200000, 6 * MiB)]),
        Case("st-cma-1m", "static 1 MiB CMA at aligned base", [cma_static("c1", 0x50000000, MiB)]),
        Case("dyn-nomap-reusable", "dynamic CMA with reusable + no-map",
             [cma_dyn("rn", 16 * MiB, NOMAP)]),
        Case("dyn-nomap", "dynamic no-map region without compatible", [dyn("nm", 16 * MiB, NOMAP)]),
        Case("dyn-plain", "dynamic region without compatible, no flags", [dyn("p", 16 * MiB)]),
        Case("st-nomap", "static no-map region", [st("nm", 0x50000000, 16 * MiB, NOMAP)]),
        Case("st-plain", "static region without compatible", [st("p", 0x50000000, 16 * MiB)]),
        Case("st-cma", "static CMA 16 MiB (not default)", [cma_static("c", 0x50000000, 16 * MiB)]),
        Case("st-cma-default", "static linux,cma-default 32 MiB",
             [cma_static("linux,cma", 0x60000000, 32 * MiB, CMADEF)]),
        Case("dyn-cma-default", "dynamic linux,cma-default 32 MiB",
             [cma_dyn("linux,cma", 32 * MiB, CMADEF)]),
        Case("dyn-cma-default-ranges", "dynamic linux,cma-default with alloc-ranges",
             [cma_dyn("linux,cma", 32 * MiB, CMADEF, ranges((0x40000000, 0x20000000)))]),
        Case("cma-default-disabled", "disabled linux,cma-default node",
             [cma_dyn("linux,cma", 32 * MiB, CMADEF, 'status = "disabled";')]),
        Case("cma-default-misaligned", "static linux,cma-default at a 1 MiB-aligned base",
             [cma_static("linux,cma", 0x50100000, 32 * MiB, CMADEF)]),
        Case("cma-default-nonreusable", "linux,cma-default without reusable (coherent pool)",
             [dyn("linux,cma", 16 * MiB, SDP, CMADEF)]),
        Case("cma-default-nomap", "linux,cma-default with no-map",
             [dyn("linux,cma", 16 * MiB, SDP, REUSABLE, NOMAP, CMADEF)]),
        Case("cma-default-cmafixed", "static linux,cma-default + cma=64M@0x50000000",
             [cma_static("linux,cma", 0x60000000, 32 * MiB, CMADEF)],
             cmdline="cma=64M@0x50000000"),
        Case("cma-default-3", "three linux,cma-default nodes",
             [cma_dyn("d1", 8 * MiB, CMADEF), cma_dyn("d2", 8 * MiB, CMADEF),
              cma_dyn("d3", 8 * MiB, CMADEF)]),
        Case("dma-default", "coherent pool with linux,dma-default (no-map)",
             [dyn("dmadef", MiB, SDP, NOMAP, DMADEF)]),
        Case("dma-default-2", "two linux,dma-default pools",
             [dyn("dmadef1", MiB, SDP, NOMAP, DMADEF), dyn("dmadef2", MiB, SDP, NOMAP, DMADEF)]),
        Case("dma-pool-mapped", "shared-dma-pool coherent without no-map (arm32: unsupported)",
             [dyn("pool", MiB, SDP)]),
        Case("rdp-dyn", "restricted-dma-pool 4 MiB dynamic", [dyn("rdp", 4 * MiB, RDP)]),
        Case("rdp-static", "restricted-dma-pool static",
             [st("rdp", 0x50000000, 4 * MiB, RDP)]),
        Case("rdp-nomap", "restricted-dma-pool with no-map (rejected)",
             [dyn("rdp", 4 * MiB, RDP, NOMAP)]),
        Case("rdp-reusable", "restricted-dma-pool with reusable (rejected)",
             [dyn("rdp", 4 * MiB, RDP, REUSABLE)]),
        Case("unknown-compat", "region with an unknown compatible",
             [st("fw", 0x50000000, MiB, 'compatible = "acme,firmware";', NOMAP)]),
        Case("ovl-contain", "static region fully containing another",
             [st("big", 0x50000000, 64 * MiB), st("small", 0x51000000, MiB)]),
        Case("ovl-same", "two static regions with identical ranges (second no-map)",
             [st("a", 0x50000000, 16 * MiB), st("b", 0x50000000, 16 * MiB, NOMAP)]),
        Case("ovl-nomap-first", "overlapping static: the first no-map, the second plain",
             [st("a", 0x50000000, 16 * MiB, NOMAP), st("b", 0x50800000, 16 * MiB)]),
        Case("ovl-cma", "static CMA overlapping a static plain region",
             [st("p", 0x50000000, 16 * MiB), cma_static("c", 0x50800000, 16 * MiB)]),
        Case("ovl-3", "three chained overlapping static regions",
             [st("a", 0x50000000, 16 * MiB), st("b", 0x50800000, 16 * MiB),
              st("c", 0x51000000, 16 * MiB)]),
        Case("ovl-adjacent", "adjacent (touching) static regions: no overlap",
             [st("a", 0x50000000, 16 * MiB), st("b", 0x51000000, 16 * MiB, NOMAP)]),
        Case("ovl-kernel-nomap", "static no-map over the kernel image",
             [st("k", 0x40000000, 64 * MiB, NOMAP)]),
        Case("ovl-kernel-cma", "static CMA over the kernel image",
             [cma_static("k", 0x40000000, 64 * MiB)]),
        Case("ovl-dtb-nomap", "static no-map over the DTB (0x48000000)",
             [st("d", 0x48000000, 2 * MiB, NOMAP)]),
        Case("ovl-dtb-cma", "static CMA over the DTB", [cma_static("d", 0x48000000, 4 * MiB)]),
        Case("memreserve-cma", "/memreserve/ inside a static CMA region",
             [cma_static("c", 0x50000000, 16 * MiB)], memreserve=[(0x50100000, 0x1000)]),
        Case("memreserve-top", "/memreserve/ at the top of RAM + dynamic regions (placement)",
             [dyn("d1", MiB, SDP, NOMAP), cma_dyn("c1", 16 * MiB)],
             memreserve=[(0xbff00000, MiB)]),
        Case("memreserve-multi", "three /memreserve/ entries + static regions",
             [st("a", 0x50000000, MiB), st("b", 0x60000000, MiB, NOMAP)],
             memreserve=[(0x58000000, 0x10000), (0x60000000, 0x1000), (0x70000000, 2 * MiB)]),
        Case("outside-ram", "static plain and no-map regions below RAM",
             [st("lo", 0x20000000, MiB), st("lonm", 0x30000000, MiB, NOMAP)]),
        Case("cma-outside-ram", "static CMA region below RAM",
             [cma_static("c", 0x20000000, 16 * MiB)]),
        Case("cma-partial-ram", "static CMA straddling the end of RAM",
             [cma_static("c", 0xbf000000, 32 * MiB)]),
        Case("ranges-multi", "alloc-ranges: first range too small, second used",
             [cma_dyn("c", 16 * MiB, ranges((0x50000000, 8 * MiB), (0x60000000, 0x10000000)))]),
        Case("ranges-outside", "alloc-ranges entirely outside RAM",
             [cma_dyn("c", 16 * MiB, ranges((0x10000000, 0x10000000)))]),
        Case("ranges-align", "alloc-ranges with alignment 64 MiB",
             [cma_dyn("c", 16 * MiB, align(64 * MiB), ranges((0x50000000, 0x10000000)))]),
        Case("ranges-toosmall", "alloc-ranges smaller than the size",
             [cma_dyn("c", 16 * MiB, ranges((0x50000000, 8 * MiB)))]),
        Case("ranges-order", "alloc-ranges listed high range first",
             [cma_dyn("c", 16 * MiB, ranges((0x90000000, 0x10000000), (0x50000000, 0x10000000)))]),
        Case("ranges-static-block", "alloc-ranges window occupied by a static region",
             [st("s", 0x50000000, 16 * MiB), cma_dyn("c", 16 * MiB,
                                                     ranges((0x50000000, 24 * MiB)))]),
        Case("heap-5", "five dynamic regions of different sizes (allocation order)",
             [dyn(f"d{i}", (i + 1) * MiB, SDP, NOMAP) for i in range(5)]),
        Case("heap-8", "eight dynamic 1 MiB regions (allocation order)",
             [dyn(f"d{i}", MiB, SDP, NOMAP) for i in range(8)]),
        Case("heap-mixed", "dynamic CMA + coherent + plain, interleaved with statics",
             [cma_dyn("ca", 8 * MiB), st("s1", 0x50000000, MiB), dyn("pa", 2 * MiB, SDP, NOMAP),
              cma_dyn("cb", 4 * MiB), st("s2", 0x51000000, MiB, NOMAP), dyn("pb", 3 * MiB)]),
        Case("heap-unitaddr", "dynamic regions with unit addresses (names sort differently)",
             [dyn("z@1", MiB, SDP, NOMAP), dyn("a@2", MiB, SDP, NOMAP),
              dyn("m@0", MiB, SDP, NOMAP)]),
        Case("regions-64", "64 static 4 KiB regions (exactly MAX_RESERVED_REGIONS)",
             [st(f"r{i}", 0x50000000 + i * 0x10000, 0x1000) for i in range(64)]),
        Case("regions-70-dyn", "60 static + 10 dynamic regions (> 64)",
             [st(f"r{i}", 0x50000000 + i * 0x10000, 0x1000) for i in range(60)] +
             [dyn(f"d{i}", MiB, SDP, NOMAP) for i in range(10)]),
        Case("slots-19", "19 static CMA regions: default area takes the last slot",
             [cma_static(f"c{i}", 0x50000000 + i * 2 * MiB, 2 * MiB) for i in range(19)]),
        Case("slots-20", "20 static CMA regions: default area finds no slot",
             [cma_static(f"c{i}", 0x50000000 + i * 2 * MiB, 2 * MiB) for i in range(20)]),
        Case("slots-7",
             "7 static CMA regions (armhf 6.1 MAX_CMA_AREAS = 8: default takes the last)",
             [cma_static(f"c{i}", 0x50000000 + i * 4 * MiB, 4 * MiB) for i in range(7)]),
        Case("slots-8", "8 static CMA regions (armhf: default area finds no slot)",
             [cma_static(f"c{i}", 0x50000000 + i * 4 * MiB, 4 * MiB) for i in range(8)]),
        Case("slots-dyn-21", "21 dynamic 2 MiB CMA regions",
             [cma_dyn(f"c{i}", 2 * MiB) for i in range(21)]),
        Case("rm-cells21", "/reserved-memory #size-cells 1 (mismatch)",
             [n("r@50000000", f"reg = <{c2(0x50000000)} 0x100000>;")],
             rm_header="#address-cells = <2>;\n#size-cells = <1>;\nranges;"),
        Case("rm-noranges", "/reserved-memory without ranges",
             [st("r", 0x50000000, MiB)], rm_header="#address-cells = <2>;\n#size-cells = <2>;"),
        Case("rm-ranges-nonempty", "/reserved-memory with a non-empty ranges property",
             [st("r", 0x50000000, MiB)],
             rm_header=f"#address-cells = <2>;\n#size-cells = <2>;\nranges = <{c2(0)} {c2(0)} "
                       f"{c2(0x100000000)}>;"),
        Case("rm-nocells", "/reserved-memory without #address-cells/#size-cells",
             [st("r", 0x50000000, MiB)], rm_header="ranges;"),
        Case("rm-disabled", "/reserved-memory node itself status = disabled",
             [cma_static("c", 0x50000000, 16 * MiB)],
             rm_header='#address-cells = <2>;\n#size-cells = <2>;\nranges;\nstatus = "disabled";'),
        Case("st-disabled", "disabled static no-map region and disabled static CMA",
             [st("nm", 0x50000000, 16 * MiB, NOMAP, 'status = "disabled";'),
              cma_static("c", 0x60000000, 16 * MiB, 'status = "disabled";')]),
        Case("st-reg-3", "static no-map with three reg entries",
             [n("m@50000000", NOMAP, reg((0x50000000, MiB), (0x51000000, MiB),
                                         (0x52000000, MiB)))]),
        Case("dyn-and-reg", "node with both reg and size (reg wins)",
             [n("both@50000000", SDP, REUSABLE, R(0x50000000, 16 * MiB), size(32 * MiB))]),
        Case("dyn-size0", "dynamic region of size 0", [dyn("z", 0, SDP)]),
        Case("dma-bus-cma", "dma-ranges limit 0x60000000: default CMA placement",
             root_extra=n("dmabus", 'compatible = "simple-bus";', "#address-cells = <2>;",
                          "#size-cells = <2>;", "ranges;",
                          f"dma-ranges = <{c2(0x40000000)} {c2(0x40000000)} {c2(0x20000000)}>;")),
        Case("cmaat-nomap", "cma=64M@0x50000000 over a DT no-map region",
             [st("nm", 0x52000000, 16 * MiB, NOMAP)], cmdline="cma=64M@0x50000000"),
        Case("cmaat-static", "cma=64M@0x50000000 over a DT static (reserved) region",
             [st("s", 0x52000000, 16 * MiB)], cmdline="cma=64M@0x50000000"),
        Case("cmawin-dyn", "cma= window + dynamic DT regions in the same window",
             [cma_dyn("c", 16 * MiB, ranges((0x50000000, 0x10000000)))],
             cmdline="cma=64M@0x50000000-0x60000000"),
        Case("mem-static-above", "mem=1G with a static no-map region and a CMA above the cut",
             [st("nm", 0xa0000000, 16 * MiB, NOMAP), cma_static("c", 0xb0000000, 16 * MiB)],
             cmdline="mem=1G"),
        Case("mem-dyn", "mem=1G with dynamic regions", [cma_dyn("c", 32 * MiB),
                                                        dyn("d", MiB, SDP, NOMAP)],
             cmdline="mem=1G"),
        Case("initrd", "4 MiB initrd below the DTB", initrd_size=4 * MiB),
        Case("initrd-nomap", "static no-map over the initrd",
             [st("nm", 0x48000000, 2 * MiB, NOMAP)], initrd_size=4 * MiB),
        Case("initrd-cma", "static CMA over the initrd",
             [cma_static("c", 0x48000000, 4 * MiB)], initrd_size=4 * MiB),
        Case("dtb-high", "DTB at the top of RAM (0xbfe00000) + dynamic regions",
             [cma_dyn("c", 16 * MiB), dyn("d", MiB, SDP, NOMAP)], dtb_addr=0xbfe00000),
        Case("kernel-high", "kernel loaded at 0x80000000",
             [cma_dyn("c", 16 * MiB)], kernel_addr=0x80000000),
        Case("usable-range", "/chosen linux,usable-memory-range caps RAM to 0x40000000+1G",
             [cma_dyn("c", 16 * MiB)],
             chosen_extra=f"linux,usable-memory-range = <{c2(0x40000000)} {c2(0x40000000)}>;"),
        Case("many-mixed", "realistic SoC mix: firmware no-map, CMA default, pools, ranges",
             [st("tee", 0x4e000000, 32 * MiB, NOMAP), st("ramoops", 0x50000000, MiB,
                                                         'compatible = "ramoops";'),
              dyn("vpu", 16 * MiB, SDP, NOMAP, ranges((0x40000000, 0x40000000))),
              cma_dyn("linux,cma", 96 * MiB, CMADEF, align(4 * MiB)),
              dyn("gpu", 32 * MiB, SDP, REUSABLE, ranges((0x60000000, 0x20000000))),
              dyn("dsp", 4 * MiB, SDP, NOMAP)]),
    ]
    return out


def _memory() -> list[Case]:
    return [
        Case("mem-holes", "two banks with a hole (0x40000000+512M, 0x80000000+1G)",
             [cma_dyn("c", 16 * MiB)],
             memory=[(0x40000000, 512 * MiB), (0x80000000, GiB)]),
        Case("mem-holes-single", "two banks in one memory node (hole between)",
             [cma_dyn("c", 16 * MiB)], memory=[(0x40000000, 512 * MiB), (0x80000000, GiB)],
             memory_style="single"),
        Case("mem-hole-cma", "static CMA inside a RAM hole",
             [cma_static("c", 0x70000000, 16 * MiB)],
             memory=[(0x40000000, 512 * MiB), (0x80000000, GiB)]),
        Case("mem-hole-straddle", "static CMA straddling a bank end into the hole",
             [cma_static("c", 0x5f000000, 32 * MiB)],
             memory=[(0x40000000, 512 * MiB), (0x80000000, GiB)]),
        Case("mem-hole-dyn-big", "dynamic CMA bigger than the top bank",
             [cma_dyn("c", 768 * MiB)],
             memory=[(0x40000000, GiB), (0xa0000000, 512 * MiB)]),
        Case("mem-partial", "DT RAM is only the first 1 GiB of QEMU's 2 GiB",
             memory=[(0x40000000, GiB)]),
        Case("mem-small", "256 MiB RAM: default CMA 64 MiB", memory=[(0x40000000, 256 * MiB)]),
        Case("mem-3banks", "three banks, default CMA + dynamic regions",
             [cma_dyn("c", 32 * MiB), dyn("d", 2 * MiB, SDP, NOMAP)],
             memory=[(0x40000000, 256 * MiB), (0x60000000, 256 * MiB), (0xa0000000, 256 * MiB)]),
        Case("mem-unaligned", "RAM bank with non-page-aligned base and size",
             memory=[(0x40000000, 0x40000000), (0x90001800, 0x0fffd000)]),
        Case("mem-high-start", "RAM starts at 0x80000000 (1 GiB)", [cma_dyn("c", 16 * MiB)],
             memory=[(0x80000000, GiB)]),
        Case("mem-disabled-node", "second memory node status = disabled",
             [cma_dyn("c", 16 * MiB)], memory=[(0x40000000, GiB)],
             root_extra=membank(0x80000000, GiB, 'status = "disabled";')),
        Case("mem-usable", "memory node with linux,usable-memory (smaller than reg)",
             memory=[(0x40000000, GiB)],
             root_extra=membank(0x80000000, GiB,
                                f"linux,usable-memory = <{c2(0x80000000)} {c2(256 * MiB)}>;")),
        Case("hi-default", "6 GiB RAM: default CMA placement", ram_mb=6144),
        Case("hi-dyn", "6 GiB RAM: dynamic CMA, pools, default", [
            cma_dyn("c", 32 * MiB), dyn("d", MiB, SDP, NOMAP)], ram_mb=6144),
        Case("hi-static-above", "6 GiB RAM: static CMA above 4 GiB",
             [cma_static("c", 0x140000000, 32 * MiB)], ram_mb=6144),
        Case("hi-dyn-straddle", "6 GiB: dynamic CMA forced across 4 GiB by alloc-ranges",
             [cma_dyn("c", 32 * MiB, ranges((0xff000000, 32 * MiB)))], ram_mb=6144),
        Case("hi-ranges-low", "6 GiB: dynamic CMA limited below 4 GiB",
             [cma_dyn("c", 32 * MiB, ranges((0x40000000, 0xc0000000)))], ram_mb=6144),
        Case("hi-cma-default-dyn", "6 GiB: dynamic linux,cma-default (lands above 4 GiB?)",
             [cma_dyn("linux,cma", 64 * MiB, CMADEF)], ram_mb=6144),
        Case("hi-cmdline-window", "6 GiB: cma= window above 4 GiB",
             cmdline="cma=64M@0x100000000-0x180000000", ram_mb=6144),
        Case("hi-cmdline-fixed", "6 GiB: cma=64M@0x140000000 fixed above 4 GiB",
             cmdline="cma=64M@0x140000000", ram_mb=6144),
        Case("hi-mem3g", "6 GiB RAM with mem=3G", cmdline="mem=3G", ram_mb=6144),
        Case("hi-holes", "banks 0x40000000+1G and 0x100000000+2G (hole below 4 GiB)",
             [cma_dyn("c", 32 * MiB)], ram_mb=6144,
             memory=[(0x40000000, GiB), (HI, 2 * GiB)]),
        Case("hi-only-dma-small", "banks 0x40000000+256M and 0x140000000+1G: default CMA",
             ram_mb=6144, memory=[(0x40000000, 256 * MiB), (0x140000000, GiB)]),
        Case("hi-dyn-nomap-above", "6 GiB: no-map and plain dynamic regions (top-down above 4G)",
             [dyn("nm", 8 * MiB, NOMAP), dyn("p", 8 * MiB), dyn("pool", MiB, SDP, NOMAP)],
             ram_mb=6144),
    ]


def _boards() -> list[Case]:
    """Real upstream board DTBs (from the bookworm arm64 package) with our memory node."""
    return [
        Case("board-apq8016-sbc", "qcom/apq8016-sbc.dtb, RAM 0x80000000+1G", None,
             board="qcom/apq8016-sbc.dtb", memory=[(0x80000000, GiB)],
             dtb_addr=0x80000000 + 64 * MiB, ram_mb=3072,
             arches=("arm64",), tags=("board",)),
        Case("board-sdm845-mtp", "qcom/sdm845-mtp.dtb, RAM 0x80000000+2G", None,
             board="qcom/sdm845-mtp.dtb", memory=[(0x80000000, 2 * GiB)],
             dtb_addr=0x80000000 + 64 * MiB, ram_mb=4096,
             arches=("arm64",), tags=("board",)),
        Case("board-imx8mp-evk", "freescale/imx8mp-evk.dtb, RAM 0x40000000+3G", None,
             board="freescale/imx8mp-evk.dtb", memory=[(0x40000000, 3 * GiB)],
             dtb_addr=0x40000000 + 64 * MiB, ram_mb=3072,
             arches=("arm64",), tags=("board",)),
        Case("board-imx8mm-evk", "freescale/imx8mm-evk.dtb, RAM 0x40000000+2G", None,
             board="freescale/imx8mm-evk.dtb", memory=[(0x40000000, 2 * GiB)],
             dtb_addr=0x40000000 + 64 * MiB,
             arches=("arm64",), tags=("board",)),
        Case("board-tegra210-p2371", "nvidia/tegra210-p2371-2180.dtb, RAM 0x80000000+2G", None,
             board="nvidia/tegra210-p2371-2180.dtb", memory=[(0x80000000, 2 * GiB)],
             dtb_addr=0x80000000 + 64 * MiB,
             ram_mb=4096, arches=("arm64",), tags=("board",)),
    ]


# Two NUMA nodes on one QEMU RAM block: the harness writes the memory@ nodes, the case closes the
# root block to add numa-node-id to them by path (the harness has no per-bank properties), then
# reopens it for the cpu node id and the distance map.
def _numa_tree(ids: tuple[int, int] | tuple[int, None] = (0, 1), dist: bool = True) -> str:
    out = ["};"]
    for bank, nid in zip(("40000000", "80000000"), ids, strict=True):
        if nid is not None:
            out.append(f"&{{/memory@{bank}}} {{ numa-node-id = <{nid}>; }};")
    out += ["/ {", "cpus { cpu@0 { numa-node-id = <0>; }; };"]
    if dist:
        out.append(n("distance-map", 'compatible = "numa-distance-map-v1";',
                     "distance-matrix = <0 0 10>, <0 1 20>, <1 1 10>;"))
    return "\n".join(out)


_NUMA2 = [(0x40000000, GiB), (0x80000000, GiB)]
_NUMA2_6G = [(0x40000000, 3 * GiB), (0x100000000, 3 * GiB)]


def _numa6g_tree() -> str:
    return _numa_tree().replace("memory@80000000", "memory@100000000")


def _numa() -> list[Case]:
    """Command-line CMA areas (cma_pernuma=, numa_cma=, hugetlb_cma=) on one and two nodes."""
    a64 = ("arm64",)
    return [
        Case("numa1-pernuma", "one node: cma_pernuma=32M", cmdline="cma_pernuma=32M",
             arches=a64),
        Case("numa1-numacma", "one node: numa_cma=0:32M", cmdline="numa_cma=0:32M", arches=a64),
        Case("numa1-numacma-offline", "one node: numa_cma=1:32M (node 1 offline)",
             cmdline="numa_cma=1:32M", arches=a64),
        Case("numa1-pernuma-big", "one node: cma_pernuma=3G (larger than RAM)",
             cmdline="cma_pernuma=3G", arches=a64),
        Case("numa1-both", "one node: cma_pernuma=16M numa_cma=0:32M",
             cmdline="cma_pernuma=16M numa_cma=0:32M", arches=a64),
        Case("numa1-pernuma-slots", "19 static CMA regions + cma_pernuma=16M: who gets slot 20",
             [cma_static(f"c{i}", 0x50000000 + i * 2 * MiB, 2 * MiB) for i in range(19)],
             cmdline="cma_pernuma=16M", arches=a64),
        Case("numa1-hugetlb", "6 GiB, one node: hugetlb_cma=1G", cmdline="hugetlb_cma=1G",
             ram_mb=6144, arches=a64),
        Case("numa1-hugetlb-small", "6 GiB, one node: hugetlb_cma=512M (below 1 GiB)",
             cmdline="hugetlb_cma=512M", ram_mb=6144, arches=a64),
        Case("numa1-hugetlb-2g", "2 GiB, one node: hugetlb_cma=1G (no free aligned GiB)",
             cmdline="hugetlb_cma=1G", arches=a64),
        Case("numa1-hugetlb-node", "6 GiB, one node: hugetlb_cma=0:1G,1:1G (node 1 offline)",
             cmdline="hugetlb_cma=0:1G,1:1G", ram_mb=6144, arches=a64),
        Case("numa2-base", "two nodes (1 GiB each, numa-node-id): Kconfig default only",
             memory=_NUMA2, root_extra=_numa_tree(), arches=a64),
        Case("numa2-pernuma", "two nodes: cma_pernuma=32M", memory=_NUMA2,
             root_extra=_numa_tree(), cmdline="cma_pernuma=32M", arches=a64),
        Case("numa2-numacma", "two nodes: numa_cma=1:64M", memory=_NUMA2,
             root_extra=_numa_tree(), cmdline="numa_cma=1:64M", arches=a64),
        Case("numa2-pernuma-big", "two nodes: cma_pernuma=1G (a whole node)", memory=_NUMA2,
             root_extra=_numa_tree(), cmdline="cma_pernuma=1G", arches=a64),
        Case("numa2-mixed", "two memory nodes, only the second with numa-node-id",
             memory=_NUMA2, root_extra=_numa_tree((None, 1)), cmdline="cma_pernuma=32M",
             arches=a64),
        Case("numa2-nodist", "two nodes without a distance-map: cma_pernuma=32M",
             memory=_NUMA2, root_extra=_numa_tree(dist=False), cmdline="cma_pernuma=32M",
             arches=a64),
        Case("numa2-hugetlb", "6 GiB in two 3 GiB nodes: hugetlb_cma=2G", memory=_NUMA2_6G,
             root_extra=_numa6g_tree(), cmdline="hugetlb_cma=2G", ram_mb=6144, arches=a64),
        Case("numa2-cma", "two nodes: cma=128M", memory=_NUMA2, root_extra=_numa_tree(),
             cmdline="cma=128M", arches=a64),
    ]


# armhf without earlycon (memblock=debug) prints nothing when the kernel dies before the console
# starts: these cases are repeated there with earlycon and without memblock=debug.
_ARMHF_EARLYCON = ("c-outside", "cma-outside-ram", "cma-partial-ram", "mem-hole-cma",
                   "mem-hole-straddle", "mem-static-above", "ovl-kernel-cma", "ovl-kernel-nomap",
                   "kernel-high", "dtb-high", "t31", "t3", "cma-default-misaligned")


def _earlycon_variants(cases: list[Case]) -> list[Case]:
    import dataclasses
    out = []
    for c in cases:
        if c.id in _ARMHF_EARLYCON:
            out.append(dataclasses.replace(
                c, id=c.id + "-ec", desc=c.desc + " (earlycon, no memblock=debug)",
                memblock_debug=False, arches=("armhf",), tags=(*c.tags, "earlycon")))
    return out


def all_cases() -> list[Case]:
    cases = _paper() + _cmdline() + _mixes() + _memory() + _boards() + _numa()
    cases += _earlycon_variants(cases)
    seen = set()
    for c in cases:
        assert c.id not in seen, c.id
        seen.add(c.id)
    return cases
