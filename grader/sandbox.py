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
    """The environment's library folders (numpy and the kernel live there)."""
    return [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]


def _confine(memory_mb=4096, files=()):
    """bubblewrap's arguments up to the command, and prlimit's cap on memory."""
    argv = [bwrap(), "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"]
    for path in ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            argv += ["--ro-bind", path, path]
    python = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    for path in sorted(p for p in python if not str(p).startswith(("/usr/", "/etc/"))):
        argv += ["--ro-bind", str(path), str(path)]
    for target, source in [*STUDENT_FILES.items(), *files]:
        argv += ["--ro-bind", str(source), target]
    # the sandbox's own root (where bwrap makes the folders above the binds) is read-only too
    argv += ["--remount-ro", "/", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
             "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp",
             "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1"]
    return argv, ["prlimit", f"--as={memory_mb * 2**20}", "--"]


def worker_argv(memory_mb=4096):
    """The judge's worker: ``worker.py`` alone of this package, run with
    ``-I -S`` so that no environment variable or .pth file adds to its path."""
    argv, limits = _confine(memory_mb, [("/grader/worker.py", WORKER)])
    return [*argv, "--", *limits,
            sys.executable, "-I", "-S", "/grader/worker.py", *site_packages()]
