"""Carry stored results across a move of code that changes no computation (here: the lab layout).

A stored result's key hashes the source files it runs (`dlref.lab.results.code_hash`), so moving
modules into ``dlref/lab/`` and renaming them changes every key although nothing computes
differently. This tool re-keys a record only when that is provably so:

1. ``snapshot`` (run on the tree *before* the move) checks that each record is current there
   (its stored key equals the key of that tree's code) and writes a *move-invariant fingerprint*
   of the code its key covers.
2. ``apply`` (run on the tree *after* the move) computes the same fingerprint from the new code.
   Where the two are equal, the record gets the new layout's key, a new digest, and a
   ``key_migrated`` entry (from which commit, why); every other record is left alone, so a build
   shows it stale until it is re-run.

The fingerprint is each file's syntax tree as the key sees it (`normalized_source`), with every
import of a dlref module rewritten to the module's pre-move name, the statements importing from
one module merged, and each name an import binds replaced by what it binds. So a moved module, a
split import line or a new alias (``functional as F`` → ``functional``) leaves it unchanged, and
any other edit, a renamed parameter included, does not.

Usage::

    python tools/migrate_result_keys.py snapshot --layout old --out fp.json   # before the move
    python tools/migrate_result_keys.py apply fp.json                         # after it
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import importlib
import inspect
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Module names after the move -> before it (the canonical names of the fingerprint).
MOVED = {
    "dlref.lab.device": "dlref.device", "dlref.lab.profile": "dlref.profile", "dlref.lab.data": "dlref.data",
    "dlref.lab.train": "dlref.train", "dlref.lab.results": "dlref.results",
    "dlref.lab.provenance": "dlref.provenance", "dlref.lab.figures": "dlref.figures", "dlref.lab.cli": "dlref.cli",
    "dlref.lab.experiments": "dlref.experiments", "dlref.lab.benchmarks": "dlref.benchmarks",
    "dlref.lab.gan.train": "dlref.gan.train", "dlref.lab.gan.metrics": "dlref.gan.metrics",
    "dlref.lab.gan.cli": "dlref.gan.cli", "dlref.lab.gan": "dlref.gan", "dlref.lab": "dlref",
    "dlref.conv": "dlref.conv_backprop", "dlref.conv_arithmetic": "dlref.conv",
}

# Each stored result: its folder, its experiment function, its config and the extra code its key
# covers ("module:attr" in the new layout; the old layout's names come from MOVED).
RECORDS = {
    "lenet-fashion-grid": ("dlref.lab.experiments.classifiers:run_lenet_grid", "dlref.lab.experiments.classifiers:LeNetGridConfig", ["dlref.models"]),
    "bncnn-fashion": ("dlref.lab.experiments.classifiers:run_bncnn", "dlref.lab.experiments.classifiers:BNCNNConfig", ["dlref.models"]),
    "fashion-fast-cnn": ("dlref.lab.experiments.fashion_fast:run", "dlref.lab.experiments.fashion_fast:Config", []),
    "lstm-vs-rnn": ("dlref.lab.experiments.long_range:run", "dlref.lab.experiments.long_range:Config", []),
    "esl-weight-decay": ("dlref.lab.experiments.esl_weight_decay:run", "dlref.lab.experiments.esl_weight_decay:Config", []),
    "overfitting-remedies": ("dlref.lab.experiments.overfitting:run", "dlref.lab.experiments.overfitting:Config", []),
    "mlp-fashion-width": ("dlref.lab.experiments.mlp_fashion:run", "dlref.lab.experiments.mlp_fashion:Config", ["dlref.nn.mlp:MLP", "dlref.functional"]),
    "vit-vs-cnn-fashion": ("dlref.lab.experiments.vit_fashion:run", "dlref.lab.experiments.vit_fashion:Config", ["dlref.models", "dlref.vit"]),
    "gan-ring-collapse": ("dlref.lab.experiments.gan_ring:run_collapse", "dlref.lab.experiments.gan_ring:RingConfig", "dlref.lab.experiments.gan_ring:_code"),
    "gan-ring-noise": ("dlref.lab.experiments.gan_ring:run_noise", "dlref.lab.experiments.gan_ring:NoiseConfig", "dlref.lab.experiments.gan_ring:_code"),
    "gan-fashion-dcgan-cpu": ("dlref.lab.experiments.gan_fashion:run", "dlref.lab.experiments.gan_fashion:CPU", "dlref.lab.experiments.gan_fashion:_code"),
    "gan-fashion-classifier": ("dlref.lab.gan.metrics:train_classifier", "dlref.lab.gan.metrics:ClassifierConfig", ["dlref.models:LeNet"]),
    "attention-bench-cpu": ("dlref.lab.benchmarks.attention:run", "dlref.lab.benchmarks.attention:Config", ["dlref.attention"]),
    "train-bench-cpu": ("dlref.lab.benchmarks.train:run", "dlref.lab.benchmarks.train:Config", ["dlref.lab.train", "dlref.models", "dlref.lab.experiments.fashion_fast"]),
    "torch-inputs-sweep": ("dlref.lab.experiments.torch_inputs:run", "dlref.lab.experiments.torch_inputs:Config", "dlref.lab.experiments.torch_inputs:CODE"),
}


def canonical(name: str) -> str:
    """``name`` (a dotted module or attribute path of the new layout) as it was before the move."""
    for new in sorted(MOVED, key=len, reverse=True):
        if name == new or name.startswith(new + "."):
            return MOVED[new] + name[len(new):]
    return name


class _Canonical(ast.NodeTransformer):
    """Rewrite dlref imports to pre-move names and the names they bind to what they bind."""

    def __init__(self, map_names) -> None:
        self.map = map_names
        self.bound: dict[str, str] = {}

    def _imports(self, body: list) -> list:
        out: list = []
        for stmt in body:
            if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and (stmt.module or "").startswith("dlref"):
                targets = sorted((self.map(f"{stmt.module}.{a.name}"), a.asname or a.name) for a in stmt.names)
                for target, local in targets:
                    self.bound[local] = target
                merged = out[-1] if out and isinstance(out[-1], ast.Expr) and getattr(out[-1], "_dlref", False) else None
                names = [t for t, _ in targets]
                if merged is not None:
                    merged.value.value = ",".join(sorted(merged.value.value.split(",") + names))
                else:
                    node = ast.Expr(ast.Constant(",".join(names)))
                    node._dlref = True
                    out.append(node)
                continue
            if isinstance(stmt, ast.Import) and any(a.name.startswith("dlref") for a in stmt.names):
                for a in stmt.names:
                    if a.asname:
                        self.bound[a.asname] = self.map(a.name)
                out.append(ast.Expr(ast.Constant("import " + ",".join(sorted(self.map(a.name) for a in stmt.names)))))
                continue
            out.append(stmt)
        return out

    def generic_visit(self, node):
        for attr in ("body", "orelse", "finalbody"):
            body = getattr(node, attr, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                setattr(node, attr, self._imports(body))
        return super().generic_visit(node)

    def visit_Attribute(self, node):
        dotted = _dotted(node)
        if dotted and dotted.startswith("dlref."):
            return ast.Name(id="@" + self.map(dotted), ctx=node.ctx)
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in self.bound:
            return ast.Name(id="@" + self.bound[node.id], ctx=node.ctx)
        return node


def _dotted(node) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return ""


def _fingerprint(results_module, files: list[Path], module_of: dict[Path, str], map_names) -> str:
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: map_names(module_of[p])):
        # The key's own normalization (input checks, docstrings and annotations out), then canonical names.
        normalized = results_module._normalized_tree(path.read_text(encoding="utf-8"))
        canon = _Canonical(map_names).visit(normalized)
        digest.update(map_names(module_of[path]).encode())
        digest.update(ast.dump(canon, include_attributes=False).encode())
    return digest.hexdigest()


def _resolve(spec: str, layout: str):
    module, _, attr = spec.partition(":")
    if layout == "old":
        module = canonical(module)
    obj = importlib.import_module(module)
    return getattr(obj, attr) if attr else obj


def _record_code(name: str, layout: str):
    fn_spec, cfg_spec, code_spec = RECORDS[name]
    fn = _resolve(fn_spec, layout)
    cfg = _resolve(cfg_spec, layout)
    cfg = cfg() if isinstance(cfg, type) else cfg
    if isinstance(code_spec, str):
        code = _resolve(code_spec, layout)
        code = list(code() if callable(code) else code)
    else:
        code = [_resolve(s, layout) for s in code_spec]
    return fn, cfg, code


def _results_module(layout: str):
    return importlib.import_module("dlref.results" if layout == "old" else "dlref.lab.results")


def _module_names(objects) -> dict[Path, str]:
    out = {}
    for obj in objects:
        module = obj if inspect.ismodule(obj) else inspect.getmodule(obj)
        out[Path(inspect.getsourcefile(obj)).resolve()] = module.__name__
    return out


def snapshot(layout: str, out: Path) -> int:
    import subprocess

    res = _results_module(layout)
    map_names = (lambda n: n) if layout == "old" else canonical
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    snap = {"commit": commit, "records": {}}
    for name in RECORDS:
        fn, cfg, code = _record_code(name, layout)
        record = json.loads((ROOT / "results" / name / "result.json").read_text(encoding="utf-8"))
        key = res._key(res._config_dict(cfg), res.code_hash([fn, *code]))
        modules = _module_names([fn, *code])
        fp = _fingerprint(res, list(modules), modules, map_names)
        snap["records"][name] = {"current": record["key"] == key, "key": record["key"], "fingerprint": fp,
                                 "config": res._config_dict(cfg)}
        print(f"{name:24s} {'current' if record['key'] == key else 'STALE  '} {fp[:12]}")
    out.write_text(json.dumps(snap, indent=1, default=str), encoding="utf-8")
    return 0


def apply(snapshot_file: Path, dry_run: bool) -> int:
    import dlref.lab.results as res
    from dlref.lab import provenance
    from dlref.lab.checkpoint import write_json

    snap = json.loads(snapshot_file.read_text(encoding="utf-8"))
    for name, before in snap["records"].items():
        fn, cfg, code = _record_code(name, "new")
        modules = _module_names([fn, *code])
        fp = _fingerprint(res, list(modules), modules, canonical)
        path = ROOT / "results" / name / "result.json"
        record = json.loads(path.read_text(encoding="utf-8"))
        key = res._key(res._config_dict(cfg), res.code_hash([fn, *code]))
        if record["key"] == key:
            verdict = "current already"
        elif not before["current"] or record["key"] != before["key"]:
            verdict = "left alone: not current before the move"
        elif fp != before["fingerprint"] or json.dumps(res._config_dict(cfg), sort_keys=True, default=str) != \
                json.dumps(before["config"], sort_keys=True, default=str):
            verdict = "left alone: its code changed (re-run it)"
        else:
            verdict = "migrated"
            if not dry_run:
                record["key_migrated"] = {
                    "from_key": record["key"], "from_commit": snap["commit"], "date": provenance.utc_now(),
                    "why": "modules moved into dlref/lab/ and renamed; the code the key covers is otherwise unchanged "
                           "(tools/migrate_result_keys.py)",
                }
                record["key"] = key
                record["digest"] = res._digest(record)
                write_json(path, record)
        print(f"{name:24s} {verdict}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("snapshot")
    s.add_argument("--layout", choices=("old", "new"), required=True)
    s.add_argument("--out", type=Path, required=True)
    a = sub.add_parser("apply")
    a.add_argument("snapshot", type=Path)
    a.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    if args.cmd == "snapshot":
        return snapshot(args.layout, args.out)
    return apply(args.snapshot, args.dry_run)


if __name__ == "__main__":
    raise SystemExit(main())
