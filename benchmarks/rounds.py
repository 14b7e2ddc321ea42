"""Timing side by side for the benchmarks: interleaved rounds, ratios taken
within a round, and a description of the machine they were taken on.

Timing A in one block and B in another lets whatever else the machine does
land on one of them only: the same code then reads 0.27 s quiet and 6.61 s
loaded. Run in turn, A, B, A, B, ..., both see much the same load in a round,
so the ratio of their times in one round is what carries over from machine
to machine; its minimum and median over the rounds, and the spread between
them, are what the benchmarks report.
"""

import contextlib
import datetime
import os
import platform
import statistics
import time
from importlib import metadata

import threadpoolctl


def interleaved(contenders, rounds, before=None, warm_up=True):
    """Wall times in seconds of each of ``contenders`` (name -> function of no
    argument), called in turn once per round: ``{name: [t_round1, ...]}``.

    With ``warm_up`` every function runs once untimed first (imports, caches,
    first-touch memory). ``before(name)``, if given, runs untimed before each
    call, for work that must be fresh each time (a new copy of a class to
    grade).
    """
    for name, fn in contenders.items() if warm_up else ():
        if before:
            before(name)
        fn()
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():
            if before:
                before(name)
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return times


def spread(per_round):
    """A figure measured once per round, summarised as min, median and max."""
    return {"min": min(per_round), "median": statistics.median(per_round), "max": max(per_round)}


def ratio(a, b):
    """Per-round ratios of the times a / b (two lists from :func:`interleaved`),
    summarised by :func:`spread`."""
    return spread([x / y for x, y in zip(a, b, strict=True)])


def shown(r, digits=2, unit="x"):
    """A figure from :func:`spread` as text: median, with min and max beside it."""
    return f"{r['median']:.{digits}f}{unit} (min {r['min']:.{digits}f}, max {r['max']:.{digits}f})"


def torch_or_none():
    """PyTorch if it is installed: the course does not depend on it."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@contextlib.contextmanager
def threads(n):
    """Run the block with at most ``n`` threads in every thread pool the process
    has loaded (BLAS, OpenMP, PyTorch's own), or with their defaults for None."""
    torch = torch_or_none()
    before = torch.get_num_threads() if torch else None
    with threadpoolctl.threadpool_limits(limits=n):
        if torch and n:
            torch.set_num_threads(n)
        try:
            yield
        finally:
            if torch:
                torch.set_num_threads(before)


def thread_pools():
    """Each thread pool loaded now: library, its kernel, threads (threadpoolctl)."""
    return [{"library": p.get("internal_api"), "version": p.get("version"),
             "kernel": p.get("architecture") or p.get("threading_layer"), "threads": p["num_threads"],
             "file": os.path.basename(p["filepath"])}
            for p in threadpoolctl.threadpool_info()]


def load():
    """The 1, 5 and 15 minute load averages, or None where the system has none."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine(packages=("numpy",)):
    """Date, CPU, cores, system and package versions: the context a figure needs."""
    versions = {"python": platform.python_version()}
    for name in packages:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu_model(), "cores": os.cpu_count(), "system": f"{platform.system()} {platform.release()}",
            "versions": versions}


def describe(context):
    """The lines printed above a benchmark's figures."""
    versions = ", ".join(f"{k} {v}" for k, v in context["versions"].items())
    return [f"{context['date']}; {context['cpu']}, {context['cores']} cores; {context['system']}",
            f"versions: {versions}"]


def describe_pools(n):
    """One line on the thread pools as they stand under :func:`threads` (n)."""
    pools = "; ".join(f"{p['library']} {p['version'] or ''} ({p['kernel'] or p['file']}) {p['threads']} "
                      f"thread{'s' if p['threads'] != 1 else ''}".replace("  ", " ")
                      for p in thread_pools())
    return f"threads: {'1' if n == 1 else 'default'}: {pools}; load average {load()}"
