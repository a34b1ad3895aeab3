"""cmacheck: predict what the Linux kernel does with /reserved-memory and CMA."""

__version__ = "0.1.0"
