"""The ``cmacheck`` command (``python -m cmacheck`` and the installed script).

Start-up without the cyclic garbage collector: importing click, kconfiglib and the rules
allocates some 100,000 objects and frees almost none, and a collection every 700
allocations walks them for nothing (a seventh of a cold one-board run's instructions,
measured with callgrind).  The collector is off while the program is imported, and on
again before any input is read, with what start-up built frozen out of its generations
(it lives until exit, so the run's own collections never walk it either).
"""

import gc


def main() -> None:
    gc.disable()
    from cmacheck.cli import main as cli

    gc.freeze()
    gc.enable()
    cli()


if __name__ == "__main__":
    main()
