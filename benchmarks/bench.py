"""`make bench`: the course's training speed, as ratios measured side by side.

1. Wheat-seeds size (210 tuples, 7-5-3 network), time per epoch: the
   tutorial-style list-of-dicts loop, the course's per-tuple numpy code
   (case updating) and full-batch numpy (epoch updating).
2. MNIST size (60000 x 784 inputs, 10 outputs; hidden layers of 128 and 512
   units, batches of 128 and 1024; float32 and float64), time per epoch of
   the reference trainer against the same epoch's matrix products alone (the
   floor no implementation of this algorithm on this machine can beat) and,
   when PyTorch is installed, against the same network trained by PyTorch in
   eager mode on the CPU from the same initial weights.

Every ratio comes from interleaved rounds (see rounds.py), first with one
thread, then with the libraries' default number. The figures and the machine
they were measured on go to benchmarks/results/training.json, which the
MNIST page of chapter 8 quotes.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rounds  # noqa: E402
import tutorial_style  # noqa: E402

from backprop import init_network, one_hot, train  # noqa: E402
from backprop.datasets import load_seeds, minmax  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "training.json"
SHAPES = [(128, 128), (128, 1024), (512, 128), (512, 1024)]  # (hidden units, batch size)
DTYPES = ("float32", "float64")
TORCH_MISSING = (
    "PyTorch is not installed; to add it beside the reference: "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu")
# the speed goals: (what, the contender it is measured against, bound, "<=" or ">=")
GOALS = [
    ("reference / PyTorch eager, median", "torch", 0.9, "<="),
    ("reference / its matrix products, median", "floor", 1.15, "<="),
    ("per-tuple speed / the tutorial style's, median", "case", 1.0, ">="),
    ("full-batch speed / the tutorial style's, median", "epoch", 50.0, ">="),
]


def seeds_size(n_rounds, epochs):
    """Seconds per epoch of each style, per round, and their speeds against the tutorial style."""
    data = load_seeds()
    X, T = minmax(data.X), one_hot(data.y, 3)
    rows, targets = X.tolist(), T.tolist()
    tutorial, start = tutorial_style.init(7, 5, 3), init_network([7, 5, 3], 0)
    # full-batch epochs are so short that they run 50 times as many, for a call as long as the others'
    n_epochs = {"tutorial": epochs, "case": epochs, "epoch": 50 * epochs}
    times = rounds.interleaved({
        "tutorial": lambda: [tutorial_style.train_epoch(tutorial, rows, targets, 0.3) for _ in range(epochs)],
        "case": lambda: train(X, T, start, 0.3, max_epochs=epochs),
        "epoch": lambda: train(X, T, start, 0.3, mode="epoch", max_epochs=n_epochs["epoch"]),
    }, n_rounds)
    per_epoch = {name: [t / n_epochs[name] for t in ts] for name, ts in times.items()}
    return {"seconds_per_epoch": per_epoch,
            "speed": {name: rounds.ratio(per_epoch["tutorial"], per_epoch[name]) for name in ("case", "epoch")}}


def matrix_products_only(X, network, batch):
    """The matrix products of one epoch of mini-batch backpropagation, nothing else."""
    (W1, _), (W2, _) = network
    for start in range(0, len(X), batch):
        x = X[start:start + batch]
        H = x @ W1
        O = H @ W2
        back = O @ W2.T
        _ = H.T @ O
        _ = x.T @ back


def torch_epoch(torch, X, T, network, l, batch):
    """One epoch of the same training in PyTorch's eager mode, written as PyTorch
    is usually written: linear layers, sigmoids, E = 1/2 sum (T - O)^2 of the
    batch, autograd and plain SGD with rate l. That is the reference's update
    (chapter 5, eqs. 5.1 and 5.2): -dE/dw_ij = Err_j O_i. Returns the trained
    weights as the reference's list of (W, theta)."""
    layers = []
    for W, theta in network:
        linear = torch.nn.Linear(*W.shape, dtype=torch.from_numpy(W).dtype)
        with torch.no_grad():  # torch keeps w_ij as weight[j, i]
            linear.weight.copy_(torch.from_numpy(W.T))
            linear.bias.copy_(torch.from_numpy(theta))
        layers += [linear, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    sgd = torch.optim.SGD(model.parameters(), lr=l)
    X, T = torch.from_numpy(X), torch.from_numpy(T)
    for start in range(0, len(X), batch):
        sgd.zero_grad()
        E = 0.5 * ((T[start:start + batch] - model(X[start:start + batch])) ** 2).sum()
        E.backward()
        sgd.step()
    return [(layer.weight.detach().numpy().T, layer.bias.detach().numpy()) for layer in layers[::2]]


def mnist_data(m, n_in=784, n_out=10):
    """Random inputs in [0, 1) and one-hot targets of MNIST's size, in float64
    and the same numbers rounded to float32."""
    rng = np.random.default_rng(0)
    X = rng.random((m, n_in))
    T = one_hot(rng.integers(0, n_out, m), n_out)
    return {"float64": (X, T), "float32": (X.astype(np.float32), T.astype(np.float32))}


def torch_agrees(torch, X, T, network, l, batch):
    """The largest difference between PyTorch's weights and the reference's after
    one epoch from the same start; exits when they do not train the same network."""
    ours, _ = train(X, T, network, l, mode="batch", batch_size=batch, max_epochs=1)
    theirs = torch_epoch(torch, X, T, network, l, batch)
    gap = max(float(np.max(np.abs(a - b))) for mine, its in zip(ours, theirs) for a, b in zip(mine, its))
    tolerance = 1e-4 if X.dtype == np.float32 else 1e-10
    if gap > tolerance:
        sys.exit(f"PyTorch's {X.dtype} weights after one epoch differ from the reference's by {gap:.3g} "
                 f"(> {tolerance:g}): the two do not train the same network, so their times do not compare")
    return gap


def mnist_size(torch, data, hidden, batch, n_rounds, l=0.01):
    """Seconds per epoch of the reference, its floor and PyTorch, in both precisions,
    per round; the ratios within each round; and how far PyTorch's weights after one
    epoch are from the reference's."""
    contenders, result = {}, {"m": len(data["float64"][0]), "hidden": hidden, "batch": batch,
                              "weights_max_difference": {}}
    for dtype, (X, T) in data.items():
        network = init_network([X.shape[1], hidden, T.shape[1]], 0, scale=0.05, dtype=dtype)
        contenders[f"reference {dtype}"] = (lambda X=X, T=T, network=network:
                                            train(X, T, network, l, mode="batch", batch_size=batch, max_epochs=1))
        contenders[f"floor {dtype}"] = lambda X=X, network=network: matrix_products_only(X, network, batch)
        if torch:
            contenders[f"torch {dtype}"] = lambda X=X, T=T, network=network: torch_epoch(torch, X, T, network, l,
                                                                                         batch)
            result["weights_max_difference"][dtype] = torch_agrees(torch, X, T, network, l, batch)
    times = rounds.interleaved(contenders, n_rounds)
    result["seconds"] = times
    result["reference_over"] = {f"{other} {dtype}": rounds.ratio(times[f"reference {dtype}"], times[f"{other} {dtype}"])
                                for dtype in data for other in ("floor", "torch") if f"{other} {dtype}" in times}
    result["float64_over_float32"] = {name: rounds.ratio(times[f"{name} float64"], times[f"{name} float32"])
                                      for name in ("reference", "floor", "torch") if f"{name} float64" in times}
    return result


def run(torch, n_threads, n_rounds, quick):
    """Both parts of the benchmark with at most n_threads threads (None: the default)."""
    with rounds.threads(n_threads):
        print(f"\n== {rounds.describe_pools(n_threads)}")
        figures = {"threads": n_threads or "default", "pools": rounds.thread_pools(), "load_before": rounds.load()}
        print("1. Wheat seeds size: 210 tuples, 7-5-3 network, time per epoch")
        seeds = seeds_size(n_rounds=2 if quick else 15, epochs=2 if quick else 20)
        for name, label in [("tutorial", "tutorial-style lists and dicts, per tuple"),
                            ("case", "course numpy code, per tuple (case updating)"),
                            ("epoch", "course numpy code, full batch (epoch updating)")]:
            t = np.median(seeds["seconds_per_epoch"][name])
            speed = rounds.shown(seeds["speed"][name]) if name in seeds["speed"] else "1 (the baseline)"
            print(f"   {label:48s} {t * 1e3:8.3f} ms   speed {speed} the tutorial style's")
        figures["seeds"] = seeds
        m = 1000 if quick else 60000
        print(f"2. MNIST size: {m} x 784, 10 outputs, time per epoch; ratios are reference / other")
        figures["mnist"] = []
        data = mnist_data(m)
        for hidden, batch in SHAPES:
            r = mnist_size(torch, data, hidden, batch, n_rounds=2 if quick else n_rounds)
            figures["mnist"].append(r)
            print(f"   784-{hidden}-10, batches of {batch}:")
            for dtype in DTYPES:
                print(f"     {dtype}: reference {np.median(r['seconds'][f'reference {dtype}']):6.3f} s, "
                      f"{rounds.shown(r['reference_over'][f'floor {dtype}'])} the matrix products alone, "
                      + (f"{rounds.shown(r['reference_over'][f'torch {dtype}'])} PyTorch eager"
                         if torch else "PyTorch: not installed (pip install torch, see above)"))
            print("     float64 / float32: " + ", ".join(f"{name} {rounds.shown(ratio)}"
                                                      for name, ratio in r["float64_over_float32"].items()))
        figures["load_after"] = rounds.load()
    return figures


def goals(one_thread):
    """The issue's goals, checked on the one-thread run, each MNIST goal once per
    precision: a list of {goal, figure (the worst median), met, each}."""
    checked = []
    for what, key, bound, sense in GOALS:
        if key in ("case", "epoch"):
            groups = {"": [("", one_thread["seeds"]["speed"][key])]}
        else:
            groups = {f"{dtype}, ": [(f"h={r['hidden']} b={r['batch']}", r["reference_over"].get(f"{key} {dtype}"))
                                     for r in one_thread["mnist"]] for dtype in DTYPES}
        for prefix, found in groups.items():
            goal = f"{prefix}{what} {sense} {bound}"
            if any(ratio is None for _, ratio in found):
                checked.append({"goal": goal, "figure": None, "met": None})
                continue
            medians = [ratio["median"] for _, ratio in found]
            worst = max(medians) if sense == "<=" else min(medians)
            checked.append({"goal": goal, "figure": worst, "met": worst <= bound if sense == "<=" else worst >= bound,
                            "each": {label: ratio["median"] for label, ratio in found if label}})
    return checked


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a small problem and two rounds: a check that the benchmark works, not a measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds of the MNIST-size part")
    parser.add_argument("--results", help=f"where the figures go, as JSON (default {RESULTS}, not in --quick)")
    args = parser.parse_args(argv)
    torch = rounds.torch_or_none()
    context = rounds.machine(("numpy", "torch", "threadpoolctl"))
    print("Backpropagation benchmark: every ratio is taken within interleaved rounds; "
          "shown as median (min, max) over the rounds")
    print("\n".join(rounds.describe(context)))
    if not torch:
        print(TORCH_MISSING)
    runs = [run(torch, n, args.rounds, args.quick) for n in (1, None)]
    checked = goals(runs[0])
    print("\nGoals, on one thread (the worst shape's median):")
    for g in checked:
        verdict = "not measured" if g["met"] is None else ("met" if g["met"] else "NOT met")
        figure = "" if g["figure"] is None else f"{g['figure']:.2f}: "
        print(f"   {g['goal']:68s} {figure}{verdict}")
    results = args.results or (None if args.quick else RESULTS)
    if results:
        Path(results).parent.mkdir(parents=True, exist_ok=True)
        Path(results).write_text(json.dumps({**context, "rounds": args.rounds, "quick": args.quick,
                                             "runs": runs, "goals": checked}, indent=1) + "\n")


if __name__ == "__main__":
    main()
