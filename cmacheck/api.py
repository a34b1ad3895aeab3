"""One board in, one Report out: load the inputs, predict, run the rules.

The only orchestration module.  It reads files through the loaders, never prints and
never exits; ``cli.py`` turns a Report into output and an exit status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from cmacheck import __version__, rules
from cmacheck.cma import DefaultCandidate, DtDefault, dt_default, plan_cma_size
from cmacheck.context import CMDLINE_OPTION, CmdlinePart, Context, build_context
from cmacheck.dryrun import BootChain, dry_run
from cmacheck.errors import InputError, UsageError
from cmacheck.findings import Finding, Hit, Severity
from cmacheck.kernel import KernelModel, kernel_model, parse_version
from cmacheck.load.cmdline import (
    Cmdline,
    compose_cmdline,
    parse_cma_option,
    parse_cmdline,
    split_args,
)
from cmacheck.load.dtb import parse_dtb, read_file, tree_kind
from cmacheck.load.kconfig import (
    ASSUMED_WITHOUT_CONFIG,
    KernelConfig,
    default_symbols,
    load_config,
)
from cmacheck.model import DeviceTree
from cmacheck.records import field, record, replace
from cmacheck.units import parse_size, printable

ARCHES = ("arm64", "arm", "riscv64")


@record()
class Inputs:
    """What the user asked for, as plain values (the CLI fills it, tests build it)."""

    dt: str
    overlays: tuple[str, ...] = ()
    include_dirs: tuple[str, ...] = ()
    config: str | None = None
    cmdline: str | None = None  # what the bootloader passes (replaces /chosen/bootargs)
    ram: tuple[tuple[int | None, int], ...] = ()  # (base or None = DT memory base, size)
    kernel_version: str | None = None
    arch: str | None = None
    reserves: tuple[tuple[int, int], ...] = ()
    dtb_addr: int | None = None
    kernel_addr: int | None = None
    kernel_size: int | None = None
    kernel_image: str | None = None  # an arm64 Image: its header gives kernel_size
    initrd: tuple[int, int] | None = None
    dmesg: str | None = None  # a kernel log to compare the prediction with
    boot: int | None = None  # which boot of a multi-boot log (1-based; default the last)
    dmesg_text: str | None = None  # the log itself (--live); ``dmesg`` then names its source
    notes: tuple[str, ...] = ()  # what gathering the inputs had to assume (--live)
    schema: bool = False  # also validate against the dtschema bindings (CMA010)
    page_size: int | None = None  # what-if: another page size (arm64: 4K, 16K or 64K)
    workload: str | None = None  # --workload: DMA allocations to replay on the CMA areas
    min_cma: int | None = None  # --min-cma: policy minimum for the default CMA area (CMA303)


@record(eq=False)
class Report:
    """One board's result: its inputs, what was predicted and the findings."""

    inputs: Inputs
    ctx: Context
    findings: tuple[Finding, ...]
    cmdline_text: str | None
    cmdline_explain: tuple[str, ...]
    cma_plan: Any = None  # cmacheck.cma.CmaSizePlan
    version: str = __version__
    notes: tuple[str, ...] = field(default=())

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def run_rules(ctx: Context, selected: Iterable[rules.Rule] = rules.ALL,
              severity: Mapping[str, Severity] | None = None) -> tuple[Finding, ...]:
    """Run each rule, stamp its ID and severity, sort (file, line, node, rule).

    ``severity`` overrides the stamped severity per rule ID (``--severity CMA007=error``).
    """
    out = []
    for rule in selected:
        override = severity.get(rule.ID) if severity else None
        for hit in rule.check(ctx):
            out.append(_stamp(rule, hit, override))
    return tuple(sorted(set(out), key=lambda f: f.sort_key))


