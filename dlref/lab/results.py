"""The results store: heavy experiments run once, stored with provenance, shown by every build.

A page that needs an experiment too heavy for a quick build calls [`run_or_load()`][dlref.lab.results.run_or_load]. The
experiment's identity is a hash of its configuration and of the source code it runs; its
metrics, figures and provenance live in ``results/<name>/``. A build

* loads the stored result when the hash matches (``DLREF_FRESH=1`` forces a re-run),
* re-runs the experiment when the hash changed and the current profile and device allow it,
* otherwise shows the stored result marked *stale* (the code changed since it was produced),
* and raises [`ResultMissingError`][dlref.lab.results.ResultMissingError], saying how to produce it, when nothing is stored.

The page prints [`Result.describe()`][dlref.lab.results.Result.describe] so a reader sees where and when the numbers came from.

The code part of the hash covers every module the experiment runs: its own module, the ``code=``
objects' modules and every dlref module they import, found from their ``import`` statements
([`imported_modules()`][dlref.lab.results.imported_modules]). Each is read as a syntax tree with docstrings and
function-signature annotations removed ([`normalized_source()`][dlref.lab.results.normalized_source]), so editing documentation does
not mark a result stale while any change to what runs does. Records keyed before the key followed
imports (``ast-v1``: the experiment's own files only) stay current while those files are
unchanged, and [`Result.describe()`][dlref.lab.results.Result.describe] says which modules their key does not cover.
Older records keep the hash of the raw file bytes; a build with ``DLREF_UPGRADE_KEYS=1`` moves
each of them whose old key still matches to ``ast-v1``.

Nothing stored is lost or shown wrong: a run writes into a staging folder that is swapped in by
renames only (a kill between them is undone on the next load) and removed when the run fails; one
writer at a time holds a lock, and a waiting writer loads what the first one stored; each record
carries a digest of its contents, so a truncated, incomplete or hand-edited ``result.json`` raises
[`ResultCorruptError`][dlref.lab.results.ResultCorruptError] naming the file and the fix.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import hashlib
import inspect
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType, MethodType, ModuleType
from typing import Any, Callable, Iterable

from dlref import validate


class ResultMissingError(FileNotFoundError):
    """No stored result exists and this profile or device may not produce one."""


class ResultCorruptError(ValueError):
    """A stored ``result.json`` is unreadable, incomplete or was edited after it was written.

    The message names the file and how to get a good copy back (``git checkout``, or a re-run).
    """


@dataclass
class Result:
    """A stored (or freshly produced) experiment result.

    Attributes:
        name: the experiment's name (its folder under the results root).
        metrics: JSON-serialisable metrics the experiment returned.
        provenance: where, when and with what it ran (see [`dlref.lab.provenance`][dlref.lab.provenance]).
        config: the configuration it ran with.
        key: hash of configuration and code.
        directory: the folder holding ``result.json`` and any files the experiment wrote.
        ran_now: produced by this process rather than loaded.
        stale: loaded although the current configuration or code hash differs.
        seconds: wall-clock time the experiment took when it ran.
    """

    name: str
    metrics: dict[str, Any]
    provenance: dict[str, str]
    config: dict[str, Any]
    key: str
    directory: Path
    ran_now: bool = False
    stale: bool = False
    seconds: float = 0.0
    files: list[str] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        validate.instance("name", self.name, str)
        for what in ("metrics", "provenance", "config"):
            validate.instance(what, getattr(self, what), dict)
        validate.instance("key", self.key, str)
        validate.path("directory", self.directory)
        validate.boolean("ran_now", self.ran_now)
        validate.boolean("stale", self.stale)
        validate.real("seconds", self.seconds, low=0.0)
        validate.each("files", self.files, validate.instance, str, min_length=0)
        validate.each("uncovered", self.uncovered, validate.instance, str, min_length=0)

    def describe(self) -> str:
        """One line saying where, when and how this result was produced."""
        p = self.provenance
        how = "ran during this build" if self.ran_now else "loaded from the results store"
        line = (
            f"[{self.name}: {how}; produced {p['date']} on {p['device']}, profile {p['profile']}, "
            f"torch {p['torch']}, commit {p['commit']}, {self.seconds:.1f} s, config+code hash {self.key[:12]}]"
        )
        if self.uncovered and not self.stale:
            shown = ", ".join(m.replace(".", "/") + ".py" for m in self.uncovered[:6])
            more = f" and {len(self.uncovered) - 6} more" if len(self.uncovered) > 6 else ""
            line += (f"\n[its key is of the older kind: it covers the experiment's own files, not {shown}{more}, which the "
                     "experiment also runs; a re-run gives it a key that covers them]")
        if self.stale:
            line += "\n[STALE: the experiment's code or configuration changed since; re-run it with a profile that allows it]"
        return line

    def path(self, filename: str) -> Path:
        """Path of a file the experiment wrote (e.g. a figure)."""
        validate.instance("filename", filename, str)
        if filename not in self.files:
            raise FileNotFoundError(f"{self.name} stored no file {filename!r}; it has {self.files}")
        return self.directory / filename


def results_root() -> Path:
    """``$DLREF_RESULTS``, else the ``results/`` folder of the checkout dlref was installed from.

    Falls back to ``~/.cache/dlref/results`` for a non-editable install.
    """
    env = os.environ.get("DLREF_RESULTS")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[2]  # dlref/lab/results.py → the checkout
    if (checkout / "mkdocs.yml").exists():
        return checkout / "results"
    return Path.home() / ".cache" / "dlref" / "results"


def bundled_root() -> Path | None:
    """The results that ship inside the installed package (``dlref._stored_results``), or ``None``.

    A wheel carries the repository's ``results/`` there, read-only: when the results root has no
    record of an experiment, [`run_or_load()`][dlref.lab.results.run_or_load] loads this copy, so a
    page's snippet shows the stored numbers after a plain ``pip install dlref``. New runs are
    written to [`results_root()`][dlref.lab.results.results_root], never into the installed package.

    Examples:
        >>> bundled_root() is None or bundled_root().is_dir()
        True
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec("dlref._stored_results")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return Path(locations[0]) if locations else None


