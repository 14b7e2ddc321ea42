"""The data loaders: shapes and classes as documented, checksums enforced."""

import hashlib
import re
import shutil

import numpy as np
import pytest

from backprop import datasets
from conftest import ROOT


@pytest.mark.parametrize("load, shape, counts", [
    (datasets.load_seeds, (210, 7), [70, 70, 70]),
    (datasets.load_iris, (150, 4), [50, 50, 50]),
    (datasets.load_pima, (768, 8), [500, 268]),
    (lambda: datasets.load_pima(cleaned=True), (532, 7), [355, 177]),
    (datasets.load_mnist_5k, (5000, 784), [500] * 10),
])
def test_loaders_return_arrays_of_the_documented_shape(load, shape, counts):
    data = load()
    assert isinstance(data.X, np.ndarray) and data.X.shape == shape and data.X.dtype == float
    assert np.bincount(data.y).tolist() == counts
    assert len(data.feature_names) == shape[1] and len(data.class_names) == len(counts)


def test_seeds_lines_with_doubled_tabs_keep_their_columns():
    raw = (ROOT / "datasets" / "seeds_dataset.txt").read_text().splitlines()
    doubled = [i for i, line in enumerate(raw) if "\t\t" in line]
    assert doubled, "the file should contain lines with doubled tabs"
    X = datasets.load_seeds().X
    for i in doubled:
        assert X[i].tolist() == [float(v) for v in raw[i].split()[:7]]
    # compactness = 4 pi area / perimeter^2 holds on every row when columns are right
    np.testing.assert_allclose(X[:, 2], 4 * np.pi * X[:, 0] / X[:, 1] ** 2, atol=2e-3)


def test_readme_lists_every_file_with_its_checksum():
    readme = (ROOT / "datasets" / "README.md").read_text()
    for name, digest in datasets.SHA256.items():
        assert name in readme and digest in readme, f"datasets/README.md lacks {name} or its sha256"
        assert hashlib.sha256((ROOT / "datasets" / name).read_bytes()).hexdigest() == digest


def test_missing_file_is_named(tmp_path):
    with pytest.raises(datasets.DatasetError, match=r"seeds_dataset\.txt is missing"):
        datasets.load_seeds(data_dir=tmp_path)


def test_altered_file_is_named(tmp_path):
    shutil.copy(ROOT / "datasets" / "iris.csv", tmp_path)
    with open(tmp_path / "iris.csv", "a") as f:
        f.write("5.0,3.0,1.5,0.2,setosa\n")
    with pytest.raises(datasets.DatasetError, match=re.escape("iris.csv has been altered")):
        datasets.load_iris(data_dir=tmp_path)
