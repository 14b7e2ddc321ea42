"""Known mistakes of chapter 4, hidden-layer error (book/ch04_hidden_error.md): hidden_error and backward."""


from .mistake import Mistake


def _backward_with(ref, outputs, T, network, *, reverse_list=False, front_to_back=False,
                   own_layer_offset=0):
    errors = [ref.output_error(outputs[-1], T)]
    order = range(1, len(network)) if front_to_back else range(len(network) - 1, 0, -1)
    for k in order:
        err = ref.hidden_error(outputs[k + own_layer_offset], errors[-1 if reverse_list else 0],
                               network[k][0])
        if reverse_list:
            errors.append(err)
        else:
            errors.insert(0, err)
    return errors



MISTAKES = [
    # chapter 4: hidden_error
    Mistake(
        "hidden_error", "W_next not transposed",
        "W_next is used without transposing it: W_next[j, k] = w_jk, so the sum "
        "over k of Err_k w_jk is err_next @ W_next.T.",
        lambda ref, O, err_next, W_next: O * (1 - O) * (err_next @ W_next),
        "def hidden_error(O, err_next, W_next):\n    return O * (1 - O) * (err_next @ W_next)\n"),
    Mistake(
        "hidden_error", "O(1 - O) factor missing",
        "the factor O_j (1 - O_j) is missing: Err_j = O_j (1 - O_j) sum_k Err_k w_jk; "
        "the weighted sum alone is -dE/dO_j, not -dE/dI_j.",
        lambda ref, O, err_next, W_next: err_next @ W_next.T,
        "def hidden_error(O, err_next, W_next):\n    return err_next @ W_next.T\n"),
    # chapter 4: backward
    Mistake(
        "backward", "errors listed output first",
        "the errors come back in the wrong order: the list must be in layer order, first "
        "hidden layer first, so that errors[k] belongs to network[k] (compute from the "
        "output back, but insert each new error at the front).",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, reverse_list=True),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(len(network) - 1, 0, -1):\n"
        "        errors.append(hidden_error(outputs[k], errors[-1], network[k][0]))\n"
        "    return errors\n"),
    Mistake(
        "backward", "layers visited front to back",
        "the hidden layers are visited from the first to the last: a hidden layer's error "
        "needs the error of the layer after it, so go from the last hidden layer back "
        "to the first.",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, front_to_back=True),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(1, len(network)):\n"
        "        errors.insert(0, hidden_error(outputs[k], errors[0], network[k][0]))\n"
        "    return errors\n"),
    Mistake(
        "backward", "the next layer's outputs",
        "a hidden layer's error uses the outputs of the layer after it: Err_j = "
        "O_j (1 - O_j) sum_k Err_k w_jk needs the layer's own outputs, so the layer whose "
        "outputs are outputs[k] has its error from outputs[k] and W_next = network[k][0].",
        lambda ref, outputs, T, network: _backward_with(ref, outputs, T, network, own_layer_offset=1),
        "def backward(outputs, T, network):\n    errors = [output_error(outputs[-1], T)]\n"
        "    for k in range(len(network) - 1, 0, -1):\n"
        "        errors.insert(0, hidden_error(outputs[k + 1], errors[0], network[k][0]))\n"
        "    return errors\n"),
]