#: What ``code_hash`` can find the source of.
_CODE_TYPES = (FunctionType, MethodType, type, ModuleType)

_AST_LOCK = threading.Lock()

#: The key scheme of new records: the syntax trees of every module the experiment imports.
KEY_SCHEME = "imports-v1"
#: The scheme before it: the syntax trees of the experiment's own file and its ``code=`` objects only.
AST_SCHEME = "ast-v1"
#: Packages whose modules the key follows through imports.
HASHED_PACKAGES = ("dlref",)
#: Modules that cannot change what an experiment computes, left out of the key: input checks
#: (they raise or return their argument), the store itself, and provenance (what it records).
NOT_HASHED = ("dlref.validate", "dlref.lab.results", "dlref.lab.provenance")


def _source_paths(objects: Iterable[Callable | ModuleType]) -> list[str]:
    paths = sorted({inspect.getsourcefile(obj) or "" for obj in objects})
    if "" in paths:
        raise ValueError("cannot hash code without a source file (define experiments in a module)")
    return paths


def normalized_source(source: str) -> str:
    r"""The syntax tree of ``source`` without docstrings or function-signature annotations, as text.

    Comments, formatting, docstrings (of the module, classes and functions), the annotations of
    function parameters and return values, and input checks (statements that only call a
    [`dlref.validate`][dlref.validate] helper, see `_strip_validation()`) do not change it; any other edit
    does. Class-level annotations stay: they define dataclass fields.

    Examples:
        >>> a = normalized_source('def f(x: int) -> int:\n    "Doc."\n    return x + 1  # one\n')
        >>> a == normalized_source("def f(x):\n    return x + 1\n")
        True
        >>> a == normalized_source("def f(x):\n    return x + 2\n")
        False
    """
    validate.instance("source", source, str)
    with _AST_LOCK:  # CPython 3.11's AST constructor is not safe across threads (a SystemError)
        return _normalized(source)


def _normalized(source: str) -> str:
    return ast.dump(_normalized_tree(source), include_attributes=False)


