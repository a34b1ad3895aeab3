"""Command line: parse options -> batch of api.run() -> a formatter -> exit status.

Exit status: 0 no finding at or above the fail level (--fail-on, default error; --strict is
--fail-on warning); 1 such findings; 2 usage, config or input error (one line on stderr per
problem).  A single board that cannot be read prints nothing on stdout; in a batch the other
boards are still reported and the exit status is 2.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from cmacheck import __version__, api, records, rules
from cmacheck.errors import CmacheckError, InputError, UsageError
from cmacheck.findings import Severity
from cmacheck.units import parse_size

FORMATS = ("text", "json", "sarif", "github", "junit")
FAIL_ON = ("error", "warning", "note")
_F = TypeVar("_F", bound=Callable[..., Any])


class _Size(click.ParamType):  # type: ignore[type-arg]  # generic in click >= 8.2
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except CmacheckError as e:
            self.fail(str(e), param, ctx)


class _Range(click.ParamType):  # type: ignore[type-arg]
    """``BASE:SIZE``; with ``size_only`` also a bare ``SIZE`` (base None)."""

    name = "BASE:SIZE"

    def __init__(self, size_only: bool = False) -> None:
        self.size_only = size_only

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[int | None, int]:
        if isinstance(value, tuple):
            return value
        try:
            if ":" in value:
                base, size = value.split(":", 1)
                return parse_size(base), parse_size(size)
            if self.size_only:
                return None, parse_size(value)
        except CmacheckError as e:
            self.fail(str(e), param, ctx)
        self.fail(f"'{value}' is not BASE:SIZE", param, ctx)


SIZE = _Size()



class _DefaultGroup(click.Group):
    """``cmacheck board.dtb ...`` runs ``check``; ``cmacheck rules`` etc. are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "--version")):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Usage errors as one line on stderr with exit status 2, like input errors."""
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.NoArgsIsHelpError as e:
            click.echo(e.ctx.get_help() if e.ctx else str(e), err=True)
            sys.exit(2)
        except click.UsageError as e:
            click.echo(f"cmacheck: error: {e.format_message()}", err=True)
            sys.exit(2)
        except click.ClickException as e:
            click.echo(f"cmacheck: error: {e.format_message()}", err=True)
            sys.exit(2)
        except click.exceptions.Abort:
            click.echo("cmacheck: aborted", err=True)
            sys.exit(2)


@click.group(cls=_DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cmacheck")
def main() -> None:
    """Predict what the Linux kernel does with /reserved-memory and CMA, before it boots."""


_BOARD_OPTIONS = (
    click.option("--overlay", "overlays", multiple=True, metavar="X.dtbo",
                 help="Overlay applied in order, as a bootloader would (repeatable)."),
    click.option("-I", "--include", "include_dirs", multiple=True, metavar="DIR",
                 help="Include directory for DTS preprocessing (repeatable)."),
    click.option("--config", metavar="FILE",
                 help="Kernel .config, defconfig or fragment (.gz ok)."),
    click.option("--cmdline", metavar="TEXT",
                 help="What the bootloader passes; replaces /chosen/bootargs."),
    click.option("--ram", "ram", multiple=True, type=_Range(size_only=True),
                 metavar="[BASE:]SIZE", help="RAM when /memory is a placeholder (repeatable)."),
    click.option("--reserve", "reserves", multiple=True, type=_Range(), metavar="BASE:SIZE",
                 help="Range the firmware or bootloader holds (repeatable)."),
    click.option("--dtb-addr", type=SIZE, metavar="ADDR",
                 help="Where the bootloader put the DTB."),
    click.option("--kernel", "kernel_image", metavar="IMAGE",
                 help="arm64 Image whose header gives --kernel-size (use with --kernel-addr)."),
    click.option("--kernel-addr", type=SIZE, metavar="ADDR", help="Kernel image load address."),
    click.option("--kernel-size", type=SIZE, metavar="SIZE",
                 help="Kernel image size in memory."),
    click.option("--initrd", type=_Range(), metavar="BASE:SIZE", help="Initrd location."),
    click.option("--kernel-version", metavar="X.Y[.Z]", help="Override the .config header."),
    click.option("--arch", type=click.Choice(api.ARCHES), help="Override the .config header."),
    click.option("--page-size", "page_sizes", multiple=True, metavar="4K|16K|64K|all",
                 help="What-if page size (arm64); several, or with a comma-separated "
                      "--kernel-version list, give the portability table."),
    click.option("--schema", is_flag=True,
                 help="Also validate /reserved-memory against the dtschema bindings (CMA010)."),
    click.option("--workload", metavar="FILE",
                 help="TOML list of DMA allocations/frees to replay on the predicted CMA areas."),
    click.option("--min-cma", type=SIZE, metavar="SIZE",
                 help="Policy: warn when the default CMA area is smaller (CMA303)."),
)
_DMESG_OPTIONS = (
    click.option("--dmesg", metavar="LOG",
                 help="A kernel log (dmesg, console capture, journalctl -k) to compare with."),
    click.option("--boot", type=click.IntRange(min=1), metavar="N",
                 help="Which boot of a multi-boot log to compare (default: the last)."),
    click.option("--live", is_flag=True,
                 help="Check the running board: its /sys/firmware/fdt, config and kernel log."),
    click.option("--root", metavar="DIR", default="/", show_default=True,
                 help="With --live: where the board's / is (a copied or mounted tree)."),
)
_POLICY_OPTIONS = (
    click.option("--select", multiple=True, metavar="PREFIX[,...]",
                 help="Run only rules whose ID starts with PREFIX (longest prefix wins)."),
    click.option("--ignore", multiple=True, metavar="PREFIX[,...]",
                 help="Skip rules whose ID starts with PREFIX (longest prefix wins)."),
    click.option("--severity", "severities", multiple=True, metavar="RULE=LEVEL",
                 help="Override a rule's severity: error, warning or note (repeatable)."),
    click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
                 help="Exit 1 on findings at or above this severity [default: error]."),
    click.option("--config-file", metavar="PATH",
                 help="cmacheck settings (.cmacheck.toml or pyproject.toml); default: the "
                      "first found walking up from the first input."),
    click.option("--no-config-file", is_flag=True, help="Ignore any config file."),
    click.option("-j", "--jobs", type=click.IntRange(min=0), default=None, metavar="N",
                 help="Check N boards at once, in N processes (0: one per CPU)."),
)


def _apply(options: tuple[Callable[[_F], _F], ...]) -> Callable[[_F], _F]:
    def deco(f: _F) -> _F:
        for opt in reversed(options):
            f = opt(f)
        return f
    return deco


def _fail(message: str) -> NoReturn:
    click.echo(f"cmacheck: error: {message}", err=True)
    sys.exit(2)


def _settings(first: str, opts: dict[str, Any]) -> tuple[Any, Any]:
    """(config file or None, Policy) from --config-file / discovery and the policy flags."""
    from cmacheck import config

    file = None
    if not opts.pop("no_config_file"):
        path = opts.pop("config_file") or config.find_config(first)
        file = config.load_file(path) if path else None
    else:
        opts.pop("config_file")
    policy = config.build_policy(file, select=opts.pop("select"), ignore=opts.pop("ignore"),
                                 severity=opts.pop("severities"), fail_on=opts.pop("fail_on"))
    return file, policy


def _ram_from_file(values: tuple[str, ...], where: str) -> tuple[tuple[int | None, int], ...]:
    out = []
    for v in values:
        try:
            out.append(_Range(size_only=True).convert(v, None, None))
        except click.BadParameter as e:
            raise InputError(where, f"ram: {e.message}") from None
    return tuple(out)


def _inputs(dt: str, opts: dict[str, Any], file: Any) -> api.Inputs:
    """CLI flags, else the config file's values for this board, else the defaults."""
    fv = file.board_values(dt) if file is not None else {}
    kw = dict(opts)
    live: api.Inputs | None = kw.pop("live", None)
    if live is not None:  # --live: the running board's inputs, flags on top
        return records.replace(live, **{k: v for k, v in kw.items()
                                if v not in (None, (), False) and k not in ("dmesg", "boot")},
                       boot=kw.get("boot"))
    if not kw["overlays"] and "overlays" in fv:
        kw["overlays"] = tuple(file.resolve(p) for p in fv["overlays"])
    if not kw["include_dirs"] and "include" in fv:
        kw["include_dirs"] = tuple(file.resolve(p) for p in fv["include"])
    if kw["config"] is None and "config" in fv:
        kw["config"] = file.resolve(fv["config"])
    if kw["cmdline"] is None and "cmdline" in fv:
        kw["cmdline"] = fv["cmdline"]
    if not kw["ram"] and "ram" in fv:
        kw["ram"] = _ram_from_file(fv["ram"], file.path)
    if kw["kernel_version"] is None and "kernel-version" in fv:
        kw["kernel_version"] = fv["kernel-version"]
    if kw["arch"] is None and "arch" in fv:
        kw["arch"] = fv["arch"]
    if kw["min_cma"] is None and "min-cma" in fv:
        kw["min_cma"] = parse_size(fv["min-cma"])  # validated when the file was loaded
    return api.Inputs(dt=dt, **kw)


