"""Experiments whose results the site stores in ``results/`` (see :mod:`dlref.results`)."""