def _normalized_tree(source: str) -> ast.Module:
    """``source`` parsed, without input checks, docstrings or function-signature annotations."""
    tree = ast.parse(source)
    _strip_validation(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.returns = None
            args = node.args
            for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
                if arg is not None:
                    arg.annotation = None
    return tree


def _is_validation(stmt: ast.stmt) -> bool:
    """A statement that only checks input: ``validate.<check>(...)`` or the import of [`dlref.validate`][dlref.validate]."""
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        func = stmt.value.func
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "validate"
    if isinstance(stmt, ast.ImportFrom):
        return stmt.module in ("dlref", None) and [a.name for a in stmt.names] == ["validate"] and not stmt.names[0].asname
    return False


def _strip_validation(tree: ast.AST) -> None:
    """Drop input checks, and ``__post_init__`` methods that only checked input, from ``tree``.

    A [`dlref.validate`][dlref.validate] helper either raises or returns its argument unchanged, so adding a
    check never changes what a stored result computed for the inputs it accepted.
    """
    for node in ast.walk(tree):
        for attr in ("body", "orelse", "finalbody"):
            body = getattr(node, attr, None)
            if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
                continue
            kept = [s for s in body if not _is_validation(s)]
            kept = [s for s in kept if not (isinstance(s, ast.FunctionDef) and s.name == "__post_init__"
                                            and all(_is_validation(b) or _is_docstring(b) for b in s.body))]
            if len(kept) != len(body):
                setattr(node, attr, kept or [ast.Pass()])


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _files_hash(objects: Iterable[Callable | ModuleType], content: Callable[[Path], bytes]) -> str:
    digest = hashlib.sha256()
    for path in map(Path, _source_paths(objects)):
        digest.update(path.name.encode())
        digest.update(content(path))
    return digest.hexdigest()


def code_hash(objects: Iterable[Callable | ModuleType]) -> str:
    """SHA-256 over the source files that define ``objects`` (whole files, so helpers count too).

    Each file contributes its name and [`normalized_source()`][dlref.lab.results.normalized_source].
    """
    validate.iterable("objects", objects, "an iterable of functions, classes or modules")
    objects = list(objects)
    for i, obj in enumerate(objects):
        validate.instance(f"objects[{i}]", obj, _CODE_TYPES, what="a function, class or module")
    return _files_hash(objects, lambda path: _normalized_file(str(path)).encode())


def imported_modules(objects: Iterable[Callable | ModuleType]) -> list[str]:
    """The modules an experiment runs: those defining ``objects`` and every module of `HASHED_PACKAGES`
    they import, directly or through each other, at module level or inside functions (sorted).

    Found from the source (its ``import`` statements), not from what happens to be loaded, and
    without the modules of `NOT_HASHED`. Packages' ``__init__`` files are followed (their imports
    count) but not listed: they re-export names and import lazily (and hold the version number).

    Examples:
        >>> from dlref.lab.experiments import fashion_fast
        >>> names = imported_modules([fashion_fast.run])
        >>> "dlref.lab.train" in names and "dlref.lab.checkpoint" in names and "dlref.validate" not in names
        True
    """
    return list(_closure(objects))


def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# Closures and normalized sources already computed in this process, checked against the files'
# contents on every use (a build asks for the same experiments' keys again and again).
_CLOSURES: dict[tuple, tuple[dict[str, str], dict[str, str]]] = {}
_NORMALIZED: dict[tuple[str, str], str] = {}


def _normalized_file(path: str) -> str:
    """[`normalized_source()`][dlref.lab.results.normalized_source] of a file, computed once per content."""
    text = Path(path).read_text(encoding="utf-8")
    stamp = (path, hashlib.sha256(text.encode()).hexdigest())
    if stamp not in _NORMALIZED:
        _NORMALIZED[stamp] = normalized_source(text)
    return _NORMALIZED[stamp]


def _closure(objects: Iterable[Callable | ModuleType]) -> dict[str, str]:
    """``{module name: source file}`` of [`imported_modules()`][dlref.lab.results.imported_modules], sorted by name."""
    validate.iterable("objects", objects, "an iterable of functions, classes or modules")
    objects = list(objects)
    for i, obj in enumerate(objects):
        validate.instance(f"objects[{i}]", obj, _CODE_TYPES, what="a function, class or module")
    try:
        start = tuple(sorted((obj.__name__ if isinstance(obj, ModuleType) else obj.__module__,
                              inspect.getsourcefile(obj) or "") for obj in objects))
    except TypeError:
        start = None  # no source file: the computation below says so
    cached = _CLOSURES.get(start) if start is not None else None
    if cached is not None:
        result, digests = cached
        try:
            if all(_file_digest(path) == digest for path, digest in digests.items()):
                return dict(result)
        except OSError:
            pass
    result, read = _compute_closure(objects)
    if start is not None:
        _CLOSURES[start] = (dict(result), {path: _file_digest(path) for path in read})
    return result


def _compute_closure(objects: Iterable[Callable | ModuleType]) -> tuple[dict[str, str], list[str]]:
    import importlib.util

    validate.iterable("objects", objects, "an iterable of functions, classes or modules")
    objects = list(objects)
    for i, obj in enumerate(objects):
        validate.instance(f"objects[{i}]", obj, _CODE_TYPES, what="a function, class or module")
    # The objects' own files, found as inspect finds them (a script's __main__ has no import spec).
    origins = {}
    for obj in objects:
        name = obj.__name__ if isinstance(obj, ModuleType) else obj.__module__
        origins[name] = inspect.getsourcefile(obj) or ""
        if not origins[name]:
            raise ValueError(f"cannot hash code without a source file: {name!r} (define experiments in a module)")
    seen: dict[str, str] = {}  # module name -> source file
    packages: set[str] = set()  # followed, not hashed: an __init__ re-exports and imports lazily
    queue = list(origins)
    while queue:
        name = queue.pop()
        if name in seen or name in NOT_HASHED:
            continue
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError, AttributeError):
            spec = None
        origin = origins.get(name) or (spec.origin if spec is not None else None)
        if not origin or not origin.endswith(".py"):
            continue
        spec_is_package = bool(spec is not None and spec.submodule_search_locations)
        seen[name] = origin
        if spec_is_package:
            packages.add(name)
        with _AST_LOCK:
            tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
        package = name if spec_is_package else name.rpartition(".")[0]
        for node in ast.walk(tree):
            found = []
            if isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the package of this module
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                found = [base] + [f"{base}.{a.name}" for a in node.names]
            for candidate in found:
                if candidate.split(".")[0] in HASHED_PACKAGES and candidate not in seen:
                    queue.append(candidate)
    return {name: seen[name] for name in sorted(set(seen) - packages)}, list(seen.values())


