"""Run the site's notebooks in worker processes while the main build renders the other pages.

mkdocs-jupyter executes each notebook when MkDocs renders its page, one after another, in the
build's own process: in a fresh build the four notebooks alone took about 49 s of the 80 s spent
executing. The dlref plugin instead hands every notebook that is not cached to a small process
pool as soon as it knows the pages (``on_nav``). A worker executes and renders the notebook exactly
as mkdocs-jupyter would (`mkdocs_jupyter.convert.nb2html` with the plugin's own options, the same
table of contents) and writes mkdocs-jupyter's own cache entry, so that when MkDocs reaches the
page, mkdocs-jupyter serves it from its cache and nothing renders twice.

**One kernel per worker, reset between notebooks.** Starting a Jupyter kernel and importing torch,
its compiler front end (the first ``torch.optim`` optimizer imports it) and matplotlib cost about
5 CPU-seconds per notebook, more than some notebooks compute. A worker therefore starts one kernel
and runs its notebooks in it one after another. Before each notebook the kernel is put back into
the state a new kernel would have: the user namespace is cleared and the session restarts (its
input history, from which checks take their cell numbers, and its prompt count from 1), and what notebooks may change in-process is restored from a snapshot taken
when the kernel started: the working directory, environment, ``sys.path``, warning filters,
torch's RNG state, default dtype, grad mode,
thread count, print options and deterministic-algorithms flag, NumPy's print options and
matplotlib's rcParams (figures are closed). Modules stay imported, which is the point; a notebook
that uses a name it did not import fails exactly as in a new kernel. Each notebook's check log
(``DLREF_CHECK_LOG``) is set in the kernel before it runs, so its checks are its own.

**Slow Markdown blocks run there too.** A block listed in the plugin's ``prefetch`` setting (the
torchrun page's block spends most of its 11 s starting processes) runs in the same kernel, reset
the same way, through [`run_block`][dlref._site.notebooks.run_block]: its code in a module of its
own, with ``__file__`` set to the snippet, stdout captured, checks recorded and figures captured,
exactly as the build's own process runs a block. The build then renders the page from that
result instead of executing the block itself.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from pathlib import Path
from typing import Any

from dlref._site.files import write_atomic

# mkdocs-jupyter's options that reach `nb2html` (the rest are not rendering options).
NB2HTML_OPTIONS = (
    "kernel_name", "theme", "allow_errors", "show_input", "no_input", "no_prompt", "remove_tag_config",
    "highlight_extra_classes", "include_requirejs", "custom_mathjax_url",
)

# Run in the kernel once, when it starts: the state every notebook must begin from.
_SNAPSHOT = r'''
def _dlref_snapshot():
    import os, sys, types, warnings
    import matplotlib, numpy, torch

    state = types.ModuleType("_dlref_kernel_state")
    state.cwd, state.environ, state.path = os.getcwd(), dict(os.environ), list(sys.path)
    state.filters = list(warnings.filters)
    state.rng, state.threads = torch.get_rng_state(), torch.get_num_threads()
    state.deterministic = (torch.are_deterministic_algorithms_enabled(),
                           torch.is_deterministic_algorithms_warn_only_enabled())
    state.numpy_print = numpy.get_printoptions()
    state.rc = dict(matplotlib.rcParams.copy())

    def restore(check_log):
        import matplotlib.pyplot as plt
        plt.close("all")
        dict.update(matplotlib.rcParams, state.rc)
        os.chdir(state.cwd)
        os.environ.clear()
        os.environ.update(state.environ, DLREF_CHECK_LOG=check_log)
        sys.path[:] = state.path
        warnings.resetwarnings()
        warnings.filters[:] = state.filters
        torch.set_rng_state(state.rng)
        torch.set_default_dtype(torch.float32)
        torch.set_grad_enabled(True)
        torch.set_num_threads(state.threads)
        torch.set_printoptions(profile="default", sci_mode=None)
        deterministic = (torch.are_deterministic_algorithms_enabled(),
                         torch.is_deterministic_algorithms_warn_only_enabled())
        if deterministic != state.deterministic:  # the setter imports torch's compiler config (seconds)
            torch.use_deterministic_algorithms(state.deterministic[0], warn_only=state.deterministic[1])
        numpy.set_printoptions(**state.numpy_print)

    state.restore = restore
    sys.modules[state.__name__] = state

_dlref_snapshot()
del _dlref_snapshot
'''

# Run before each notebook (``{check_log}`` filled in): a new kernel's state, this notebook's log.
_RESET = r'''
get_ipython().reset(new_session=True)  # user namespace, input history (cell numbers) and prompt count
__import__("gc").collect()
__import__("sys").modules["_dlref_kernel_state"].restore({check_log!r})
'''

# Run a Markdown block (``{code}``, ``{file}``, ``{out}`` filled in) as the build's Executor would,
# and write what it printed, its checks and its figures to ``out`` as JSON.
_BLOCK = r'''
def _dlref_block(code, file, out):
    import contextlib, io, json, sys, time, traceback, types
    from dataclasses import asdict
    from dlref import check
    from dlref.lab import figures

    module = types.ModuleType("_dlref_block")
    sys.modules[module.__name__] = module  # dataclasses and pickle look the module up
    module.__file__ = file
    buffer, result = io.StringIO(), dict()
    start = time.perf_counter()
    with check.recording() as checks, figures.capturing() as figs:
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, file, "exec"), module.__dict__)
        except BaseException as error:
            result["error"] = "".join(traceback.format_exception(error))
        finally:
            sys.modules.pop(module.__name__, None)
    result.update(stdout=buffer.getvalue(), seconds=time.perf_counter() - start,
                  checks=[asdict(c) for c in checks], figures=[asdict(f) for f in figs])
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(result, fh)

_dlref_block({code!r}, {file!r}, {out!r})
'''

_kernel: Any = None  # this worker process's kernel manager, started by the first notebook


def render_options(jupyter_config: Any) -> dict[str, Any]:
    """The options of mkdocs-jupyter's config that decide how it renders a notebook."""
    options = {key: jupyter_config[key] for key in NB2HTML_OPTIONS}
    options["toc_depth"] = jupyter_config["toc_depth"]
    return options


