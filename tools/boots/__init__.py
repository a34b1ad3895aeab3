"""Real-boot recording harness for cmacheck (see tools/boots/README.md)."""