def import_closure_hash(objects: Iterable[Callable | ModuleType]) -> str:
    """SHA-256 over every module [`imported_modules()`][dlref.lab.results.imported_modules] finds: each one's name and
    [`normalized_source()`][dlref.lab.results.normalized_source]. An edit to anything an experiment runs changes it."""
    digest = hashlib.sha256()
    for name, origin in _closure(objects).items():
        digest.update(name.encode())
        digest.update(_normalized_file(origin).encode())
    return digest.hexdigest()


def _legacy_code_hash(objects: Iterable[Callable | ModuleType]) -> str:
    """The hash of records without ``key_scheme``: the raw bytes of the same files."""
    return _files_hash(objects, Path.read_bytes)


def _key(cfg: dict, code_digest: str) -> str:
    return hashlib.sha256(json.dumps(cfg, sort_keys=True, default=str).encode() + code_digest.encode()).hexdigest()


def _is_current(stored: dict, key: str, ast_key: Callable[[], str], legacy_key: Callable[[], str]) -> bool:
    scheme = stored.get("key_scheme")
    if scheme == KEY_SCHEME:
        return stored["key"] == key
    if scheme == AST_SCHEME:  # current under its own, narrower key; shown with what that key misses
        return stored["key"] == ast_key()
    return scheme is None and stored["key"] == legacy_key()


