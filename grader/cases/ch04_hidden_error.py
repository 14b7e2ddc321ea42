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


def skip_hidden_error_of(O, err_next, W_next, err_skip, W_skip):
    """Err_j = -dE/dI_j of a hidden layer j whose outputs feed the next layer k (weights W_next)
    and, through a skip connection, a later layer s (weights W_skip): the task the book leaves to
    the student, derived with chapter 4's chain rule over every path from I_j to E."""
    return O * (1 - O) * (err_next @ W_next.T + err_skip @ W_skip.T)


def skip_hidden_error(rng):
    # (n_j, n_k, n_s): square and non-square layers; where n_s != n_j, W_skip without .T cannot multiply
    for n_j, n_k, n_s in [(3, 2, 4), (4, 4, 4), (2, 5, 3), (3, 4, 3), (1, 3, 2), (3, 3, 3)]:
        for m in (None, 4):
            yield (draw.tuple_or_batch(rng, m, n_j, 0.01, 0.99),
                   draw.tuple_or_batch(rng, m, n_k, -0.3, 0.3), rng.normal(0, 1, (n_j, n_k)),
                   draw.tuple_or_batch(rng, m, n_s, -0.3, 0.3), rng.normal(0, 1, (n_j, n_s)))


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("forward", "output_error")

TESTS = {
    "test_hidden_error_example": compare("hidden_error", hidden_error),
    "test_hidden_error_hidden": compare("hidden_error", hidden_error),
    "test_backward_example": compare("backward", backward),
    "test_backward_hidden": compare("backward", backward),
    "test_skip_hidden_error_example": compare("skip_hidden_error", skip_hidden_error,
                                              reference_function=skip_hidden_error_of),
    "test_skip_hidden_error_hidden": compare("skip_hidden_error", skip_hidden_error,
                                             reference_function=skip_hidden_error_of),
}
