"""Experiments whose results the site stores in ``results/`` (see [`dlref.results`][dlref.results])."""
