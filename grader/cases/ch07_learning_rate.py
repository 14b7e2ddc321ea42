"""Hidden cases of chapter 7, learning-rate effects (book/ch07_learning_rate.md)."""

import numpy as np

from ..judge import compare


def one_over_t(rng):
    yield (1,)
    yield (np.arange(1, 11),)
    yield (np.arange(1, 6), 0.3)
    yield (7, 2.5)


def classify_run(rng):
    falling = 2.0 * 0.8 ** np.arange(20)
    yield (falling,)
    yield (falling + 0.05 * (-1) ** np.arange(20),)          # noisy but mostly falling?
    yield (np.r_[falling[:10], falling[9] + 0.3 * (np.arange(10) % 2)],)  # zigzag at the end
    yield (np.r_[1.0, 0.5, 0.4, 0.45, 0.35, 0.3, 0.28, 0.27],)  # one rise in seven: converging
    yield (np.r_[1.0, 0.9, 1.0, 0.8, 0.9, 0.7, 0.8, 0.6, 0.7],)  # up every other epoch
    yield (np.r_[1.0, 2.0, 4.0, 8.0],)
    yield (np.r_[1.0, 0.5, 0.3, 1.5],)                          # ends above its start
    yield (np.r_[1.0, 0.5, np.nan, np.nan],)
    yield (np.r_[1.0, 0.5, 0.2, np.inf],)
    yield (np.r_[5.0, 1.0, 1.1, 1.0, 1.1],)                    # exactly a quarter... or more


TESTS = {
    "test_one_over_t_example": compare("one_over_t", one_over_t),
    "test_one_over_t_hidden": compare("one_over_t", one_over_t),
    "test_classify_run_example": compare("classify_run", classify_run),
    "test_classify_run_hidden": compare("classify_run", classify_run),
}
