"""The kernel command line: how the kernel composes it, and the early params cmacheck needs.

Composition follows drivers/of/fdt.c:early_init_dt_scan_chosen (5.4 -> 7.2, kernel-model.md §6.1).
Splitting follows lib/cmdline.c:next_arg and kernel/params.c:parse_args as used by
init/main.c:parse_early_param (double quotes group words, ``--`` ends the kernel's parameters,
``-`` and ``_`` are the same in parameter names). Each early param is parsed like its kernel
handler; where the kernel silently accepts garbage (``memparse`` stops at the first bad
character), cmacheck predicts what the kernel does and also records a ``problems`` line.

Only ASCII whitespace separates parameters here; the kernel's ``isspace`` also treats byte 0xA0
as a space (lib/ctype.c), which cmacheck does not model.
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.errors import UsageError
from cmacheck.records import record
from cmacheck.units import U64_MASK, format_size, memparse_info, printable

POLICIES = ("from-bootloader", "fallback", "extend", "force")
ARCHES = ("arm64", "arm", "riscv64")

_SPACE = " \t\n\v\f\r"

# riscv: 512 (asm-generic) until "riscv: Bump COMMAND_LINE_SIZE value to 1024" (61fc1ee8be26,
# v6.3), backported to the stable series listed here (first release carrying it).
_RISCV_1024_FROM = ((5, 4, 239), (5, 10, 177), (5, 15, 105), (6, 1, 22), (6, 2, 9))


@record()
class CmaCmdline:
    """The state of kernel/dma/contiguous.c:early_cma after all ``cma=`` occurrences.

    ``base``/``limit`` are 0 when not given. ``fixed`` is what the kernel ends up with: contiguous.c
    sets it when ``base + size == limit`` (``@base`` without ``-limit``, or an exact window) and
    mm/cma.c:cma_declare_contiguous_nid clears it again when ``base`` is 0.
    """

    size: int
    base: int
    limit: int
    fixed: bool
    text: str
    """The last ``cma=...`` parameter as written."""


@record()
class HugetlbCma:
    """mm/hugetlb.c:cmdline_parse_hugetlb_cma state, ``size`` or ``node:size,...`` (5.16+).

    5.7-5.15 accept only a plain size: there ``0:1G`` is memparsed to 0. cmacheck parses the
    5.16+ syntax.
    """

    size: int
    """``hugetlb_cma_size``: the plain size, or the sum of the per-node sizes."""
    nodes: tuple[tuple[int, int], ...]
    """(node, size) per node given with ``node:size``, sorted by node."""
    text: str


@record()
class Cmdline:
    """What the early params of a command line mean to the kernel.

    ``mem`` is the last ``mem=`` value, raw (arm64 masks it with PAGE_MASK, riscv takes the
    minimum of all occurrences, 32-bit arm adds one bank per occurrence: see ``mem_banks``).
    """

    text: str
    cma: CmaCmdline | None
    mem: int | None
    mem_banks: tuple[tuple[int, int | None], ...]
    """Every ``mem=size[@start]`` in order (32-bit arm: the first one wipes the DT memory)."""
    cma_pernuma: int | None
    numa_cma: tuple[tuple[int, int], ...]
    """(node, size) after all ``numa_cma=`` occurrences, sorted by node (later ones overwrite)."""
    hugetlb_cma: HugetlbCma | None
    params: tuple[tuple[str, str | None], ...]
    """Every parameter before ``--`` as (name, value); value None when there was no ``=``."""
    problems: tuple[str, ...]
    memblock_debug: bool = False
    earlycon: bool = False
    initrd: tuple[int, int] | None = None
    """(start, size) from ``initrd=start,size`` / ``initrdmem=`` (init/do_mounts_initrd.c)."""
    crashkernel: tuple[str, ...] = ()
    """Raw ``crashkernel=`` values in order (parsed later by kernel/crash_reserve.c)."""
    init_args: tuple[str, ...] = ()
    """Words after ``--``: passed to init, never seen by early params."""


def command_line_size(arch: str, version: tuple[int, int, int]) -> int:
    """COMMAND_LINE_SIZE (arch/*/include/uapi/asm/setup.h) for an arch and kernel version."""
    if arch == "arm64":
        return 2048
    if arch == "arm":
        return 1024
    if arch == "riscv64":
        if version >= (6, 3, 0):
            return 1024
        for first in _RISCV_1024_FROM:
            if version[:2] == first[:2] and version >= first:
                return 1024
        return 512
    raise ValueError(f"unknown arch {arch!r} (expected one of {', '.join(ARCHES)})")


def _policy_symbol(policy: str, arch: str, version: tuple[int, int, int]) -> str:
    if policy == "extend":
        return "CONFIG_CMDLINE_EXTEND"
    if policy == "force":
        return "CONFIG_CMDLINE_FORCE"
    if arch == "riscv64":
        return "CONFIG_CMDLINE_FALLBACK"
    if arch == "arm64" and version < (5, 12, 0):
        return "CONFIG_CMDLINE_FORCE not set"
    return "CONFIG_CMDLINE_FROM_BOOTLOADER"


def _count(n: int) -> str:
    return "1 byte" if n == 1 else f"{n} bytes"


def _strlcat(dst: str, src: str, size: int) -> str:
    return (dst + src)[: size - 1] if len(dst) < size - 1 else dst


def compose_cmdline(
    bootargs: str | None,
    chosen_present: bool,
    config_cmdline: str | None,
    policy: str,
    arch: str,
    version: tuple[int, int, int],
) -> tuple[str, list[str], tuple[tuple[int, int, str], ...]]:
    """The command line the kernel ends up with, one explanation line per step, and where
    each stretch of it came from: ``(start, end, "boot" | "builtin")``, in order.

    ``bootargs`` is ``/chosen/bootargs`` (what the bootloader passes; None when absent);
    ``config_cmdline`` is CONFIG_CMDLINE (None when the symbol is not defined, ``""`` when defined
    empty); ``policy`` is the CONFIG_CMDLINE_* choice. Models
    drivers/of/fdt.c:early_init_dt_scan_chosen:
    bootargs copied with strscpy (truncated to COMMAND_LINE_SIZE - 1), then, only when
    CONFIG_CMDLINE is defined, EXTEND appends ``" " + CONFIG_CMDLINE`` (strlcat, so a built-in
    ``cma=`` comes last and wins), FORCE replaces, anything else uses CONFIG_CMDLINE only when the
    line is still empty. Without /chosen, kernels before 6.1 skip the CONFIG_CMDLINE step.

    Raises:
        ValueError: unknown policy or arch.
    """
    if policy not in POLICIES:
        raise ValueError(
            f"unknown command line policy {policy!r} (expected one of {', '.join(POLICIES)})"
        )
    size = command_line_size(arch, version)
    limit = size - 1
    explain: list[str] = []

    if bootargs is not None and not chosen_present:
        explain.append("bootargs given without a /chosen node: taken as /chosen/bootargs")
        chosen_present = True

    line = ""
    spans: list[tuple[int, int, str]] = []
    if chosen_present:
        if bootargs is None:
            explain.append("/chosen has no bootargs")
        else:
            # strscpy stops at an embedded NUL, like the C string it copies.
            args = bootargs.split("\0", 1)[0]
            line = args[:limit]
            spans = [(0, len(line), "boot")] if line else []
            explain.append(
                f"bootargs from /chosen ({_count(len(args))})"
                if args
                else "bootargs in /chosen is empty"
            )
            if len(args) > limit:
                explain.append(
                    f"bootargs truncated to {limit} bytes (COMMAND_LINE_SIZE {size} on {arch})"
                )
    elif version < (6, 1, 0):
        explain.append(
            "no /chosen node: the kernel prints 'No chosen node found, continuing without' "
            "and, before 6.1, skips CONFIG_CMDLINE entirely"
        )
        return "", explain, ()
    else:
        explain.append("no /chosen node: CONFIG_CMDLINE handling still applies (6.1+)")

    if config_cmdline is None:
        explain.append("CONFIG_CMDLINE is not defined: the bootloader command line is used as is")
        return line, explain, tuple(spans)

    effective = policy
    if policy == "extend" and arch == "arm64":
        explain.append(
            "CONFIG_CMDLINE_EXTEND does not exist on arm64 (absent from 5.4-5.11, removed before "
            "5.12 was released): the kernel treats CONFIG_CMDLINE as a fallback"
        )
        effective = "from-bootloader"
    builtin = config_cmdline.split("\0", 1)[0]

    if effective == "extend":
        before = line
        line = _strlcat(_strlcat(line, " ", size), builtin, size)
        if len(line) > len(before) + 1:
            spans.append((len(before) + 1, len(line), "builtin"))
        explain.append(f"CONFIG_CMDLINE appended ({_policy_symbol(effective, arch, version)})")
        if len(before) + 1 + len(builtin) > limit:
            explain.append(f"truncated to {limit} bytes (COMMAND_LINE_SIZE {size} on {arch})")
    elif effective == "force":
        line = builtin[:limit]
        spans = [(0, len(line), "builtin")] if line else []
        explain.append(
            "CONFIG_CMDLINE replaces the bootloader command line "
            f"({_policy_symbol(effective, arch, version)})"
        )
        if bootargs:
            explain.append("bootargs from /chosen are ignored")
        if not builtin:
            explain.append("CONFIG_CMDLINE is empty: the kernel command line is empty")
        if len(builtin) > limit:
            explain.append(
                f"CONFIG_CMDLINE truncated to {limit} bytes (COMMAND_LINE_SIZE {size} on {arch})"
            )
    else:
        symbol = _policy_symbol(effective, arch, version)
        if line:
            explain.append(
                f"CONFIG_CMDLINE not used: the bootloader command line is not empty ({symbol})"
            )
        else:
            line = builtin[:limit]
            spans = [(0, len(line), "builtin")] if line else []
            explain.append(f"CONFIG_CMDLINE used: the bootloader command line is empty ({symbol})")
            if len(builtin) > limit:
                explain.append(
                    f"CONFIG_CMDLINE truncated to {limit} bytes "
                    f"(COMMAND_LINE_SIZE {size} on {arch})"
                )
    return line, explain, tuple(spans)


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _cstr(chars: list[str], start: int) -> str:
    out = []
    for ch in chars[start:]:
        if ch == "\0":
            break
        out.append(ch)
    return "".join(out)


def next_arg(text: str, pos: int) -> tuple[str, str | None, int]:
    """lib/cmdline.c:next_arg at ``text[pos]``: (param, value or None, position of the next one)."""
    in_quote = quoted = False
    start = pos
    if text[start : start + 1] == '"':
        start += 1
        in_quote = quoted = True
    i = 0
    equals = 0
    while start + i < len(text):
        ch = text[start + i]
        if ch in _SPACE and not in_quote:
            break
        # As in the kernel, an '=' at offset 0 does not count (equals == 0 means "none yet").
        if equals == 0 and ch == "=":
            equals = i
        if ch == '"':
            in_quote = not in_quote
        i += 1
    chars = list(text[start : start + i])
    vstart = equals + 1
    if equals:
        chars[equals] = "\0"
        if vstart < len(chars) and chars[vstart] == '"':
            vstart += 1
            if chars[i - 1] == '"':
                chars[i - 1] = "\0"
    if quoted and i > 0 and chars[i - 1] == '"':
        chars[i - 1] = "\0"
    param = _cstr(chars, 0)
    value = _cstr(chars, vstart) if equals else None
    nxt = start + i + 1 if start + i < len(text) else start + i
    return param, value, _skip_spaces(text, nxt)


def iter_args(text: str) -> Iterator[tuple[int, str, str | None]]:
    """kernel/params.c:parse_args splitting: (offset, name, value) of every word, ``--``
    included (what follows it goes to init)."""
    pos = _skip_spaces(text, 0)
    while pos < len(text):
        start = pos
        param, value, pos = next_arg(text, pos)
        yield start, param, value


def split_args(text: str) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(params before ``--``, words after it)."""
    params: list[tuple[str, str | None]] = []
    words = iter_args(text)
    for _, param, value in words:
        if value is None and param == "--":
            return params, [show_arg(w, v) for _, w, v in words]
        params.append((param, value))
    return params, []


def param_name(param: str) -> str:
    """kernel/params.c:parameq: '-' and '_' are interchangeable in parameter names."""
    return param.replace("-", "_")


def show_arg(name: str, value: str | None) -> str:
    return name if value is None else f"{name}={value}"


def _trailing(arg: str, rest: str, what: str, value: int) -> str:
    shown = f"{value:#x}" if what in ("base", "limit") else _bytes(value)
    return (
        f"{arg}: trailing '{rest}' ignored by the kernel (memparse stops at it); "
        f"{what} taken as {shown}"
    )


def _bytes(value: int) -> str:
    text = format_size(value)
    return text if text.endswith("bytes") or text.endswith("byte") else f"{text} ({value} bytes)"


def _number(arg: str, text: str, what: str, problems: list[str]) -> tuple[int, str]:
    info = memparse_info(text)
    if not info.digits:
        problems.append(f"{arg}: no number for the {what}; the kernel takes {what} 0")
    if info.overflow:
        problems.append(
            f"{arg}: the {what} does not fit in 64 bits; the kernel wraps it to {info.value:#x}"
        )
    return info.value, info.rest


def _parse_cma(
    arg: str, value: str, state: tuple[int, int, int], problems: list[str]
) -> tuple[int, int, int]:
    """One early_cma() call on the (size, base, limit) state; base/limit persist when not given."""
    size, base, limit = state
    size, rest = _number(arg, value, "size", problems)
    if rest[:1] != "@":
        if rest:
            problems.append(_trailing(arg, rest, "size", size))
        return size, base, limit
    base, rest = _number(arg, rest[1:], "base", problems)
    if rest[:1] != "-":
        if rest:
            problems.append(_trailing(arg, rest, "base", base))
        return size, base, (base + size) & U64_MASK
    limit, rest = _number(arg, rest[1:], "limit", problems)
    if rest:
        problems.append(_trailing(arg, rest, "limit", limit))
    return size, base, limit


def _node_sizes(arg: str, value: str, problems: list[str]) -> Iterator[tuple[int, int] | int]:
    """The ``node:size[,node:size]`` loop shared by numa_cma= and hugetlb_cma=.

    Yields (node, size) pairs, then possibly one int: the memparse of the whole value when an
    item has no ``node:`` (hugetlb_cma's plain-size branch uses it, numa_cma stops there).
    """
    pos = 0
    while pos < len(value):
        # vsscanf("%lu%n"): skip white space, then decimal digits.
        digits_at = _skip_spaces(value, pos)
        end = digits_at
        while end < len(value) and "0" <= value[end] <= "9":
            end += 1
        if end == digits_at:
            problems.append(
                f"{arg}: '{value[pos:]}' is not <node>:<size>; the kernel stops parsing there"
            )
            return
        if value[end : end + 1] != ":":
            yield memparse_info(value).value
            return
        node = int(value[digits_at:end])
        info = memparse_info(value[end + 1 :])
        if not info.digits:
            problems.append(f"{arg}: node {node} has no size; the kernel takes 0")
        yield node, info.value
        if info.rest[:1] != ",":
            if info.rest:
                problems.append(_trailing(arg, info.rest, f"node {node} size", info.value))
            return
        pos = len(value) - len(info.rest) + 1


def parse_cmdline(text: str) -> Cmdline:
    """Split ``text`` like the kernel and evaluate the early params cmacheck models.

    Never raises: malformed values are parsed the way the kernel parses them, and each one adds a
    line to ``problems``.
    """
    params, init_args = split_args(text)
    problems: list[str] = []
    cma_state = (-1, 0, 0)
    cma_text = ""
    cma_prev: str | None = None
    mem: int | None = None
    banks: list[tuple[int, int | None]] = []
    pernuma: int | None = None
    numa: dict[int, int] = {}
    huge_size = 0
    huge_nodes: dict[int, int] = {}
    huge_text: str | None = None
    memblock_debug = False
    earlycon = False
    initrd: tuple[int, int] | None = None
    crash: list[str] = []

    for raw_name, value in params:
        name = param_name(raw_name)
        arg = show_arg(raw_name, value)
        if (
            name in ("cma", "mem", "cma_pernuma", "numa_cma", "hugetlb_cma", "initrd", "initrdmem")
            and value is None
        ):
            problems.append(_no_value(raw_name))
            continue
        if name == "cma" and value is not None:
            old = cma_state
            if value == "":
                problems.append(
                    f"{arg}: empty value; the kernel takes size 0 (no default CMA area)"
                )
                cma_state = (0, old[1], old[2])
            else:
                cma_state = _parse_cma(arg, value, cma_state, problems)
            if cma_prev is not None:
                problems.append(f"{cma_prev} is overridden by a later {arg} (the last cma= wins)")
                if "@" not in value and (old[1] or old[2]):
                    problems.append(
                        f"{arg}: base {old[1]:#x} and limit {old[2]:#x} from {cma_prev} "
                        "still apply (the kernel does not reset them)"
                    )
            cma_prev = arg
            cma_text = arg
        elif name == "mem" and value is not None:
            info = memparse_info(value)
            start: int | None = None
            if not info.digits:
                problems.append(f"{arg}: no number for the size; the kernel takes size 0")
            if info.rest[:1] == "@":
                start = memparse_info(info.rest[1:]).value
                problems.append(f"{arg}: only 32-bit arm uses '@start'; arm64 and riscv ignore it")
            elif info.rest:
                problems.append(_trailing(arg, info.rest, "size", info.value))
            if info.digits and info.value < 4096:
                problems.append(
                    f"{arg}: below one page; arm64 and riscv mask it to 0, which memblock treats "
                    "as no limit"
                )
            mem = info.value
            banks.append((info.value, start))
        elif name == "cma_pernuma" and value is not None:
            info = memparse_info(value)
            if info.rest:
                problems.append(_trailing(arg, info.rest, "size", info.value))
            pernuma = info.value
        elif name == "numa_cma" and value is not None:
            got_any = False
            for item in _node_sizes(arg, value, problems):
                if isinstance(item, tuple):
                    numa[item[0]] = item[1]
                    got_any = True
                else:
                    problems.append(
                        f"{arg}: expects <node>:<size>[,<node>:<size>]; "
                        f"the kernel ignores '{value}'"
                    )
            if not got_any and not value:
                problems.append(f"{arg}: empty value; the kernel ignores it")
        elif name == "hugetlb_cma" and value is not None:
            huge_text = arg
            for item in _node_sizes(arg, value, problems):
                if isinstance(item, tuple):
                    huge_nodes[item[0]] = item[1]
                    huge_size = (huge_size + item[1]) & U64_MASK
                else:
                    # The plain-size branch memparses the whole value from its start.
                    if huge_nodes:
                        problems.append(
                            f"{arg}: mixes node:size and a plain size; the kernel then takes "
                            f"the size of the whole value ({_bytes(item)})"
                        )
                    else:
                        rest = memparse_info(value).rest
                        if rest:
                            problems.append(_trailing(arg, rest, "size", item))
                    huge_size = item
        elif name == "memblock":
            # mm/memblock.c:early_memblock: strstr(p, "debug").
            memblock_debug = memblock_debug or (value is not None and "debug" in value)
        elif name == "earlycon":
            earlycon = True
        elif name in ("initrd", "initrdmem") and value is not None:
            info = memparse_info(value)
            if info.rest[:1] == ",":
                initrd = (info.value, memparse_info(info.rest[1:]).value)
            elif name == "initrdmem" or info.digits:
                problems.append(f"{arg}: expects <start>,<size>; the kernel ignores it")
        elif name == "crashkernel" and value is not None:
            crash.append(value)

    cma: CmaCmdline | None = None
    if cma_state[0] != -1:
        size, base, limit = cma_state
        fixed = (base + size) & U64_MASK == limit and base != 0
        cma = CmaCmdline(size=size, base=base, limit=limit, fixed=fixed, text=cma_text)
    hugetlb = None
    if huge_text is not None:
        hugetlb = HugetlbCma(
            size=huge_size, nodes=tuple(sorted(huge_nodes.items())), text=huge_text
        )
    return Cmdline(
        text=text,
        cma=cma,
        mem=mem,
        mem_banks=tuple(banks),
        cma_pernuma=pernuma,
        numa_cma=tuple(sorted(numa.items())),
        hugetlb_cma=hugetlb,
        params=tuple(params),
        problems=tuple(problems),
        memblock_debug=memblock_debug,
        earlycon=earlycon,
        initrd=initrd,
        crashkernel=tuple(crash),
        init_args=tuple(init_args),
    )


def _no_value(param: str) -> str:
    name = param_name(param)
    if name == "cma":
        return (
            'cma: no value; the kernel prints "cma: Config string not provided" and '
            "\"Malformed early option 'cma'\" and ignores it"
        )
    if name == "mem":
        return (
            "mem: no value; arm64 and riscv print \"Malformed early option 'mem'\" and ignore it, "
            "32-bit arm dereferences a NULL pointer (early crash)"
        )
    return f"{param}: no value; the kernel's handler dereferences a NULL pointer (early crash)"


_CMA_SYNTAX = "expected SIZE[@BASE[-LIMIT]] with numbers like 64M, 0x4000000 or 67108864"


def parse_cma_option(text: str) -> CmaCmdline:
    """Strictly validate a ``cma=`` value given to cmacheck (``cma=64M@0x50000000`` or ``64M@...``).

    Same meaning as the kernel's early_cma, but every part must be a complete number that fits in
    64 bits and nothing may follow it.

    Raises:
        UsageError: one line naming the value and what is wrong with it.
    """
    value = text[4:] if text[:4] == "cma=" else text
    shown = f"cma={printable(value)}"  # only a valid value reaches CmaCmdline.text

    def fail(why: str) -> UsageError:
        return UsageError(f"invalid {shown}: {why}")

    if text == "cma":
        raise UsageError(f"invalid cma: no value; {_CMA_SYNTAX}")

    def number(part: str, what: str) -> int:
        info = memparse_info(part)
        if not part:
            raise fail(f"missing {what}; {_CMA_SYNTAX}")
        if not info.digits or info.rest:
            raise fail(f"{what} '{printable(part)}' is not a number; {_CMA_SYNTAX}")
        if info.overflow:
            raise fail(f"{what} '{printable(part)}' does not fit in 64 bits")
        return info.value

    if value == "":
        raise fail(f"empty value; {_CMA_SYNTAX}")
    size_text, at, where = value.partition("@")
    size = number(size_text, "size")
    if not at:
        return CmaCmdline(size=size, base=0, limit=0, fixed=False, text=shown)
    base_text, dash, limit_text = where.partition("-")
    base = number(base_text, "base")
    if not dash:
        limit = base + size
        if limit > U64_MASK:
            raise fail("base + size does not fit in 64 bits")
        return CmaCmdline(size=size, base=base, limit=limit, fixed=base != 0, text=shown)
    limit = number(limit_text, "limit")
    if limit <= base:
        raise fail(f"limit {limit:#x} is not above base {base:#x}")
    return CmaCmdline(
        size=size, base=base, limit=limit, fixed=base + size == limit and base != 0, text=shown
    )
