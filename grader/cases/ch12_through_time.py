"""Hidden cases of chapter 12, backpropagation through time (book/ch12_through_time.md)."""

import numpy as np

from backprop import recurrent

from ..judge import compare

# (n_h, T): one unit and several, one step and many; U is square, so a missing transpose gives no shape error
SHAPES = [(3, 4), (1, 3), (4, 1), (2, 6), (5, 3), (3, 8)]


def sequence(rng, n_h, T, m, low=0.01, high=0.99, last_only=False):
    """outputs [O_1..O_T] in (low, high), output errors [e_1..e_T] and U, for one sequence (m None) or a batch."""
    shape = (n_h,) if m is None else (m, n_h)
    outputs = [rng.uniform(low, high, shape) for _ in range(T)]
    output_errors = [rng.normal(0, 0.5, shape) for _ in range(T)]
    if last_only:  # an output read at the last step only: no error reaches the earlier steps directly
        output_errors = [np.zeros(shape) for _ in range(T - 1)] + output_errors[-1:]
    return outputs, output_errors, rng.normal(0, 1, (n_h, n_h))


def bptt_errors(rng):
    for n_h, T in SHAPES:
        for m in (None, 3):
            yield sequence(rng, n_h, T, m)
    yield sequence(rng, 3, 5, None, last_only=True)


def leaky_bptt_errors_of(variant, outputs, output_errors, U):
    """Err_t = -dE/dI_t of a recurrent layer whose net input leaks, I_t = (1 - a) I_{t-1} + a (x_t W +
    O_{t-1} U + theta), O_t = f(I_t): the task the book leaves to the student. I_t reaches E through
    O_t (its output layer, and step t + 1's net input through U, scaled by a) and directly through
    I_{t+1}, scaled by 1 - a:  Err_t = f'(I_t) (e_t + a Err_{t+1} U^T) + (1 - a) Err_{t+1}."""
    a = variant.params["a"]
    errors, err_next = [], np.zeros_like(np.asarray(outputs[-1], dtype=float))
    for O, e in zip(reversed(outputs), reversed(output_errors)):
        slope = 1 - O**2 if variant.params["units"] == "tanh" else O * (1 - O)
        err_next = slope * (e + a * (err_next @ U.T)) + (1 - a) * err_next
        errors.insert(0, err_next)
    return errors


def leaky_bptt_errors(rng, variant):
    low, high = variant.params["O_range"]
    for n_h, T in SHAPES:
        for m in (None, 3):
            yield sequence(rng, n_h, T, m, low, high)
    yield sequence(rng, 3, 5, None, low, high, last_only=True)


# the earlier chapters' functions the exercise imports: none (it builds its own small networks)
GIVEN = ()

TESTS = {
    "test_bptt_errors_example": compare("bptt_errors", bptt_errors, reference_function=recurrent.bptt_errors),
    "test_bptt_errors_hidden": compare("bptt_errors", bptt_errors, reference_function=recurrent.bptt_errors),
    "test_leaky_bptt_errors_example": compare("leaky_bptt_errors", leaky_bptt_errors,
                                              reference_function=leaky_bptt_errors_of, per_variant=True),
    "test_leaky_bptt_errors_hidden": compare("leaky_bptt_errors", leaky_bptt_errors,
                                             reference_function=leaky_bptt_errors_of, per_variant=True),
}
