"""The bubblewrap sandbox in which student code runs: the judge's worker.

Inside, the system and Python are read-only; the student's view of the
course is ``/course``: the ``coursework`` package a student receives
(``coursework.files()``, the same files the in-browser drive holds), with
its ``earlier.py`` replaced by the course's own functions of earlier
chapters that the exercise imports (``given_source``), nothing else of
``backprop``. The rest of the reference implementation, this package,
``solutions/``, the data sets, the gradebook, the course secret and other
students' work are not mounted, so no code in the sandbox can import or
read them. There is no network, no environment from
the instructor's shell, an empty ``/tmp``, and a cap on address space.
"""

import ast
import os
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

import backprop.network
import coursework

WORKER = Path(__file__).resolve().parent / "worker.py"
# what of the course a sandbox sees, at /course: what a student receives, no more
STUDENT_FILES = {f"/course/{name}": path for name, path in coursework.files().items()}
GIVEN_MODULE = "/course/coursework/earlier.py"


def given_source(names, graded):
    """``backprop/network.py`` cut down to the functions ``names`` (and those
    they call): what an exercise imports from earlier chapters
    (``coursework.earlier``), and all a sandbox gets of the reference.
    Refuses to give a function in ``graded``."""
    source = Path(backprop.network.__file__).read_text()
    tree = ast.parse(source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    kept, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in kept:
            kept.add(name)
            todo += [node.id for node in ast.walk(functions[name])
                     if isinstance(node, ast.Name) and node.id in functions]
    if kept & set(graded):
        raise ValueError(f"the exercise grades {sorted(kept & set(graded))}: not given to its sandbox")
    lines = source.splitlines(keepends=True)
    parts = ["".join(lines[node.lineno - 1:node.end_lineno]) for node in tree.body
             if not isinstance(node, ast.FunctionDef) or node.name in kept]
    return "\n\n".join(parts) + "\n"


def given_file(folder, assignment, names, graded):
    """A file of ``given_source`` for ``assignment``'s sandbox, in ``folder``
    (made when missing; the caller removes it), or None when the exercise
    imports nothing from backprop.network."""
    if not names:
        return None
    path = Path(folder) / f"{assignment}.py"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(given_source(names, graded))
        path.chmod(0o644)  # read by the sandbox's unprivileged user
    return path


# the sandboxes' users: above the ids of a system's own users and groups (useradd's default
# range ends at 60000), below the largest id Linux allows (2**32 - 2) for any pid (at most 2**22)
UID_BASE = 2**20


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


def worker_argv(limits=Limits(), uid=None, given=None):
    """The judge's worker, ``worker.py`` alone of this package, run with
    ``-I -S`` so that no environment variable or .pth file adds to its path.

    Run as root, bubblewrap mounts what the worker may see, then ``setpriv``
    drops to ``uid`` (by default ``UID_BASE`` plus the grading process's pid,
    which no other running process shares, so that the cap on processes of one
    submission never counts another's), with no
    capabilities and no way to gain any. The environment holds only the
    variables set here. ``given`` is a file of ``given_source``, mounted as
    ``coursework/earlier.py``.
    """
    mounts = {**STUDENT_FILES, **({GIVEN_MODULE: Path(given)} if given else {}),
              "/grader/worker.py": WORKER}
    targets = list(mounts)
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
    for target, source in mounts.items():
        argv += ["--ro-bind", str(source), target]
    # the sandbox's own root (where bwrap makes the folders above the binds) is read-only too
    argv += ["--remount-ro", "/", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin",
             "--setenv", "HOME", "/tmp", "--setenv", "MPLCONFIGDIR", "/tmp",
             "--setenv", "OPENBLAS_NUM_THREADS", "1", "--setenv", "OMP_NUM_THREADS", "1", "--"]
    if os.geteuid() == 0:
        uid = uid or UID_BASE + os.getpid()
        argv += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs", "--"]
    argv += ["prlimit", f"--as={limits.memory_mb * 2**20}", f"--nproc={limits.processes}",
             f"--cpu={limits.cpu_seconds}", f"--fsize={limits.file_mb * 2**20}", "--",
             sys.executable, "-I", "-S", "/grader/worker.py", *site_packages()]
    return argv
