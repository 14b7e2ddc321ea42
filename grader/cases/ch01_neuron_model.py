"""Hidden cases of chapter 1, the neuron model (book/ch01_neuron_model.md)."""

from ..judge import compare
from . import draw


def net_input(rng):
    for n_prev, n_next in [(1, 1), (3, 2), (2, 5), (6, 4), (4, 4)]:
        for m in (None, 1, 7):
            yield draw.tuple_or_batch(rng, m, n_prev, 0, 1), rng.normal(0, 1, (n_prev, n_next)), rng.normal(0, 1, n_next)


def forward(rng):
    for sizes in draw.SIZES:
        network = draw.network(rng, sizes)
        for m in (None, 6):
            yield draw.tuple_or_batch(rng, m, sizes[0]), network


# the earlier chapters' functions the exercise imports: its sandbox gets these alone of backprop.network
GIVEN = ("sigmoid",)

TESTS = {
    "test_net_input_example": compare("net_input", net_input),
    "test_net_input_hidden": compare("net_input", net_input),
    "test_forward_example": compare("forward", forward),
    "test_forward_hidden": compare("forward", forward),
}
