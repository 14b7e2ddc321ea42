"""Known mistakes of chapter 1, the neuron model (book/ch01_neuron_model.md): net_input and forward."""


from .mistake import Mistake


def _forward_with(ref, x, network, f, keep_net_input=False, squash_input=False):
    O = ref.sigmoid(x) if squash_input else x
    outputs = [O]
    for W, theta in network:
        I = ref.net_input(O, W, theta)
        O = f(I)
        outputs.append(I if keep_net_input else O)
    return outputs


MISTAKES = [
    # chapter 1: net_input
    Mistake(
        "net_input", "bias missing",
        "the bias theta_j is missing: the net input is the weighted sum of the "
        "previous layer's outputs plus the bias, I_j = sum_i w_ij O_i + theta_j.",
        lambda ref, O_prev, W, theta: O_prev @ W,
        "def net_input(O_prev, W, theta):\n    return O_prev @ W\n"),
    Mistake(
        "net_input", "bias subtracted",
        "theta_j is subtracted: in this course the bias is added, "
        "I_j = sum_i w_ij O_i + theta_j (a threshold of t is the bias theta_j = -t).",
        lambda ref, O_prev, W, theta: O_prev @ W - theta,
        "def net_input(O_prev, W, theta):\n    return O_prev @ W - theta\n"),
    Mistake(
        "net_input", "weights transposed",
        "the weight matrix is used transposed: W[i, j] = w_ij joins unit i of the "
        "previous layer (a row) to unit j of this layer (a column), so I = O_prev @ W + theta.",
        lambda ref, O_prev, W, theta: O_prev @ W.T + theta,
        "def net_input(O_prev, W, theta):\n    return W @ O_prev + theta\n"),
    Mistake(
        "net_input", "activation applied",
        "the sigmoid has been applied: net_input returns the net input I_j itself; "
        "the activation O_j = f(I_j) is forward's job.",
        lambda ref, O_prev, W, theta: ref.sigmoid(O_prev @ W + theta),
        "def net_input(O_prev, W, theta):\n    return 1 / (1 + np.exp(-(O_prev @ W + theta)))\n"),
    # chapter 1: forward
    Mistake(
        "forward", "input layer missing",
        "the list starts at the first hidden layer: forward returns every layer's "
        "outputs with the input layer first, and the input units' outputs are the "
        "input values themselves (O_j = x_j).",
        lambda ref, x, network: ref.forward(x, network)[1:],
        "def forward(x, network):\n    outputs, O = [], x\n    for W, theta in network:\n"
        "        O = sigmoid(net_input(O, W, theta))\n        outputs.append(O)\n    return outputs\n"),
    Mistake(
        "forward", "input units squashed",
        "the input values went through the sigmoid: input units pass their values "
        "through unchanged (O_j = I_j = x_j); only later units apply f.",
        lambda ref, x, network: _forward_with(ref, x, network, ref.sigmoid, squash_input=True),
        "def forward(x, network):\n    outputs = [sigmoid(x)]\n    for W, theta in network:\n"
        "        outputs.append(sigmoid(net_input(outputs[-1], W, theta)))\n    return outputs\n"),
    Mistake(
        "forward", "activation missing",
        "the layers' outputs are their net inputs: every unit after the input layer "
        "outputs O_j = sigmoid(I_j), and that output is what the next layer receives.",
        lambda ref, x, network: _forward_with(ref, x, network, lambda I: I),
        "def forward(x, network):\n    outputs = [x]\n    for W, theta in network:\n"
        "        outputs.append(net_input(outputs[-1], W, theta))\n    return outputs\n"),
    Mistake(
        "forward", "net inputs listed",
        "the list holds the net inputs I_j rather than the outputs O_j = sigmoid(I_j) "
        "(the next layer was fed correctly, but the wrong value was recorded).",
        lambda ref, x, network: _forward_with(ref, x, network, ref.sigmoid, keep_net_input=True),
        "def forward(x, network):\n    outputs, O = [x], x\n    for W, theta in network:\n"
        "        I = net_input(O, W, theta)\n        O = sigmoid(I)\n        outputs.append(I)\n"
        "    return outputs\n"),
    Mistake(
        "forward", "only the output layer returned",
        "only the output layer's outputs came back: forward returns a list of every "
        "layer's outputs, input layer first, which backpropagation needs later.",
        lambda ref, x, network: ref.forward(x, network)[-1],
        "def forward(x, network):\n    O = x\n    for W, theta in network:\n"
        "        O = sigmoid(net_input(O, W, theta))\n    return O\n"),
]
