"""The check of the vendored Pyodide packages (book/_ext/in_browser.py): a
build ships a file only when Pyodide's lock file (or PyPI's hash) vouches
for it, and every package the kernel needs is there."""

import hashlib
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
from in_browser import LiteError, canonical, needed, verified_wheels  # noqa: E402

FILES = {"numpy": b"numpy's wheel", "ipython": b"IPython's wheel", "pure-eval": b"pure_eval's wheel",
         "unused": b"a package nobody asks for"}


@pytest.fixture
def release(tmp_path):
    """A Pyodide release in miniature: its lock file, and a wheels folder that matches it."""
    pyodide, wheels = tmp_path / "pyodide", tmp_path / "wheels"
    pyodide.mkdir()
    wheels.mkdir()
    depends = {"ipython": ["pure_eval"], "numpy": [], "pure-eval": [], "unused": []}
    lock = {"info": {"version": "0.27.7"}, "packages": {
        name: {"file_name": f"{name.replace('-', '_')}-1.0-py3-none-any.whl",
               "sha256": hashlib.sha256(data).hexdigest(), "depends": depends[name]}
        for name, data in FILES.items()}}
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock))
    for name in ("numpy", "ipython", "pure-eval"):
        (wheels / lock["packages"][name]["file_name"]).write_bytes(FILES[name])
    (wheels / "comm-0.2.2-py3-none-any.whl").write_bytes(b"comm")
    (wheels / "pypi.json").write_text(json.dumps({"comm-0.2.2-py3-none-any.whl":
                                                  hashlib.sha256(b"comm").hexdigest()}))
    return pyodide, wheels


def check(release, names=("numpy", "ipython")):
    pyodide, wheels = release
    return verified_wheels(pyodide, wheels, names)


def test_the_needed_packages_and_their_dependencies_pass(release):
    ship, piplite = check(release)
    assert sorted(p.name for p in ship) == ["ipython-1.0-py3-none-any.whl", "numpy-1.0-py3-none-any.whl",
                                            "pure_eval-1.0-py3-none-any.whl"]
    assert [p.name for p in piplite] == ["comm-0.2.2-py3-none-any.whl"]


def test_a_changed_wheel_is_refused(release):
    (release[1] / "numpy-1.0-py3-none-any.whl").write_bytes(b"numpy's wheel, changed")
    with pytest.raises(LiteError, match="numpy-1.0-py3-none-any.whl: its sha256 is not the one"):
        check(release)


def test_a_missing_dependency_is_refused(release):
    (release[1] / "pure_eval-1.0-py3-none-any.whl").unlink()
    with pytest.raises(LiteError, match=r"pure_eval-1.0-py3-none-any.whl \(pure-eval\) is not in"):
        check(release)


def test_a_file_nothing_vouches_for_is_refused(release):
    (release[1] / "extra-9.9-py3-none-any.whl").write_bytes(b"from somewhere")
    with pytest.raises(LiteError, match="extra-9.9-py3-none-any.whl: nothing needs it"):
        check(release)


def test_a_changed_pypi_wheel_is_refused(release):
    (release[1] / "comm-0.2.2-py3-none-any.whl").write_bytes(b"comm, changed")
    with pytest.raises(LiteError, match="comm-0.2.2-py3-none-any.whl: missing, or its sha256"):
        check(release)


def test_a_package_the_release_lacks_is_refused(release):
    with pytest.raises(LiteError, match="no package 'scipy'"):
        check(release, ("numpy", "scipy"))


def test_names_are_compared_as_pyodide_keys_them():
    assert canonical("Pure_Eval") == canonical("pure-eval") == "pure-eval"
    lock = {"packages": {"stack-data": {"depends": ["pure_eval"]}, "pure-eval": {"depends": []}}}
    assert set(needed(lock, ["stack_data"])) == {"stack-data", "pure-eval"}
