"""Experiments whose results the site stores in ``results/`` (see [`dlref.lab.results`][dlref.lab.results])."""