def _stamp(rule: rules.Rule, hit: Hit, override: Severity | None = None) -> Finding:
    if override is not None:
        return Finding(rule.ID, override, hit.message, hit.at)
    return Finding(rule.ID, hit.severity if hit.severity is not None else rule.SEVERITY,
                   hit.message, hit.at)


def _ram_banks(dt: DeviceTree, ctx_memory: Sequence[Any], ram: Sequence[tuple[int | None, int]]
               ) -> tuple[tuple[int, int], ...]:
    out = []
    for base, size in ram:
        if base is None:
            # `--ram SIZE`: RAM starts where the DT's (placeholder) memory node says.
            node_bases = [b.base for m in ctx_memory for b in m.banks]
            unit = [int(m.node.unit_address, 16) for m in ctx_memory
                    if m.node.unit_address and _is_hex(m.node.unit_address)]
            if node_bases:
                base = min(node_bases)
            elif unit:
                base = min(unit)
            else:
                raise UsageError(
                    f"--ram {size:#x}: {dt.source} has no memory node to take the RAM base "
                    "from; give --ram BASE:SIZE"
                )
        out.append((base, size))
    return tuple(out)


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def _effective_cmdline(ctx: Context, inputs: Inputs, config: KernelConfig | None,
                       arch: str | None, version: tuple[int, int, int] | None
                       ) -> tuple[str, tuple[str, ...], tuple[CmdlinePart, ...]]:
    bootargs = inputs.cmdline if inputs.cmdline is not None else ctx.chosen.bootargs
    explain: list[str] = []
    if inputs.cmdline is not None:
        explain.append("--cmdline given: it replaces /chosen/bootargs (what the bootloader passes)")
    symbols = config.symbols if config is not None else {}
    config_cmdline = symbols.get("CMDLINE")
    policy = "from-bootloader"
    if symbols.get("CMDLINE_FORCE") == "y":
        policy = "force"
    elif symbols.get("CMDLINE_EXTEND") == "y":
        policy = "extend"
    elif arch == "riscv64":
        policy = "fallback"
    text, lines, spans = compose_cmdline(
        bootargs,
        ctx.chosen.node is not None or inputs.cmdline is not None,
        config_cmdline,
        policy,
        arch or "arm64",
        version or (6, 1, 0),
    )
    boot = CmdlinePart(0, 0, CMDLINE_OPTION, "--cmdline")
    if inputs.cmdline is None and ctx.chosen.node is not None:
        boot = CmdlinePart(0, 0, ctx.at(ctx.chosen.node, "bootargs"), "/chosen/bootargs")
    builtin = CmdlinePart(0, 0, ctx.at_symbol("CONFIG_CMDLINE"), "CONFIG_CMDLINE")
    parts = tuple(replace(boot if origin == "boot" else builtin, start=start, end=end)
                  for start, end, origin in spans)
    return text, (*explain, *lines), parts


PAGE_SIZES = (4096, 16384, 65536)


def page_overrides(arch: str | None, page_size: int | None,
                   config: KernelConfig | None = None) -> dict[str, str | None]:
    """Kconfig what-if for ``--page-size``: the arm64 page-size choice, with the symbols whose
    defaults follow it (MAX_ORDER; 6.16+ PAGE_BLOCK_(MAX_)ORDER unless ``config`` set it below
    its default) dropped so that they take this page size's default."""
    if page_size is None:
        return {}
    if page_size not in PAGE_SIZES:
        raise UsageError(f"--page-size {page_size}: expected 4K, 16K or 64K")
    if arch != "arm64":
        if page_size != 4096:
            raise UsageError(f"--page-size {page_size // 1024}K: only arm64 has 16K/64K pages")
        return {}
    out: dict[str, str | None] = {
        f"ARM64_{n // 1024}K_PAGES": "y" if n == page_size else "n" for n in PAGE_SIZES}
    out.update({"ARCH_FORCE_MAX_ORDER": None, "FORCE_MAX_ZONEORDER": None,
                "ARM64_PAGE_SHIFT": None})
    # mm/Kconfig (6.16+): PAGE_BLOCK_(MAX_)ORDER defaults to ARCH_FORCE_MAX_ORDER and every full
    # .config writes it, so at that default it follows the page size as well (Debian 7.2.13:
    # 10 in the 4K package, 11 in the 16K one); a value set below it is a choice and stays.
    for sym in ("PAGE_BLOCK_ORDER", "PAGE_BLOCK_MAX_ORDER"):
        value = config.value(sym) if config is not None else None
        if value is None or config is None or value == config.value("ARCH_FORCE_MAX_ORDER"):
            out[sym] = None
    return out