def _run_boards(dts: list[str], opts: dict[str, Any], file: Any, policy: Any,
                jobs: int | None) -> list[Any]:
    from cmacheck import batch

    workers = batch.workers_from(jobs if jobs is not None else (
        file.values.get("jobs") if file is not None else None))
    severity = dict(policy.severity)
    todo = [batch.Job(_inputs(dt, opts, file), tuple(r.ID for r in policy.rules), severity)
            for dt in dts]
    if len(todo) < 20 or not sys.stderr.isatty():
        return batch.run_jobs(todo, workers)
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("checking", total=len(todo))
        return batch.run_jobs(todo, workers,
                              on_done=lambda _r: progress.advance(task))


@main.command()
@click.argument("dt", nargs=-1)
@_apply(_BOARD_OPTIONS)
@_apply(_DMESG_OPTIONS)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format [default: text].")
@click.option("--strict", is_flag=True, help="Same as --fail-on warning.")
@_apply(_POLICY_OPTIONS)
@click.option("--baseline", "baseline_file", metavar="FILE",
              help="Hide findings recorded in FILE (see --write-baseline).")
@click.option("--write-baseline", metavar="FILE",
              help="Record the current findings in FILE, then report against it.")
@click.option("--predict-log", is_flag=True,
              help="Print the kernel log lines the prediction implies, in boot order.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: auto).")
