"""Command line: parse options -> api.run() -> a formatter -> exit status.

Exit status: 0 no error findings; 1 error findings (or warnings with --strict);
2 usage or input error (one line on stderr, nothing on stdout).
"""

from __future__ import annotations

import io
import sys
from typing import Any

import click

from cmacheck import __version__, api, rules
from cmacheck.errors import CmacheckError
from cmacheck.findings import Severity
from cmacheck.units import parse_size

FORMATS = ("text", "json")


class _Size(click.ParamType):
    name = "SIZE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except CmacheckError as e:
            self.fail(str(e), param, ctx)


class _Range(click.ParamType):
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


@main.command()
@click.argument("dt", nargs=-1, required=True)
@click.option("--overlay", "overlays", multiple=True, metavar="X.dtbo",
              help="Overlay applied in order, as a bootloader would (repeatable).")
@click.option("-I", "--include", "include_dirs", multiple=True, metavar="DIR",
              help="Include directory for DTS preprocessing (repeatable).")
@click.option("--config", metavar="FILE", help="Kernel .config, defconfig or fragment (.gz ok).")
@click.option("--cmdline", metavar="TEXT",
              help="What the bootloader passes; replaces /chosen/bootargs.")
@click.option("--ram", "ram", multiple=True, type=_Range(size_only=True), metavar="[BASE:]SIZE",
              help="RAM when /memory is a placeholder (repeatable).")
@click.option("--reserve", "reserves", multiple=True, type=_Range(), metavar="BASE:SIZE",
              help="Range the firmware or bootloader holds (repeatable).")
@click.option("--dtb-addr", type=SIZE, metavar="ADDR", help="Where the bootloader put the DTB.")
@click.option("--kernel-addr", type=SIZE, metavar="ADDR", help="Kernel image load address.")
@click.option("--kernel-size", type=SIZE, metavar="SIZE", help="Kernel image size in memory.")
@click.option("--initrd", type=_Range(), metavar="BASE:SIZE", help="Initrd location.")
@click.option("--kernel-version", metavar="X.Y[.Z]", help="Override the .config header.")
@click.option("--arch", type=click.Choice(api.ARCHES), help="Override the .config header.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--color/--no-color", default=None, help="Force colour on or off (default: auto).")
def check(dt: tuple[str, ...], fmt: str, strict: bool, color: bool | None,
          overlays: tuple[str, ...], include_dirs: tuple[str, ...], **opts: Any) -> None:
    """Check device trees (DTB or DTS) against a kernel config and command line."""
    from cmacheck.report import FORMATTERS, json_report, text

    reports = []
    try:
        for path in dt:
            reports.append(api.run(api.Inputs(dt=path, overlays=overlays,
                                              include_dirs=include_dirs, **opts)))
    except CmacheckError as e:
        click.echo(f"cmacheck: error: {e}", err=True)
        sys.exit(2)
    buf = io.StringIO()
    if fmt == "json" and len(reports) > 1:
        buf.write(json_report.dumps({"schema_version": json_report.SCHEMA_VERSION,
                                     "boards": [json_report.board_object(r) for r in reports]}))
    elif fmt == "text":
        for r in reports:
            text.render(r, sys.stdout if color is None else buf, color)
    else:
        for r in reports:
            FORMATTERS[fmt](r, buf)
    sys.stdout.write(buf.getvalue())
    worst = Severity.WARNING if strict else Severity.ERROR
    failed = any(f.severity >= worst for r in reports for f in r.findings)
    sys.exit(1 if failed else 0)


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
