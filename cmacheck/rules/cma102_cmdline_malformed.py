"""A command-line parameter the kernel reads differently from what it says.

**What the kernel does.** `cma=`, `mem=` and friends go through `memparse()`, which
stops at the first character it does not understand and keeps what it parsed so far:
`cma=12Q` is 12 *bytes*, `cma=0x` is 0 (no CMA at all), `mem=1 G` is 1 byte.  `cma`
without `=` prints `cma: Config string not provided` and is ignored.  None of this fails
the boot; the board just runs with another value.

This rule reads the command line the kernel will see (DT `bootargs` and
`CONFIG_CMDLINE`) and points at the one that holds the parameter: the `bootargs` line of
the DTS or the `CONFIG_CMDLINE` line of the `.config`.  A malformed value passed to
cmacheck's own `--cmdline` option is a usage error instead (exit status 2).

**Fix.** Use a number with an optional K/M/G suffix: `cma=128M`, `cma=64M@0x50000000`.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=64Q"; }; };

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=64M"; }; };
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._cmdline import problem_at

ID = "CMA102"
NAME = "cmdline-malformed"
SEVERITY = Severity.WARNING


def check(ctx: Context) -> Iterator[Hit]:
    if ctx.cmdline is None:
        return
    for problem in ctx.cmdline.problems:
        yield Hit(problem, problem_at(ctx, problem))