def live_inputs(root: str = "/", **options: Any) -> Inputs:
    """``--live``: the running board's own tree, config, kernel log and kernel placement."""
    from cmacheck.live import collect  # only --live reads a running system

    live = collect(root)
    notes = list(live.notes)
    kernel_addr = kernel_size = None
    config = load_config(live.config) if live.config else None
    arch = options.get("arch") or (config.arch if config else None)
    if live.kernel_span is not None:
        if arch == "arm64":
            # /proc/iomem "Kernel code" starts at _text or _stext (64 KiB into the Image)
            # depending on the version; BootChain wants the Image's load address.
            from cmacheck.live import arm64_image_placement

            kv = options.get("kernel_version")
            version = _parse_version(kv) if kv else config.version if config else None
            if version is None:
                notes.append("kernel version unknown: the image is taken to start where "
                             "/proc/iomem 'Kernel code' starts (_text; from 5.11 until "
                             "6.18, 6.17.4 and 6.12.54 it starts 64 KiB later, at _stext)")
            kernel_addr, kernel_size = arm64_image_placement(live.kernel_span, version)
        else:
            notes.append(f"kernel image placement from /proc/iomem is not used on {arch}")
    fields: dict[str, Any] = {
        "dt": live.dt,
        "config": live.config,
        "dmesg": live.log_source,
        "dmesg_text": live.log_text,
        "kernel_addr": kernel_addr,
        "kernel_size": kernel_size,
        "notes": tuple(notes),
    }
    fields.update({k: v for k, v in options.items() if v is not None and v != ()})
    return Inputs(**fields)


def check_cmdline_option(text: str) -> None:
    """``--cmdline`` is typed by the user of cmacheck: a malformed ``cma=``/``mem=`` is a usage
    error there (exit 2), while the same text in /chosen/bootargs is a finding (CMA102)."""
    params, _ = split_args(text)
    for name, value in params:
        if name == "cma":
            try:
                parse_cma_option("cma" if value is None else f"cma={value}")
            except UsageError as e:
                raise UsageError(f"--cmdline: {e}") from None
        elif name == "mem" and value is not None and "@" not in value:
            try:
                parse_size(value)
            except UsageError:
                raise UsageError(f"--cmdline: invalid mem={printable(value)}: expected a size "
                                 "like 1G or 0x40000000") from None


ConfigLoader = Callable[..., KernelConfig]


