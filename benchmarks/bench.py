"""`make bench`: the course's training speed, as ratios measured side by side.

1. Wheat-seeds size (210 tuples, 7-5-3 network), time per epoch: the
   tutorial-style list-of-dicts loop, the course's per-tuple numpy code
   (case updating) and full-batch numpy (epoch updating).
2. MNIST size (60000 x 784, 128 hidden units, 10 outputs, batches of 128),
   time per epoch of the reference trainer in float32 and float64, against
   the time of the same epoch's matrix products alone: the floor that no
   implementation of this algorithm on this machine can beat.

Numbers vary with the machine and its load; the ratios are the result.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tutorial_style  # noqa: E402

from backprop import init_network, one_hot, train  # noqa: E402
from backprop.datasets import load_seeds, minmax  # noqa: E402


def best_of(fn, repeats):
    """Smallest wall time of several runs of fn(), in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def seeds_size(repeats=5, epochs=5):
    data = load_seeds()
    X, T = minmax(data.X), one_hot(data.y, 3)
    rows, targets = X.tolist(), T.tolist()
    tutorial = tutorial_style.init(7, 5, 3)
    results = {
        "tutorial-style lists and dicts, per tuple":
            best_of(lambda: [tutorial_style.train_epoch(tutorial, rows, targets, 0.3) for _ in range(epochs)], repeats),
        "course numpy code, per tuple (case updating)":
            best_of(lambda: train(X, T, init_network([7, 5, 3], 0), 0.3, max_epochs=epochs), repeats),
        "course numpy code, full batch (epoch updating)":
            best_of(lambda: train(X, T, init_network([7, 5, 3], 0), 0.3, mode="epoch", max_epochs=epochs), repeats),
    }
    return {name: t / epochs for name, t in results.items()}


def matrix_products_only(X, T, network, batch):
    """The matrix products of one epoch of mini-batch backpropagation, nothing else."""
    (W1, _), (W2, _) = network
    for start in range(0, len(X), batch):
        x = X[start:start + batch]
        H = x @ W1
        O = H @ W2
        back = O @ W2.T
        _ = H.T @ O
        _ = x.T @ back


def mnist_size(dtype, repeats=3, m=60000, n_in=784, hidden=128, n_out=10, batch=128):
    rng = np.random.default_rng(0)
    X = rng.random((m, n_in), dtype=np.float64).astype(dtype)
    T = one_hot(rng.integers(0, n_out, m), n_out).astype(dtype)
    network = init_network([n_in, hidden, n_out], 0, scale=0.05, dtype=dtype)
    epoch = best_of(lambda: train(X, T, network, 0.1, mode="batch", batch_size=batch, max_epochs=1), repeats)
    floor = best_of(lambda: matrix_products_only(X, T, network, batch), repeats)
    return epoch, floor


def main(quick=False):
    """``quick`` runs every measurement once on a small problem: a check that
    the benchmark works, not a measurement."""
    print("Backpropagation benchmark (times are minimums over repeats; ratios are the result)\n")
    print("1. Wheat seeds size: 210 tuples, 7-5-3 network, time per epoch")
    seeds = seeds_size(repeats=1, epochs=1) if quick else seeds_size()
    tutorial = next(iter(seeds.values()))
    for name, t in seeds.items():
        print(f"   {name:50s} {t * 1e3:9.2f} ms   speed {tutorial / t:6.2f}x the tutorial style's")
    print()
    m = 1000 if quick else 60000
    print(f"2. MNIST size: {m} x 784, 128 hidden, 10 outputs, batches of 128, time per epoch")
    for dtype in (np.float32, np.float64):
        epoch, floor = mnist_size(dtype, repeats=1, m=m) if quick else mnist_size(dtype)
        print(f"   {np.dtype(dtype).name}: reference trainer {epoch:6.2f} s, its matrix products alone "
              f"{floor:6.2f} s: {epoch / floor:4.2f}x the floor")


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