def _config_dict(config: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(config) and not isinstance(config, type):
        return dataclasses.asdict(config)
    if isinstance(config, dict):
        return dict(config)
    raise TypeError(f"config must be a dataclass instance or a dict; got {type(config).__name__}")


def run_or_load(
    name: str,
    fn: Callable[[Any, Path], dict[str, Any]],
    config: Any,
    *,
    profiles: tuple[str, ...] = ("full",),
    devices: tuple[str, ...] = ("cpu", "cuda", "mps"),
    code: Iterable[Callable | ModuleType] = (),
    root: Path | None = None,
) -> Result:
    """Load an experiment's stored result, or run it when allowed and store it.

    Args:
        name: folder name under the results root, e.g. ``"mlp-fashion-width"``.
        fn: ``fn(config, out_dir) -> metrics``; may write files (figures, curves) into ``out_dir``.
        config: a dataclass (or dict) with everything that determines the result.
        profiles: profiles in which this experiment may run (a quick build never runs a
            ``("full",)`` experiment; it shows the stored one).
        devices: device types on which it may run.
        code: extra functions or modules whose source is part of the hash (``fn``'s module always is).
        root: results root (default [`results_root()`][dlref.lab.results.results_root]).

    Returns:
        The [`Result`][dlref.lab.results.Result].

    Raises:
        ValueError: ``name`` is not a simple folder name.
        ResultMissingError: nothing is stored and the experiment may not run here.
    """
    import dlref
    from dlref.lab import provenance
    from dlref.lab.checkpoint import write_json

    from dlref.lab.profile import PROFILES

    validate.instance("name", name, str)
    validate.each("profiles", profiles, validate.choice, PROFILES)
    validate.each("devices", devices, validate.choice, ("cpu", "cuda", "mps"))
    validate.iterable("code", code, "an iterable of functions, classes or modules")
    code = list(code)  # used twice below (a generator would be empty the second time)
    for i, obj in enumerate(code):
        validate.instance(f"code[{i}]", obj, _CODE_TYPES, what="a function, class or module")
    validate.path("root", root, optional=True)
    root = None if root is None else Path(root)
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"name must be a simple folder name; got {name!r}")
    if not callable(fn):
        raise TypeError(f"fn must be a function fn(config, out_dir) -> dict; got {type(fn).__name__}")
    cfg = _config_dict(config)
    key = _key(cfg, import_closure_hash([fn, *code]))
    directory = (root or results_root()) / name
    stored_file = directory / "result.json"
    _recover_swap(directory)
    stored = _read_record(stored_file, name)
    shown = directory  # where the record shown comes from: the results root, or the package's copy
    bundled = bundled_root() if root is None and stored is None else None
    if bundled is not None and (bundled / name / "result.json").is_file():
        shown = bundled / name
        stored = _read_record(shown / "result.json", name)
    fresh = os.environ.get("DLREF_FRESH", "") not in ("", "0")
    allowed = dlref.profile() in profiles and dlref.device().type in devices

    def current(record: dict | None) -> bool:
        return bool(record) and _is_current(record, key, lambda: _key(cfg, code_hash([fn, *code])),
                                            lambda: _key(cfg, _legacy_code_hash([fn, *code])))

    if current(stored) and not (fresh and allowed):
        if stored.get("key_scheme") is None and os.environ.get("DLREF_UPGRADE_KEYS", "") not in ("", "0"):
            stored.update(key=_key(cfg, code_hash([fn, *code])), key_scheme=AST_SCHEME)
            stored["digest"] = _digest(stored)
            write_json(shown / "result.json", stored)
        return _from_record(name, shown, stored, stale=False, uncovered=_uncovered(stored, fn, code))
    if not allowed:
        if stored:
            return _from_record(name, shown, stored, stale=True)
        raise ResultMissingError(
            f"no stored result for {name!r} under {directory}, and it runs only with profile in {profiles} "
            f"on {devices} (now: profile {dlref.profile()!r}, device {dlref.device().type!r}); "
            f"produce it with DLREF_PROFILE={profiles[0]}"
        )

    directory.parent.mkdir(parents=True, exist_ok=True)
    with _writer_lock(directory):
        # Another process may have stored this very result while we waited for the lock.
        _recover_swap(directory)
        stored = _read_record(stored_file, name)
        if current(stored) and not fresh:
            return _from_record(name, directory, stored, stale=False, uncovered=_uncovered(stored, fn, code))
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-staging-", dir=directory.parent))
        try:
            record_provenance = _provenance(cfg)  # taken as the run begins: the commit checked out then
            start = time.perf_counter()
            metrics = fn(config, staging)
            seconds = time.perf_counter() - start
            if not isinstance(metrics, dict):
                raise TypeError(f"{name}: the experiment must return a dict of metrics; got {type(metrics).__name__}")
            record = {
                "name": name, "key": key, "key_scheme": KEY_SCHEME, "code_modules": imported_modules([fn, *code]),
                "config": cfg, "metrics": metrics,
                "seconds": seconds, "provenance": {**record_provenance, "date": provenance.utc_now()},
                "files": sorted(p.name for p in staging.iterdir()),
            }
            record = json.loads(json.dumps(record, default=str))  # as it will read back
            record["digest"] = _digest(record)
            write_json(staging / "result.json", record)
            _swap_in(staging, directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return _from_record(name, directory, _read_record(stored_file, name), stale=False, ran_now=True)


def _digest(record: dict) -> str:
    """SHA-256 of a record's contents (without the digest itself): an edited record no longer matches."""
    body = {k: v for k, v in record.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str, allow_nan=False).encode()).hexdigest()