def run(inputs: Inputs, *, selected: Iterable[rules.Rule] = rules.ALL,
        severity: Mapping[str, Severity] | None = None,
        config_loader: ConfigLoader = load_config) -> Report:
    """Load everything, predict, check.  Raises InputError / UsageError on bad input.

    ``selected`` / ``severity`` are the rule selection and severity overrides (run_rules);
    ``config_loader`` is called like ``load_config`` (a batch passes a caching one).
    """
    if inputs.cmdline is not None:
        check_cmdline_option(inputs.cmdline)
    image_note = None
    if inputs.kernel_image is not None:
        if inputs.kernel_size is not None:
            raise UsageError("give --kernel IMAGE or --kernel-size, not both")
        from cmacheck.load.image import read_kernel_image

        image = read_kernel_image(inputs.kernel_image)
        inputs = replace(inputs, kernel_size=image.size, kernel_image=None)
        image_note = image.note
        if inputs.kernel_addr is None:
            raise UsageError("--kernel IMAGE needs --kernel-addr (where the bootloader put it)")
    dt = _load_tree(inputs)
    override = _version(inputs, None)
    config = (config_loader(inputs.config, arch=inputs.arch, version=override)
              if inputs.config else None)
    arch = inputs.arch or (config.arch if config else None)
    page = page_overrides(arch, inputs.page_size, config)
    if page and config is not None:
        config = config_loader(inputs.config, arch=inputs.arch, version=override,
                               overrides=page)
    if arch is not None and arch not in ARCHES:
        raise UsageError(f"unsupported arch '{arch}' (known: {', '.join(ARCHES)})")
    version = override or (config.version if config else None)
    base_ctx = build_context(dt, config=config)
    text, explain, cmdline_parts = _effective_cmdline(base_ctx, inputs, config, arch, version)
    cmdline: Cmdline = parse_cmdline(text)
    ram = _ram_banks(dt, base_ctx.memory, inputs.ram)
    notes: list[str] = []
    kernel = None
    run_ = None
    symbols = dict(config.symbols) if config is not None else None
    if symbols is None and version is not None and arch is not None:
        symbols = default_symbols(arch, version, page)
        notes.append(
            f"no .config: assuming the Kconfig defaults of {arch} "
            f"{'.'.join(map(str, version))} with "
            + ", ".join(f"CONFIG_{s}=y" for s in ASSUMED_WITHOUT_CONFIG)
            + f" (default CMA {symbols.get('CMA_SIZE_MBYTES', '0')} MiB)"
        )
    notes.extend(inputs.notes)
    if image_note:
        notes.append(image_note)
    ram_known = bool(ram) or base_ctx.ram_known
    if version is None or arch is None:
        missing = [w for w, v in (("kernel version", version), ("arch", arch)) if v is None]
        notes.append(
            f"{' and '.join(missing)} unknown (no .config header; give --config, "
            "--kernel-version or --arch): only device-tree structure was checked"
        )
    else:
        try:
            kernel = kernel_model(version, arch, symbols or {})
        except ValueError as e:
            raise UsageError(str(e)) from None
    if kernel is not None and ram_known:
        boot = BootChain(
            dtb_addr=inputs.dtb_addr,
            kernel_addr=inputs.kernel_addr,
            kernel_size=inputs.kernel_size,
            initrd=inputs.initrd,
            reserves=inputs.reserves,
        )
        run_ = dry_run(dt, kernel=kernel, cmdline=cmdline, symbols=symbols, boot=boot,
                       ram=ram or None)
    comparison = None
    if inputs.dmesg is not None:
        comparison = _compare(inputs, run_, kernel, notes)
    plan = run_.cma_size_plan if run_ is not None else None
    if plan is None and kernel is not None:
        # RAM unknown: no replay, but the size decision does not need placement.
        plan = plan_cma_size(kernel=kernel, cmdline=cmdline, symbols=symbols,
                             dt_default=_dt_default(base_ctx, kernel, cmdline),
                             phys_mem_size=None)
    workload = _workload(inputs, run_, kernel, dt, symbols) if inputs.workload else None
    ctx = build_context(dt, config=config, cmdline=cmdline, ram=ram, kernel=kernel, run=run_,
                        cma_plan=plan, comparison=comparison,
                        schema=_schema(dt) if inputs.schema else None, workload=workload,
                        cmdline_parts=cmdline_parts, min_cma=inputs.min_cma)
    findings = run_rules(ctx, selected, severity)
    return Report(inputs, ctx, findings, text, explain, cma_plan=plan, notes=tuple(notes))


