"""Hidden cases of chapter 8, putting it together (book/ch08_putting_it_together.md)."""

import numpy as np

from backprop import network as reference
from backprop.datasets import load_seeds, minmax

from ..judge import Call, Failed, compare, returned
from . import draw
from .ch06_termination import train


def train_modes(rng):
    """Chapter 6's training cases, with case updating and with epoch updating."""
    for mode in ("case", "epoch"):
        for args, kwargs in train(rng):
            yield Call(args, dict(kwargs, mode=mode))


def predict(rng):
    for sizes in ([3, 4, 3], [2, 3, 1], [4, 5, 2], [2, 6, 4, 10]):
        network = draw.network(rng, sizes)
        X = rng.uniform(-2, 2, (9, sizes[0]))
        if sizes[-1] == 1:  # a single output unit: centre its net inputs so that both classes occur,
            W, theta = network[-1]  # half way between two tuples, so that none sits on O = 0.5
            I = np.sort((reference.forward(X, network[:-1])[-1] @ W + theta)[:, 0])
            network[-1] = (W, theta - (I[3] + I[4]) / 2)
        yield X, network
        yield X[0], network


def held_out_accuracy(student, rng, minimum=0.85):
    """Train a 7-5-3 network with the student's ``train`` on 150 of the wheat
    seeds and classify the other 60 with their ``predict`` (chapter 8)."""
    data = load_seeds()
    order = rng.permutation(len(data.y))
    train_rows, test_rows = order[:150], order[150:]
    lo, hi = data.X[train_rows].min(axis=0), data.X[train_rows].max(axis=0)
    X_train, X_test = minmax(data.X[train_rows], lo, hi), minmax(data.X[test_rows], lo, hi)
    T_train = reference.one_hot(data.y[train_rows], 3)
    network = reference.init_network([7, 5, 3], rng)
    kwargs = dict(mode="case", max_epochs=60)
    result = returned(student.call("train", (X_train, T_train, network, 0.3), kwargs), "train")
    if not (type(result) in (tuple, list) and len(result) == 2):
        raise Failed(f"train should return (network, history), got {type(result).__name__}")
    predicted = returned(student.call("predict", (X_test, result[0])), "predict")
    if not (type(predicted) is np.ndarray and predicted.shape == test_rows.shape):
        raise Failed(f"predict on {len(test_rows)} held-out tuples returned {type(predicted).__name__} "
                     f"of shape {np.shape(predicted)}, not an array of {len(test_rows)} class indices")
    accuracy = float(np.mean(predicted == data.y[test_rows]))
    if accuracy < minimum:
        reference_network, _ = reference.train(X_train, T_train, network, 0.3, **kwargs)
        reference_accuracy = float(np.mean(reference.predict(X_test, reference_network) == data.y[test_rows]))
        raise Failed(
            f"a 7-5-3 network trained with your train (case updating, l = 0.3, 60 epochs) "
            f"classifies {accuracy:.0%} of {len(test_rows)} held-out tuples correctly; at least "
            f"{minimum:.0%} is needed (the reference reaches {reference_accuracy:.0%} from the same start)")


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "output_error", "hidden_error", "backward", "update", "should_stop")

TESTS = {
    "test_train_example": compare("train", train_modes),
    "test_train_hidden": compare("train", train_modes),
    "test_predict_example": compare("predict", predict),
    "test_predict_hidden": compare("predict", predict),
    "test_held_out_accuracy": held_out_accuracy,
}