def _run_in_kernel(km: Any, code: str, what: str, timeout: float | None = 120) -> None:
    """Execute ``code`` in the kernel without output or history; raise if it fails."""
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        reply = kc.execute_interactive(code, store_history=False, timeout=timeout, output_hook=lambda msg: None)
    finally:
        kc.stop_channels()
    content = reply["content"]
    if content.get("status") != "ok":
        raise RuntimeError(f"{what} failed in the notebook kernel: {content.get('ename')}: {content.get('evalue')}")


def _shared_kernel(kernel_name: str) -> Any:
    """This worker's kernel: started (and its starting state recorded) on first use."""
    global _kernel
    if _kernel is None or not _kernel.is_alive():
        from multiprocessing import util

        from jupyter_client.manager import KernelManager

        km = KernelManager(kernel_name=kernel_name or "python3")
        km.start_kernel()
        # Pool workers leave through os._exit, past atexit: a finalizer shuts the kernel down.
        util.Finalize(km, km.shutdown_kernel, kwargs={"now": True}, exitpriority=10)
        _run_in_kernel(km, _SNAPSHOT, "recording the kernel's starting state")
        _kernel = km
    return _kernel


def _executing_in(kernel: Any):
    """Make nbconvert's ExecutePreprocessor (which nb2html runs) use ``kernel`` instead of a new one."""
    import contextlib

    from nbconvert.preprocessors import ExecutePreprocessor

    original = ExecutePreprocessor.preprocess

    def preprocess(self: Any, nb: Any, resources: Any = None, km: Any = None) -> Any:
        try:
            return original(self, nb, resources, km=kernel)
        finally:  # the kernel stays up (nbclient does not own it); its client's sockets close
            if self.kc is not None:
                self.kc.stop_channels()
                self.kc = None

    @contextlib.contextmanager
    def patched():
        ExecutePreprocessor.preprocess = preprocess
        try:
            yield
        finally:
            ExecutePreprocessor.preprocess = original

    return patched()


def run_notebook(
    path: str, execute: bool, options: dict[str, Any], cache_path: str, check_log: str, threads: int = 0,
    shared_kernel: bool = True,
) -> dict[str, Any]:
    """Execute and render one notebook; write mkdocs-jupyter's cache entry for it.

    Runs in a worker process; ``threads`` (if not 0) caps the kernel's CPU threads. With
    ``shared_kernel`` the notebook runs in this worker's one kernel, reset to a new kernel's state
    first (see the module's description); without it, nbconvert starts a kernel for it alone.
    Returns ``{"checks": [...], "seconds": s}`` on success and ``{"error": text}`` when a cell
    fails (the exception itself may not survive pickling), so the build fails with the notebook's
    own message.
    """
    import contextlib

    from mkdocs_jupyter import convert
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens

    os.environ["DLREF_CHECK_LOG"] = check_log  # a kernel started below inherits it
    if threads:
        # The kernel shares the CPUs with the main build and the other workers: more threads per
        # process than its share only makes them wait on each other.
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    Path(check_log).unlink(missing_ok=True)
    options = dict(options)
    toc_depth = options.pop("toc_depth")
    start = time.perf_counter()
    try:
        executing: Any = contextlib.nullcontext()
        if execute and shared_kernel:
            km = _shared_kernel(options["kernel_name"])
            _run_in_kernel(km, _RESET.format(check_log=check_log), "resetting the kernel")
            executing = _executing_in(km)
        with executing:
            body = convert.nb2html(path, execute=execute, **options)
        toc_tokens, title = _get_nb_toc_tokens(path, toc_depth)
    except Exception as exc:  # noqa: BLE001 - reported to the build, which fails
        _drop_kernel()  # a notebook that failed may have left its kernel in any state
        return {"error": f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"}
    seconds = time.perf_counter() - start
    write_atomic(Path(cache_path), json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}))
    log = Path(check_log)
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return {"checks": [json.loads(line) for line in lines if line.strip()], "seconds": seconds}


def run_block(code: str, file: str, out: str, kernel_name: str = "", threads: int = 0) -> dict[str, Any]:
    """Run one Markdown block's code in this worker's kernel, reset first; return what it made.

    Returns ``{"stdout", "seconds", "checks", "figures"}`` (figures as ``CapturedFigure`` fields),
    plus ``"error"`` (the traceback) when the block raised: the build then runs the block itself,
    so a failure is reported exactly as for any other block.
    """
    if threads:
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)
    km = _shared_kernel(kernel_name)
    _run_in_kernel(km, _RESET.format(check_log=""), "resetting the kernel")
    Path(out).unlink(missing_ok=True)
    try:
        _run_in_kernel(km, _BLOCK.format(code=code, file=file, out=out), f"the block from {file}", timeout=None)
        return json.loads(Path(out).read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - the build runs the block itself and reports it
        _drop_kernel()
        return {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        Path(out).unlink(missing_ok=True)


def _drop_kernel() -> None:
    global _kernel
    if _kernel is not None:
        try:
            _kernel.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
        _kernel = None