def _load_tree(inputs: Inputs) -> DeviceTree:
    """The device tree: a plain DTB directly, anything else through load.dts."""
    if not inputs.overlays and tree_kind(inputs.dt) == "dtb":
        return parse_dtb(inputs.dt, read_file(inputs.dt))
    # DTS source and overlays need cpp/dtc and temporary files: imported only for them
    # (subprocess and tempfile alone are a tenth of a plain run's start-up).
    from cmacheck.load.dts import load_devicetree

    return load_devicetree(inputs.dt, include_dirs=inputs.include_dirs,
                           overlays=inputs.overlays)


def _compare(inputs: Inputs, run_: Any, kernel: Any, notes: list[str]) -> Any:
    """Parse the log given with --dmesg and compare it with the prediction."""
    # Imported here: a plain check never reads a log (start-up time matters for a CLI).
    from cmacheck.compare import compare
    from cmacheck.dmesg import parse_log
    from cmacheck.load.log import pick_boot, read_log

    assert inputs.dmesg is not None
    if inputs.dmesg_text is not None:
        text, boot, boots = pick_boot(inputs.dmesg_text, inputs.dmesg, inputs.boot)
    else:
        text, boot, boots = read_log(inputs.dmesg, inputs.boot)
    if boots > 1:
        notes.append(f"{inputs.dmesg}: {boots} boots in the log, comparing boot {boot}")
    if run_ is None:
        raise UsageError(f"--dmesg {inputs.dmesg}: nothing to compare with: the dry run needs "
                         "the kernel version, the arch and the RAM (see the notes)")
    return compare(run_, parse_log(text), base_tolerance=run_.facts.cma_alignment,
                   prints_requested_size=kernel.cma_printed_size == "requested")


def _workload(inputs: Inputs, run_: Any, kernel: Any, dt: DeviceTree,
              symbols: Mapping[str, str] | None) -> Any:
    """Replay --workload on the predicted CMA areas (cmacheck.workload.WorkloadResult)."""
    from cmacheck import workload
    from cmacheck.load.workload import load_workload

    assert inputs.workload is not None
    steps = load_workload(inputs.workload)
    if run_ is None:
        raise UsageError(f"--workload {inputs.workload}: no CMA areas to replay it on: the dry "
                         "run needs the kernel version, the arch and the RAM (see the notes)")
    return workload.replay_workload(
        steps, run=run_, dt=dt, page_size=kernel.page_size, version=kernel.version,
        cma_alignment=run_.facts.cma_alignment,
        cma_alignment_order=workload.cma_alignment_order(symbols))


def _schema(dt: DeviceTree) -> Any:
    """dtschema problems of the reserved-memory subtree, or the reason it could not run."""
    from cmacheck.load import schema  # dtschema is heavy: only with --schema

    try:
        return schema.validate(dt)
    except schema.SchemaUnavailable as e:
        return str(e)


def _dt_default(ctx: Context, kernel: KernelModel, cmdline: Cmdline) -> DtDefault | None:
    """The linux,cma-default region as declared (without RAM there is no replay to ask)."""
    candidates = []
    for r in ctx.rmem.children:
        if not r.cma_default:
            continue
        reg = r.reg(ctx.cells)
        candidates.append(DefaultCandidate(
            path=r.path,
            size=reg[0][1] if reg else r.number("size", ctx.cells.size),
            static=r.is_static,
            base=reg[0][0] if reg else None,
            cma_pool=(r.available and r.reusable and not r.no_map
                      and r.is_compatible("shared-dma-pool")),
        ))
    return dt_default(candidates, kernel=kernel, cmdline=cmdline)


def _version(inputs: Inputs, config: KernelConfig | None) -> tuple[int, int, int] | None:
    if inputs.kernel_version:
        return _parse_version(inputs.kernel_version)
    return config.version if config else None


def _parse_version(text: str) -> tuple[int, int, int]:
    try:
        return parse_version(text)
    except ValueError:
        raise UsageError(f"invalid kernel version '{text}'") from None


__all__ = ["InputError", "Inputs", "Report", "UsageError", "run", "run_rules"]
