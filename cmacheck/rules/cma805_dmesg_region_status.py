"""A region failed where it was predicted to succeed, or the reverse.

**What it compares.** The prediction and the kernel disagree on the outcome (created, reserved, rejected,
bypassed, failed, ignored, inactive): for example the kernel printed `incorrect alignment
of CMA region` for a pool predicted to be created.  Either the `.config`/command line given
to cmacheck is not the one that booted, or the model is wrong: both are worth a look.

Only with `--dmesg LOG` or `--live`.

**Fix.** Check the kernel version and `.config` given; otherwise report the log and the tree.

Fails:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Reserved memory: incorrect alignment of CMA region\\nOF: reserved mem: node pool@50000000 compatible matching fail"

Passes:
    / { #address-cells = <2>; #size-cells = <2>; chosen { bootargs = "cma=0"; };
        memory@40000000 { device_type = "memory"; reg = <0 0x40000000 0 0x40000000>; };
        reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;
            pool@50000000 { compatible = "shared-dma-pool"; reusable; reg = <0 0x50000000 0 0x400000>; }; }; };
    $ --kernel-version 6.1 --arch arm64
    $ --dmesg-text "Reserved memory: created CMA memory pool at 0x0000000050000000, size 4 MiB\\nOF: reserved mem: initialized node pool@50000000, compatible id shared-dma-pool"
"""

from __future__ import annotations

from collections.abc import Iterator

from cmacheck.context import Context
from cmacheck.findings import Hit, Severity
from cmacheck.rules._dmesg import differences

ID = "CMA805"
NAME = "dmesg-region-status"
SEVERITY = Severity.ERROR


def check(ctx: Context) -> Iterator[Hit]:
    yield from differences(ctx, "status")
