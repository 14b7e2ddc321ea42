"""Known mistakes of chapter 6, termination (book/ch06_termination.md): should_stop and train."""


from .mistake import Mistake


def _should_stop_with(epoch, max_delta_w, misclassified, *, max_epochs, delta_w_threshold=None,
                      misclassified_threshold=None, inclusive=False, late=False, epochs_first=False):
    below = (lambda a, b: a <= b) if inclusive else (lambda a, b: a < b)
    if epochs_first and epoch >= max_epochs:
        return "max_epochs"
    if delta_w_threshold is not None and below(max_delta_w, delta_w_threshold):
        return "delta_w"
    if misclassified_threshold is not None and below(misclassified, misclassified_threshold):
        return "misclassified"
    if (epoch > max_epochs) if late else (epoch >= max_epochs):
        return "max_epochs"
    return None


_STOP = ("def should_stop(epoch, max_delta_w, misclassified, *, max_epochs,\n"
         "                delta_w_threshold=None, misclassified_threshold=None):\n")

_TRAIN = """def train(X, T, network, l, *, mode="case", max_epochs=500,
          delta_w_threshold=None, misclassified_threshold=None):
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    if T.ndim == 1:
        T = T[:, None]
    labels = (T[:, 0] >= 0.5).astype(int) if T.shape[1] == 1 else np.argmax(T, axis=1)
    history = {"error": [], "misclassified": [], "max_delta_w": [], "stopped_by": None}
    for epoch in range(1, max_epochs + 1):
        batches = [(X, T)] if BATCHES else list(zip(X, T))
        epoch_outputs, max_delta_w = [], 0.0
        for x, target in batches:
            outputs = forward(x, network)
            new = update(network, outputs, backward(outputs, target, network), l)
            for (W_new, _), (W, _) in zip(new, network):
                max_delta_w = max(max_delta_w, np.max(np.abs(W_new - W)))
            network = new
            epoch_outputs.append(np.atleast_2d(outputs[-1]))
        O = np.concatenate(epoch_outputs)
        predicted = (O[:, 0] >= 0.5).astype(int) if O.shape[1] == 1 else np.argmax(O, axis=1)
        misclassified = np.mean(predicted != labels)
        history["error"].append(0.5 * np.sum((T - O) ** 2))
        history["misclassified"].append(misclassified)
        history["max_delta_w"].append(max_delta_w)
        history["stopped_by"] = should_stop(epoch, max_delta_w, misclassified, max_epochs=max_epochs,
                                            THRESHOLDS)
        if history["stopped_by"]:
            break
    return network, history
"""


def train_source(batches='mode == "epoch"',
                 thresholds="delta_w_threshold=delta_w_threshold,\n"
                            "                                            misclassified_threshold=misclassified_threshold"):
    """Student-style code of train (chapters 6 and 8), right or with a mistake."""
    return _TRAIN.replace("BATCHES", batches).replace("THRESHOLDS", thresholds)


MISTAKES = [
    # chapter 6: should_stop
    Mistake(
        "should_stop", "None threshold compared",
        "a threshold of None means its rule is switched off: test `threshold is not None` "
        "before comparing (a number cannot be compared with None).",
        None,
        _STOP + "    if max_delta_w < delta_w_threshold:\n        return 'delta_w'\n"
        "    if misclassified < misclassified_threshold:\n        return 'misclassified'\n"
        "    if epoch >= max_epochs:\n        return 'max_epochs'\n    return None\n",
        raises=r"NoneType"),
    Mistake(
        "should_stop", "one epoch too many",
        "training runs one epoch too many: epochs are counted from 1, so after epoch "
        "max_epochs the maximum has been reached (epoch >= max_epochs).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, late=True),
        _STOP + "    if delta_w_threshold is not None and max_delta_w < delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified < misclassified_threshold:\n"
        "        return 'misclassified'\n    if epoch > max_epochs:\n        return 'max_epochs'\n"
        "    return None\n"),
    Mistake(
        "should_stop", "inclusive thresholds",
        "the rules say *below* a threshold: a value equal to the threshold does not stop "
        "training (use <, not <=).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, inclusive=True),
        _STOP + "    if delta_w_threshold is not None and max_delta_w <= delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified <= misclassified_threshold:\n"
        "        return 'misclassified'\n    if epoch >= max_epochs:\n        return 'max_epochs'\n"
        "    return None\n"),
    Mistake(
        "should_stop", "maximum checked first",
        "when several rules fire after the same epoch, report the first in the documented "
        "order: delta_w, then misclassified, then max_epochs (the maximum is the safety net).",
        lambda ref, *args, **kwargs: _should_stop_with(*args, **kwargs, epochs_first=True),
        _STOP + "    if epoch >= max_epochs:\n        return 'max_epochs'\n"
        "    if delta_w_threshold is not None and max_delta_w < delta_w_threshold:\n"
        "        return 'delta_w'\n"
        "    if misclassified_threshold is not None and misclassified < misclassified_threshold:\n"
        "        return 'misclassified'\n    return None\n"),
    # chapter 6 and 8: train
    Mistake(
        "train", "termination rules ignored",
        "training went on after a termination rule fired: ask should_stop after every "
        "epoch, record what it returns in history['stopped_by'], and stop when it is not None.",
        lambda ref, X, T, network, l, **kw: ref.train(
            X, T, network, l, max_epochs=kw.get("max_epochs", 500), mode=kw.get("mode", "case")),
        train_source(thresholds="delta_w_threshold=None")),
    Mistake(
        "train", "epoch updating instead of case updating",
        "this is epoch updating (one update per epoch from the summed increments): "
        "case updating changes the weights after every tuple.",
        lambda ref, X, T, network, l, **kw: ref.train(X, T, network, l, **dict(kw, mode="epoch")),
        train_source(batches="True")),
]
