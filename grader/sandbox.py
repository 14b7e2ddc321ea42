"""The bubblewrap sandbox in which student code runs: the judge's worker.

Inside, the system and Python are read-only; the student's view of the
course is ``/course``: ``backprop/checks.py`` (the visible tests' helper),
``backprop/datasets.py`` and ``datasets/``, and nothing else of it. The
reference implementation, this package, ``solutions/``, the gradebook, the
course secret and other students' work are not mounted, so no code in the
sandbox can import or read them. There is no network, no environment from
the instructor's shell, an empty ``/tmp``, and a cap on address space.
"""

import os
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import backprop.checks
import backprop.datasets

WORKER = Path(__file__).resolve().parent / "worker.py"
# what of the course a sandbox sees, at /course: the visible helper and the data
STUDENT_FILES = {"/course/backprop/checks.py": Path(backprop.checks.__file__).resolve(),
                 "/course/backprop/datasets.py": Path(backprop.datasets.__file__).resolve(),
                 "/course/datasets": backprop.datasets.DATA_DIR}


class SandboxMissing(RuntimeError):
    pass


def bwrap():
    path = shutil.which("bwrap")
    if path is None:
        raise SandboxMissing("bubblewrap is not installed, and student code is never run unconfined "
                             "(Debian: apt-get install -y bubblewrap)")
    return path


def site_packages():
    """The environment's library folders, where numpy lives."""
    return [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]


class Limits(NamedTuple):
    """What one worker may use; Linux enforces each (prlimit, a sized tmpfs)."""
    memory_mb: int = 4096      # address space
    tmp_mb: int = 64           # the in-memory /tmp, its only writable place
    processes: int = 32        # processes and threads of its user, all together
    cpu_seconds: int = 300     # CPU time
    file_mb: int = 64          # the largest file it may write


def worker_argv(limits=Limits(), uid=None):
    """The judge's worker, ``worker.py`` alone of this package, run with
    ``-I -S`` so that no environment variable or .pth file adds to its path.

    Run as root, bubblewrap mounts what the worker may see, then ``setpriv``
    drops to ``uid`` (by default one per grading process, so that the cap on
    processes of one submission never counts another's), with no
    capabilities and no way to gain any. The environment holds only the
    variables set here.
    """
    targets = [*STUDENT_FILES, "/grader/worker.py"]
    python = sorted(str(p) for p in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
                    if not str(p).startswith(("/usr/", "/etc/")))
    argv = [bwrap(), "--die-with-parent", "--new-session",
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", "/tmp",
            "--proc", "/proc", "--dev", "/dev"]
    for path in ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            argv += ["--ro-bind", path, path]
    # bubblewrap makes the folders above a mount for root alone: open them to the worker's user
    parents = sorted({str(parent) for target in [*targets, *python] for parent in Path(target).parents
                      if str(parent) not in ("/", "/tmp") and not str(parent).startswith("/usr")})
    for parent in parents:
        argv += ["--perms", "0755", "--dir", parent]
    for path in python:
        argv += ["--ro-bind", path, path]
    for target, source in [*STUDENT_FILES.items(), ("/grader/worker.py", WORKER)]:
        argv += ["--ro-bind", str(source), target]
    # the sandbox's own root (where bwrap makes the folders above the binds) is read-only too
    argv += ["--remount-ro", "/", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
             "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp",
             "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1", "--"]
    if os.geteuid() == 0:
        uid = uid or 100000 + os.getpid() % 100000
        argv += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
    argv += ["prlimit", f"--as={limits.memory_mb * 2**20}", f"--nproc={limits.processes}",
             f"--cpu={limits.cpu_seconds}", f"--fsize={limits.file_mb * 2**20}", "--",
             sys.executable, "-I", "-S", "/grader/worker.py", *site_packages()]
    return argv
