"""Site build machinery (a MkDocs plugin): cached execution of snippets, provenance, ledger.

Not part of dlref's library API; MkDocs loads it through the ``dlref`` plugin entry point.
"""
