"""Hidden cases of chapter 4, hidden-layer error (book/ch04_hidden_error.md)."""

from backprop import network as reference

from ..judge import compare
from . import draw


def hidden_error(rng):
    for n_j, n_k in [(3, 2), (2, 5), (4, 4), (1, 3)]:
        for m in (None, 4):
            yield (draw.tuple_or_batch(rng, m, n_j, 0.01, 0.99), draw.tuple_or_batch(rng, m, n_k, -0.3, 0.3),
                   rng.normal(0, 1, (n_j, n_k)))


def backward(rng):
    for sizes in draw.SIZES + ([2, 2, 2, 2, 2],):
        network = draw.network(rng, sizes)
        for m in (None, 5):
            outputs = reference.forward(draw.tuple_or_batch(rng, m, sizes[0]), network)
            yield outputs, draw.tuple_or_batch(rng, m, sizes[-1], 0, 1), network


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "output_error")

TESTS = {
    "test_hidden_error_example": compare("hidden_error", hidden_error),
    "test_hidden_error_hidden": compare("hidden_error", hidden_error),
    "test_backward_example": compare("backward", backward),
    "test_backward_hidden": compare("backward", backward),
}
