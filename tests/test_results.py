"""The results store: hash-keyed reuse, re-run on change, stale results, missing results."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest

from dlref.lab import results


@dataclass(frozen=True)
class Cfg:
    n: int = 3


CALLS: list[int] = []


def experiment(cfg: Cfg, out_dir):
    CALLS.append(cfg.n)
    (out_dir / "curve.txt").write_text("1 2 3")
    return {"sum": sum(range(cfg.n))}


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    CALLS.clear()
    monkeypatch.delenv("DLREF_FRESH", raising=False)
    monkeypatch.setenv("DLREF_DEVICE", "cpu")


def test_runs_once_then_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREF_PROFILE", "full")
    first = results.run_or_load("exp", experiment, Cfg(), root=tmp_path)
    assert first.ran_now and first.metrics == {"sum": 3} and CALLS == [3]
    assert first.path("curve.txt").read_text() == "1 2 3"
    stored = json.loads((tmp_path / "exp" / "result.json").read_text())
    assert stored["provenance"]["profile"] == "full" and stored["config"] == {"n": 3}
    second = results.run_or_load("exp", experiment, Cfg(), root=tmp_path)
    assert not second.ran_now and second.metrics == {"sum": 3} and CALLS == [3]
    assert "loaded from the results store" in second.describe()


@dataclass(frozen=True)
class ThreadedCfg:
    threads: int = 1


def test_provenance_credits_the_experiments_own_thread_count(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREF_PROFILE", "full")
    res = results.run_or_load("threaded", lambda cfg, out: {"ok": 1}, ThreadedCfg(), root=tmp_path)
    assert res.provenance["device"] == "cpu (1 thread)"
    res = results.run_or_load("threaded3", lambda cfg, out: {"ok": 1}, ThreadedCfg(threads=3), root=tmp_path)
    assert res.provenance["device"] == "cpu (3 threads)"


def test_config_change_reruns_when_allowed(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREF_PROFILE", "full")
    results.run_or_load("exp", experiment, Cfg(3), root=tmp_path)
    changed = results.run_or_load("exp", experiment, Cfg(5), root=tmp_path)
    assert changed.ran_now and changed.metrics == {"sum": 10} and CALLS == [3, 5]


def test_quick_profile_shows_stale_result_instead_of_running(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREF_PROFILE", "full")
    results.run_or_load("exp", experiment, Cfg(3), root=tmp_path)
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    stale = results.run_or_load("exp", experiment, Cfg(4), root=tmp_path)
    assert stale.stale and not stale.ran_now and stale.metrics == {"sum": 3} and CALLS == [3]
    assert "STALE" in stale.describe()


def test_fresh_forces_a_rerun(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREF_PROFILE", "full")
    results.run_or_load("exp", experiment, Cfg(), root=tmp_path)
    monkeypatch.setenv("DLREF_FRESH", "1")
    assert results.run_or_load("exp", experiment, Cfg(), root=tmp_path).ran_now
    assert CALLS == [3, 3]


def test_missing_result_that_cannot_run_says_how_to_produce_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    with pytest.raises(results.ResultMissingError, match="DLREF_PROFILE=full"):
        results.run_or_load("exp", experiment, Cfg(), root=tmp_path)
    with pytest.raises(results.ResultMissingError, match="cuda"):
        results.run_or_load("exp", experiment, Cfg(), root=tmp_path, profiles=("quick",), devices=("cuda",))


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match="folder name"):
        results.run_or_load("a/b", experiment, Cfg(), root=tmp_path)
    with pytest.raises(TypeError, match="dataclass"):
        results.run_or_load("exp", experiment, [1, 2], root=tmp_path)


def test_stored_repository_results_are_current():
    """Every result committed under results/ loads without being stale in its own profile."""
    import dlref.lab.experiments.mlp_fashion as mlp_fashion
    from dlref import functional
    from dlref.nn import MLP

    root = results.results_root()
    if not (root / "mlp-fashion-width" / "result.json").exists():
        pytest.skip("no stored mlp-fashion-width result in this checkout")
    import os

    os.environ["DLREF_PROFILE"] = "quick"
    try:
        res = results.run_or_load("mlp-fashion-width", mlp_fashion.run, mlp_fashion.Config(), code=[MLP, functional])
    finally:
        os.environ.pop("DLREF_PROFILE")
    assert not res.stale, "results/mlp-fashion-width is stale: re-run it with DLREF_PROFILE=full"


def _module(tmp_path, name, source):
    import importlib.util
    import sys

    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


EXPERIMENT = '''
def run(cfg, out_dir):
    """Doc."""
    return {"value": cfg["n"] * 2}
'''


def test_docstring_edits_keep_a_result_current_code_edits_do_not(tmp_path, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("DLREF_PROFILE", "full")
    mod = _module(tmp_path, "exp_docs", EXPERIMENT)
    assert results.run_or_load("e", mod.run, {"n": 2}, root=store).ran_now
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    mod = _module(tmp_path, "exp_docs", EXPERIMENT.replace('"""Doc."""', '"""Longer doc.\n\n    More."""  # note'))
    assert not results.run_or_load("e", mod.run, {"n": 2}, root=store).stale
    mod = _module(tmp_path, "exp_docs", EXPERIMENT.replace("* 2", "* 3"))
    assert results.run_or_load("e", mod.run, {"n": 2}, root=store).stale


def test_legacy_record_stays_current_and_is_upgraded_on_request(tmp_path, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("DLREF_PROFILE", "full")
    mod = _module(tmp_path, "exp_legacy", EXPERIMENT)
    results.run_or_load("e", mod.run, {"n": 2}, root=store)
    record_file = store / "e" / "result.json"
    record = json.loads(record_file.read_text())
    assert record["key_scheme"] == results.KEY_SCHEME == "imports-v1"
    # rewrite it as a record from before the AST scheme: raw-bytes key, no key_scheme
    del record["key_scheme"], record["digest"]  # legacy records predate both
    record["key"] = results._key({"n": 2}, results._legacy_code_hash([mod.run]))
    record_file.write_text(json.dumps(record))
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    assert not results.run_or_load("e", mod.run, {"n": 2}, root=store).stale
    assert "key_scheme" not in json.loads(record_file.read_text())  # loading alone writes nothing
    monkeypatch.setenv("DLREF_UPGRADE_KEYS", "1")
    assert not results.run_or_load("e", mod.run, {"n": 2}, root=store).stale
    assert json.loads(record_file.read_text())["key_scheme"] == results.AST_SCHEME  # upgraded as far as it can be
    monkeypatch.delenv("DLREF_UPGRADE_KEYS")
    mod = _module(tmp_path, "exp_legacy", EXPERIMENT.replace('"""Doc."""', '"""Other doc."""'))
    assert not results.run_or_load("e", mod.run, {"n": 2}, root=store).stale  # upgraded: docs no longer count
    # a legacy record whose bytes changed is stale, and is not upgraded
    record["key"] = "0" * 64
    record_file.write_text(json.dumps(record))
    monkeypatch.setenv("DLREF_UPGRADE_KEYS", "1")
    assert results.run_or_load("e", mod.run, {"n": 2}, root=store).stale
    assert "key_scheme" not in json.loads(record_file.read_text())


# --------------------------------------------------------------------------- the key follows imports

HELPER = '''
def scale(x):
    """Doc."""
    return x * 2
'''
USES_HELPER = '''
def run(cfg, out_dir):
    from fakelib import helper  # imported inside the function: found all the same
    return {"value": helper.scale(cfg["n"])}
'''


@pytest.fixture
def fakelib(tmp_path, monkeypatch):
    """A package ``fakelib`` (with ``helper``) that the key follows like dlref."""
    import sys

    pkg = tmp_path / "fakelib"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "helper.py").write_text(HELPER)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(results, "HASHED_PACKAGES", ("dlref", "fakelib"))
    yield pkg
    for name in [m for m in sys.modules if m == "fakelib" or m.startswith("fakelib.")]:
        del sys.modules[name]


def test_the_key_covers_every_module_the_experiment_imports(tmp_path, monkeypatch, fakelib):
    import importlib

    store = tmp_path / "store"
    monkeypatch.setenv("DLREF_PROFILE", "full")
    mod = _module(tmp_path, "exp_imports", USES_HELPER)
    assert results.run_or_load("e", mod.run, {"n": 2}, root=store).metrics == {"value": 4}
    record = json.loads((store / "e" / "result.json").read_text())
    assert record["key_scheme"] == "imports-v1" and record["code_modules"] == ["exp_imports", "fakelib.helper"]
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    (fakelib / "helper.py").write_text(HELPER.replace('"""Doc."""', '"""Another doc."""'))
    assert not results.run_or_load("e", mod.run, {"n": 2}, root=store).stale  # documentation does not count
    (fakelib / "helper.py").write_text(HELPER.replace("* 2", "* 3"))
    importlib.invalidate_caches()
    assert results.run_or_load("e", mod.run, {"n": 2}, root=store).stale  # the imported module's code does


def test_an_older_key_says_what_it_does_not_cover(tmp_path, monkeypatch, fakelib):
    store = tmp_path / "store"
    monkeypatch.setenv("DLREF_PROFILE", "full")
    mod = _module(tmp_path, "exp_older", USES_HELPER)
    results.run_or_load("e", mod.run, {"n": 2}, root=store)
    record_file = store / "e" / "result.json"
    record = json.loads(record_file.read_text())
    # as written before the key followed imports: the experiment's own file only
    record.update(key=results._key({"n": 2}, results.code_hash([mod.run])), key_scheme=results.AST_SCHEME)
    record["digest"] = results._digest(record)
    record_file.write_text(json.dumps(record))
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    res = results.run_or_load("e", mod.run, {"n": 2}, root=store)
    assert not res.stale and res.uncovered == ["fakelib.helper"]
    assert "its key is of the older kind: it covers the experiment's own files, not fakelib/helper.py" in res.describe()


def test_imported_modules_follows_imports_and_leaves_out_what_cannot_change_a_result():
    from dlref.lab.experiments import fashion_fast, overfitting

    names = results.imported_modules([fashion_fast.run])
    assert {"dlref.lab.experiments.fashion_fast", "dlref.lab.experiments.classifiers", "dlref.lab.train",
            "dlref.lab.checkpoint", "dlref.lab.data", "dlref.models", "dlref.conv_arithmetic"} <= set(names)
    assert not set(names) & {"dlref.validate", "dlref.lab.results", "dlref.lab.provenance", "dlref", "dlref.lab"}
    assert "dlref.optim" in results.imported_modules([overfitting.run])  # the older key missed it
    assert results.imported_modules([fashion_fast.run]) == sorted(names)
    with pytest.raises(TypeError, match=r"objects\[0\] must be a function, class or module"):
        results.imported_modules([1])


# --------------------------------------------------------------------------- damage, edits, kills, races


def _stored(tmp_path, monkeypatch, name="exp_damage"):
    store = tmp_path / "store"
    monkeypatch.setenv("DLREF_PROFILE", "full")
    mod = _module(tmp_path, name, EXPERIMENT)
    results.run_or_load("e", mod.run, {"n": 2}, root=store)
    return store, mod, store / "e" / "result.json"


@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],                        # truncated
    lambda text: "",                                            # emptied
    lambda text: "[1, 2]",                                      # not a record
    lambda text: text.replace('"metrics"', '"metricz"'),        # a field lost
])
def test_damaged_record_names_the_file_and_the_fix(tmp_path, monkeypatch, damage):
    store, mod, record_file = _stored(tmp_path, monkeypatch)
    record_file.write_text(damage(record_file.read_text()))
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    with pytest.raises(results.ResultCorruptError, match=r"result\.json .*(git checkout|re-run)"):
        results.run_or_load("e", mod.run, {"n": 2}, root=store)


def test_edited_record_is_detected(tmp_path, monkeypatch):
    store, mod, record_file = _stored(tmp_path, monkeypatch)
    record = json.loads(record_file.read_text())
    first = next(iter(record["metrics"]))
    record["metrics"][first] = "99.9"
    record_file.write_text(json.dumps(record))
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    with pytest.raises(results.ResultCorruptError, match="edited after the experiment wrote it"):
        results.run_or_load("e", mod.run, {"n": 2}, root=store)


def test_kill_between_the_two_renames_loses_nothing(tmp_path, monkeypatch):
    store, mod, record_file = _stored(tmp_path, monkeypatch)
    before = json.loads(record_file.read_text())
    (store / "e").replace(store / ".e-previous")  # the state a SIGKILL after the first rename leaves
    monkeypatch.setenv("DLREF_PROFILE", "quick")
    res = results.run_or_load("e", mod.run, {"n": 2}, root=store)
    assert not res.stale and res.metrics == before["metrics"]


def test_failed_run_removes_its_staging_folder_and_keeps_the_old_result(tmp_path, monkeypatch):
    store, mod, record_file = _stored(tmp_path, monkeypatch)
    before = record_file.read_text()

    def boom(config, out):
        (out / "half.txt").write_text("x")
        raise RuntimeError("killed mid-run")

    monkeypatch.setenv("DLREF_FRESH", "1")
    with pytest.raises(RuntimeError, match="killed mid-run"):
        results.run_or_load("e", boom, {"n": 2}, root=store)
    assert record_file.read_text() == before
    assert [p.name for p in store.iterdir() if p.name.startswith(".e-staging")] == []


def test_concurrent_writers_compute_once(tmp_path, monkeypatch):
    import threading

    store = tmp_path / "store"
    monkeypatch.setenv("DLREF_PROFILE", "full")
    runs = []

    def slow(config, out):
        runs.append(1)
        time.sleep(0.3)
        return {"v": 1.0}

    errors = []

    def writer():
        try:
            results.run_or_load("race", slow, {"n": 1}, root=store)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(runs) == 1
    assert json.loads((store / "race" / "result.json").read_text())["metrics"] == {"v": 1.0}


def test_write_json_never_writes_bare_nan(tmp_path):
    from dlref.lab.checkpoint import write_json

    write_json(tmp_path / "m.json", {"loss": [1.0, float("nan"), float("inf")]})
    text = (tmp_path / "m.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"loss": [1.0, None, None]}
