"""Loaders for the course's data files, each checked against its sha256.

The files live in ``datasets/`` at the course root; ``datasets/README.md``
gives each one's source, licence and citation.
"""

import csv
import gzip
import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np

DATA_DIR = Path(__file__).resolve().parent.parent / "datasets"

SHA256 = {
    "seeds_dataset.txt": "1f3f83c0d8485ae9148061389d19628607e3f5660e3d6f40ec9102fb398bb12f",
    "iris.csv": "9cc1c345c71bcc9b486b74cbf6063fa66f4bb5e0f603a4b3c3471ec2e5e8e355",
    "pima_indians_diabetes.csv": "9b19a3fd00c036bfcf59c18312b6df1ee9e650840cbfa825fa0ea9967e4cbd86",
    "MASS_Pima.tr.csv": "a0ae61b8db2f667f0a2bc05849fcd7f4169a062d80a6ac08c5ea88638df2cf79",
    "MASS_Pima.te.csv": "35fccdf91daf56d5e039c908afe29f7f4525b1b52337967cf597a10f6ad0001b",
    "mnist_5k.csv.gz": "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d",
}


class DatasetError(Exception):
    """A data file is missing or its bytes are not the ones the course ships."""


class Dataset(NamedTuple):
    X: np.ndarray          # (m, n) float features
    y: np.ndarray          # (m,) int class index, 0-based
    feature_names: list
    class_names: list


def path(name, data_dir=None):
    """Path of a data file after checking that its bytes are the shipped ones."""
    if name not in SHA256:
        raise DatasetError(f"{name!r} is not one of the course's data files: {sorted(SHA256)}")
    file = Path(data_dir or DATA_DIR) / name
    if not file.is_file():
        raise DatasetError(
            f"data file {name} is missing: expected it at {file}. "
            f"Restore it with `git checkout -- datasets/{name}`.")
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if digest != SHA256[name]:
        raise DatasetError(
            f"data file {name} has been altered: its sha256 is {digest}, "
            f"the course's copy has {SHA256[name]}. "
            f"Restore it with `git checkout -- datasets/{name}`.")
    return file


def load_seeds(data_dir=None):
    """UCI wheat seeds: 210 kernels, 7 measurements, 3 varieties.

    Fields are separated by runs of whitespace: eleven lines have a doubled
    tab, so splitting on single tabs would shift their columns.
    """
    rows = [line.split() for line in path("seeds_dataset.txt", data_dir).read_text().splitlines()
            if line.strip()]
    data = np.array(rows, dtype=float)
    features = ["area", "perimeter", "compactness", "kernel length", "kernel width",
                "asymmetry coefficient", "groove length"]
    return Dataset(data[:, :7], data[:, 7].astype(int) - 1, features, ["Kama", "Rosa", "Canadian"])


def _read_csv(name, data_dir):
    with open(path(name, data_dir), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def load_iris(data_dir=None):
    """Fisher's iris: 150 flowers, 4 measurements in cm, 3 species."""
    header, rows = _read_csv("iris.csv", data_dir)
    classes = sorted({r[-1] for r in rows})
    X = np.array([r[:-1] for r in rows], dtype=float)
    y = np.array([classes.index(r[-1]) for r in rows])
    return Dataset(X, y, header[:-1], classes)


def load_pima(cleaned=False, data_dir=None):
    """Pima Indians diabetes data.

    ``cleaned=False``: the 768-row file, where a zero codes a missing value
    in several columns. ``cleaned=True``: the MASS package's 532 complete
    rows (its training and test files together, training first), with the
    columns npreg, glu, bp, skin, bmi, ped, age.
    """
    if not cleaned:
        header, rows = _read_csv("pima_indians_diabetes.csv", data_dir)
        X = np.array([r[:-1] for r in rows], dtype=float)
        y = np.array([r[-1] == "pos" for r in rows], dtype=int)
        return Dataset(X, y, header[:-1], ["neg", "pos"])
    rows = []
    for name in ("MASS_Pima.tr.csv", "MASS_Pima.te.csv"):
        header, part = _read_csv(name, data_dir)
        rows += part
    X = np.array([r[1:-1] for r in rows], dtype=float)  # column 0 is R's row name
    y = np.array([r[-1] == "Yes" for r in rows], dtype=int)
    return Dataset(X, y, header[1:-1], ["No", "Yes"])


def load_mnist_5k(data_dir=None):
    """5,000 MNIST digits, 500 per class, sorted by label: 784 pixels 0-255."""
    with gzip.open(path("mnist_5k.csv.gz", data_dir), "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    return Dataset(data[:, :784].astype(float), data[:, 784].astype(int),
                   [f"pixel {i}" for i in range(784)], [str(d) for d in range(10)])


def minmax(X, lo=None, hi=None):
    """Scale every column to [0, 1] by (x - min) / (max - min), chapter 8.

    Pass the ``lo`` and ``hi`` of the training data to scale test data the
    same way.
    """
    lo = X.min(axis=0) if lo is None else lo
    hi = X.max(axis=0) if hi is None else hi
    return (X - lo) / np.where(hi > lo, hi - lo, 1.0)