def check(dt: tuple[str, ...], fmt: str | None, strict: bool, color: bool | None,
          baseline_file: str | None, write_baseline: str | None, jobs: int | None,
          predict_log: bool, **opts: Any) -> None:
    """Check device trees (DTB or DTS files, directories of DTBs)."""
    from cmacheck import batch

    if strict and opts["fail_on"] is None:
        opts["fail_on"] = "warning"
    live, root = opts.pop("live"), opts.pop("root")
    if _portability(dt, opts, fmt, color):
        return
    if live and (dt or opts["dmesg"]):
        _fail("--live reads the running board's own tree and log: give no DT and no --dmesg")
    if not live and not dt:
        _fail("Missing argument 'DT...' (or use --live).")
    try:
        if live:
            opts["live"] = api.live_inputs(root, arch=opts["arch"])
            dt = (opts["live"].dt,)
        dts, is_batch = batch.expand(dt)
        file, policy = _settings(dts[0], opts)
        fmt = fmt or (file.values.get("format") if file is not None else None) or "text"
        if baseline_file is None and file is not None and "baseline" in file.values:
            baseline_file = file.resolve(file.values["baseline"])
        boards = _run_boards(dts, opts, file, policy, jobs)
        if write_baseline:
            from cmacheck import baseline as bl

            pairs = [(b.dt, f) for b in boards if b.report is not None
                     for f in b.report.findings]
            with open(write_baseline, "w", encoding="utf-8") as out:
                out.write(bl.dumps(pairs, write_baseline))
            click.echo(f"cmacheck: wrote {len(pairs)} finding(s) to {write_baseline}", err=True)
            baseline_file = write_baseline
        stale: list[Any] = []
        if baseline_file:
            from cmacheck.baseline import load as load_baseline

            boards, stale = batch.apply_baseline(boards, load_baseline(baseline_file))
    except CmacheckError as e:
        _fail(str(e))
    except OSError as e:
        _fail(f"{e.filename}: {e.strerror}")
    result = batch.BatchResult(tuple(boards), policy, single=not is_batch,
                               baseline=baseline_file, stale=tuple(stale))
    for b in result.errors:
        click.echo(f"cmacheck: error: {b.error}", err=True)
    if not result.reports:
        sys.exit(2)
    if predict_log:
        _predict_log(result)
        return
    _render(result, fmt, color)
    sys.exit(result.exit_status)


