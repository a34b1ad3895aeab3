"""lib/sort.c: literal transcriptions (test oracles) and the keyed fast path dryrun uses.

``kernel_heapsort`` / ``classic_heapsort`` are line-by-line replicas of lib/sort.c (5.1+
bottom-up heapsort / the textbook one before it); cmacheck itself only runs
``_kernel_heapsort_keyed``, which must give the same order, equal keys included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cmacheck.dryrun import _kernel_heapsort_keyed

Cmp = Callable[[object, object], int]


def kernel_heapsort(items: Sequence[object], cmp: Cmp) -> list[object]:
    """lib/sort.c ``sort_r`` (5.1+): bottom-up heapsort, NOT stable (kernel-model.md §1.5).

    Element indices instead of byte offsets; the swaps and comparisons are the kernel's, so the
    order of equal elements is the kernel's too.
    """
    x = list(items)
    n = len(x)
    a = n // 2
    if not a:
        return x
    while True:
        if a:
            a -= 1  # building the heap: sift down x[a]
        else:
            n -= 1
            if not n:
                break
            x[0], x[n] = x[n], x[0]  # extract the root to the sorted tail
        b = a
        while True:
            c = 2 * b + 1
            d = c + 1
            if d >= n:
                break
            b = c if cmp(x[c], x[d]) >= 0 else d
        if d == n:  # last leaf without a sibling
            b = c
        while b != a and cmp(x[a], x[b]) >= 0:
            b = (b - 1) // 2
        c = b
        while b != a:  # rotate x[a] into place along the path
            b = (b - 1) // 2
            x[b], x[c] = x[c], x[b]
    return x



def classic_heapsort(items: Sequence[object], cmp: Cmp) -> list[object]:
    """lib/sort.c before 5.1: textbook heapsort (left child wins ties), NOT stable."""
    x = list(items)
    n = len(x)

    def sift(r: int, end: int) -> None:
        while 2 * r + 1 < end:
            c = 2 * r + 1
            if c < end - 1 and cmp(x[c], x[c + 1]) < 0:
                c += 1
            if cmp(x[r], x[c]) >= 0:
                break
            x[r], x[c] = x[c], x[r]
            r = c

    for i in range(n // 2 - 1, -1, -1):
        sift(i, n)
    for i in range(n - 1, 0, -1):
        x[0], x[i] = x[i], x[0]
        sift(0, i)
    return x


# ------------------------------------------------------------------ lib/sort.c (§1.5)


def _cmp(a: object, b: object) -> int:
    assert isinstance(a, tuple) and isinstance(b, tuple)
    return int(a[0] > b[0]) - int(a[0] < b[0])


def test_heapsort_is_the_kernels_unstable_order() -> None:
    # [QEMU t26] DT order d0 d1 d2 s d3 (statics carry their base, dynamics 0)
    items = [(0, "d0"), (0, "d1"), (0, "d2"), (0x5000_0000, "s"), (0, "d3")]
    out = [x[1] for x in kernel_heapsort(items, _cmp)]  # type: ignore[index]
    assert out == ["d0", "d2", "d1", "d3", "s"]
    # n identical keys: d1 .. d(n-1), d0 (both algorithms)
    same = [(0, f"d{i}") for i in range(6)]
    expect = ["d1", "d2", "d3", "d4", "d5", "d0"]
    assert [x[1] for x in kernel_heapsort(same, _cmp)] == expect  # type: ignore[index]
    assert [x[1] for x in classic_heapsort(same, _cmp)] == expect  # type: ignore[index]


def test_heapsort_sorts() -> None:
    import random

    rnd = random.Random(1)
    for n in range(12):
        items = [(rnd.randrange(5), i) for i in range(n)]
        assert [x[0] for x in kernel_heapsort(items, _cmp)] == sorted(x[0] for x in items)  # type: ignore[index]
        assert [x[0] for x in classic_heapsort(items, _cmp)] == sorted(x[0] for x in items)  # type: ignore[index]



def test_record_sort_keys_give_the_kernel_heapsort_order() -> None:
    """The reserved_mem[] sort compares precomputed keys (and uses sorted() when they are all
    distinct): the order must stay kernel_heapsort's, equal keys included."""
    import random


    rnd = random.Random(7)
    for _ in range(500):
        n = rnd.choice([0, 1, 2, 3, 5, 9, 30, 100])
        spread = rnd.choice([1, 2, 4, 1 << 20])
        items = [((rnd.randrange(spread), rnd.randrange(spread)), i) for i in range(n)]

        def cmp(a: object, b: object) -> int:
            assert isinstance(a, tuple) and isinstance(b, tuple)
            return int(a[0] > b[0]) - int(a[0] < b[0])

        want = kernel_heapsort(items, cmp)
        got = _kernel_heapsort_keyed(items, [k for k, _ in items])  # type: ignore[arg-type]
        assert got == want
