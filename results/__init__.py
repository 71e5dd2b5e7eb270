"""The results store, shipped inside the wheel as ``dlref._stored_results`` (read by dlref.results).

Each folder holds one experiment's ``result.json`` (metrics, configuration, provenance, hash) and
the files it wrote. Nothing here is code to import; this file only makes the folder a package.
"""