def _portability(dt: tuple[str, ...], opts: dict[str, Any], fmt: str | None,
                 color: bool | None) -> bool:
    """The portability view when several versions / page sizes are asked; else prepare
    the single page size for the normal run and return False."""
    if not opts["page_sizes"] and opts["kernel_version"] is None:  # the usual single run
        del opts["page_sizes"]
        opts["page_size"] = None
        return False
    from cmacheck import portability
    from cmacheck.report import portability as out

    try:
        pages = portability.parse_page_sizes(opts.pop("page_sizes"))
        versions = portability.parse_versions(opts["kernel_version"])
    except CmacheckError as e:
        _fail(str(e))
    if len(pages) * len(versions) == 1:
        opts["page_size"] = pages[0]
        opts["kernel_version"] = versions[0]
        return False
    if len(dt) != 1:
        _fail("the portability view (several --page-size / --kernel-version) takes one board")
    names = {f.name for f in records.fields(api.Inputs)}
    board = {k: v for k, v in opts.items() if k in names}
    inputs = _inputs(dt[0], {**board, "page_size": None, "kernel_version": None}, None)
    cells = portability.matrix(inputs, versions, pages)
    if all(c.error for c in cells):
        _fail(str(cells[0].error))
    if (fmt or "text") == "json":
        out.render_json(dt[0], cells, sys.stdout)
    else:
        out.render_text(dt[0], cells, sys.stdout, color)
    sys.exit(1 if any(c.report is not None and c.report.count(Severity.ERROR)
                      for c in cells) else 0)


def _predict_log(result: Any) -> None:
    """--predict-log: the reservation / CMA lines each board's kernel would print."""
    many = len(result.reports) > 1
    for report in result.reports:
        run = report.ctx.run
        if many:
            click.echo(f"==> {report.inputs.dt} <==")
        if run is None:
            click.echo(f"cmacheck: no prediction for {report.inputs.dt}: "
                       + "; ".join(report.notes or ("RAM unknown (give --ram)",)), err=True)
            continue
        for line in run.log:
            click.echo(line)


def _render(result: Any, fmt: str, color: bool | None) -> None:
    from cmacheck.report import formatter

    if fmt == "text":
        from cmacheck.report import text

        if color is None:
            text.render_batch(result, sys.stdout, None)
            return
        buf = io.StringIO()
        text.render_batch(result, buf, color)
    else:
        buf = io.StringIO()
        formatter(fmt)(result, buf)
        if fmt == "github":
            _step_summary(result)
    sys.stdout.write(buf.getvalue())


def _step_summary(result: Any) -> None:
    """In a GitHub Actions step, append every finding to the job summary: annotations stop at
    10 per kind and step."""
    import os

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    from cmacheck.report.github import step_summary

    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(step_summary(result))
    except OSError as e:
        click.echo(f"cmacheck: warning: {path}: cannot append the job summary: {e.strerror}",
                   err=True)


@main.command(name="diff")
@click.argument("old")
@click.argument("new")
@_apply(_BOARD_OPTIONS)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)
@_apply(_POLICY_OPTIONS)
def diff_cmd(old: str, new: str, fmt: str, jobs: int | None, **opts: Any) -> None:
    """Compare two device trees (or two directories of DTBs): regions, default CMA, findings.

    Exit status: 1 when NEW has findings that OLD did not, at or above --fail-on (default
    error); 2 on input errors.
    """
    from cmacheck import diff, portability

    try:
        pages = portability.parse_page_sizes(opts.pop("page_sizes"))
        if len(pages) > 1:
            raise UsageError("diff takes one --page-size")
        opts["page_size"] = pages[0]
        pairs = diff.pair_inputs(old, new)
        file, policy = _settings(old, opts)
        sides = [p for pair in pairs for p in pair if p is not None]
        opts.update(dmesg=None, boot=None)
        checked = dict(zip(sides, _run_boards(sides, opts, file, policy, jobs), strict=True))
    except CmacheckError as e:
        _fail(str(e))
    result = diff.DiffResult(tuple(
        diff.compare(checked.get(a) if a else None, checked.get(b) if b else None)
        for a, b in pairs), policy)
    for d in result.boards:
        if d.error:
            click.echo(f"cmacheck: error: {d.error}", err=True)
    if all(d.error for d in result.boards):
        sys.exit(2)
    buf = io.StringIO()
    (diff.render_json if fmt == "json" else diff.render_text)(result, buf)
    sys.stdout.write(buf.getvalue())
    sys.exit(result.exit_status)


@main.command(name="rules")
def list_rules() -> None:
    """List every rule: ID, default severity, name, summary."""
    for r in rules.ALL:
        click.echo(f"{r.ID}  {r.SEVERITY.label:<7}  {r.NAME:<24}  {rules.summary(r)}")


@main.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation."""
    rule = rules.BY_ID.get(rule_id.upper())
    if rule is None:
        click.echo(f"cmacheck: error: unknown rule '{rule_id}' (see 'cmacheck rules')", err=True)
        sys.exit(2)
    click.echo(f"{rule.ID} {rule.NAME} ({rule.SEVERITY.label})\n")
    click.echo((rule.__doc__ or "").strip())