def _read_record(path: Path, name: str) -> dict | None:
    """The stored record at ``path`` (``None`` when there is none), checked for damage and edits."""
    if not path.exists():
        return None
    fix = (f"restore it with `git checkout -- {path.parent}` if it is tracked, or delete {path.parent} and "
           f"re-run the experiment (DLREF_PROFILE=full make docs)")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultCorruptError(f"{path} is not valid JSON ({exc}); {fix}") from None
    required = {"name": str, "key": str, "config": dict, "metrics": dict, "provenance": dict}
    problems = [k for k, t in required.items() if not isinstance(record, dict) or not isinstance(record.get(k), t)]
    if problems:
        raise ResultCorruptError(f"{path} lacks valid fields {', '.join(problems)}; {fix}")
    if record["name"] != name:
        raise ResultCorruptError(f"{path} holds the result {record['name']!r}, not {name!r}; {fix}")
    if "digest" in record and record["digest"] != _digest(record):
        raise ResultCorruptError(f"{path} was edited after the experiment wrote it (its digest no longer matches); {fix}")
    return record


@contextlib.contextmanager
def _writer_lock(directory: Path):
    """One writer per result at a time (an advisory ``flock`` beside the folder; none where unsupported)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(directory.parent / f".{directory.name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _swap_in(staging: Path, directory: Path) -> None:
    """Replace ``directory`` by ``staging`` with renames only, so no moment leaves neither behind.

    The old folder is renamed aside first; a process killed between the two renames leaves it
    there, and [`_recover_swap()`][dlref.lab.results._recover_swap] puts it back on the next load.
    """
    old = directory.parent / f".{directory.name}-previous"
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        directory.replace(old)
    staging.replace(directory)
    shutil.rmtree(old, ignore_errors=True)


def _recover_swap(directory: Path) -> None:
    """Undo a swap that was interrupted after the old result was renamed aside."""
    old = directory.parent / f".{directory.name}-previous"
    if old.is_dir() and not directory.exists():
        old.replace(directory)


def _provenance(cfg: dict) -> dict:
    """The provenance record; a CPU experiment that fixes its own thread count (a ``threads`` or
    ``cpu_threads`` config field) is credited with that count rather than the process default."""
    from dlref.lab import provenance

    record = provenance.collect()
    threads = cfg.get("threads", cfg.get("cpu_threads"))
    if isinstance(threads, int) and not isinstance(threads, bool) and record["device"].startswith("cpu"):
        record["device"] = f"cpu ({threads} thread{'' if threads == 1 else 's'})"
    return record


def _uncovered(record: dict, fn: Callable, code: list) -> list[str]:
    """The modules an experiment runs that the key of an older record does not cover."""
    if record.get("key_scheme") == KEY_SCHEME:
        return []
    own = {obj.__name__ if isinstance(obj, ModuleType) else obj.__module__ for obj in [fn, *code]}
    return [m for m in imported_modules([fn, *code]) if m not in own]


def _from_record(name: str, directory: Path, record: dict, *, stale: bool, ran_now: bool = False,
                 uncovered: list[str] = ()) -> Result:
    return Result(
        name=name, metrics=record["metrics"], provenance=record["provenance"], config=record["config"],
        key=record["key"], directory=directory, ran_now=ran_now, stale=stale,
        seconds=record.get("seconds", 0.0), files=record.get("files", []), uncovered=list(uncovered),
    )
