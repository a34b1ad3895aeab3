"""Loaders: turn input files and strings into cmacheck model objects."""
