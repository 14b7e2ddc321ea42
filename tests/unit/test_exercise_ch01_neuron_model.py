"""Exercise 1, task 3: the reference network computes each variant's Boolean
function, each catalogued mistake is told by what its network does (and by
no other mistake's sign), a network of another variant is recognised, and a
returned value that is not a network is said to be one, without the sandbox."""

import numpy as np
import pytest

from backprop import network as reference
from coursework import variants
from grader.assignments.ch01_neuron_model import TOLERANCE, TRUTH_TABLE, as_network, logic_network_of
from grader.judge import Failed
from grader.assignments import for_function
from grader.assignments.ch01_neuron_model import NOT_SEPARABLE, logic_network_mistakes

A = "ch01_neuron_model"


def outputs(network):
    return reference.forward(TRUTH_TABLE, network)[-1][:, 0]


def truth(variant):
    return variant.params["truth"](TRUTH_TABLE).astype(float)


@pytest.mark.parametrize("name", variants.names(A))
def test_the_reference_computes_the_variant_and_no_other(name):
    variant = variants.variant_named(A, name)
    O = outputs(logic_network_of(variant))
    assert np.all(np.abs(O - truth(variant)) <= TOLERANCE / 10)
    for other in variants.names(A):
        if other != name:
            assert np.any(np.abs(O - truth(variants.variant_named(A, other))) > TOLERANCE)


def test_the_variants_that_need_a_hidden_layer_are_those_no_plane_separates():
    # a unit's output is above 1/2 exactly where w . x + theta > 0: search a grid of planes
    grid = np.linspace(-3, 3, 13)
    planes = np.array(np.meshgrid(grid, grid, grid, grid + 0.25)).reshape(4, -1).T
    for name in variants.names(A):
        T = truth(variants.variant_named(A, name)) > 0.5
        separable = np.any(np.all((TRUTH_TABLE @ planes[:, :3].T + planes[:, 3] > 0) == T[:, None], axis=0))
        assert separable == (name not in NOT_SEPARABLE), name


@pytest.mark.parametrize("mistake", for_function("logic_network"), ids=lambda m: m.name)
def test_each_mistake_is_told_by_its_own_sign_alone(mistake):
    for name in variants.names(A):
        variant = variants.variant_named(A, name)
        try:
            network = mistake.wrong(variant)
        except ValueError:
            continue
        O = outputs(network)
        assert np.any(np.abs(O - truth(variant)) > TOLERANCE), (mistake.name, name)
        assert logic_network_mistakes(variant, network, O, truth(variant)) == [mistake.message], (mistake.name, name)


@pytest.mark.parametrize("value, said", [
    (np.ones((3, 1)), "a list of (W, theta) pairs"),
    ([], "a list of (W, theta) pairs"),
    ([(np.ones((3, 1)), np.zeros(1))] * 4, "3 at most"),
    ([(np.ones((3, 1)),)], "must be a pair"),
    ([(np.ones(3), np.zeros(1))], "it must be 2-D"),
    ([(np.ones((2, 1)), np.zeros(1))], "n_prev = 3"),
    ([(np.ones((3, 2)), np.zeros(2)), (np.ones((3, 1)), np.zeros(1))], "n_prev = 2"),
    ([(np.ones((3, 1)), np.zeros((1, 1)))], "theta has shape (1, 1)"),
    ([(np.ones((3, 17)), np.zeros(17)), (np.ones((17, 1)), np.zeros(1))], "1 to 16"),
    ([(np.ones((3, 2)), np.zeros(2))], "must have one, the output unit"),
    ([(np.full((3, 1), np.inf), np.zeros(1))], "not finite"),
    ([(np.ones((3, 1), dtype=complex), np.zeros(1))], "arrays of numbers"),
    ([(["a", "b", "c"], [0])], "arrays of numbers"),
])
def test_what_is_not_a_network_is_said_to_be_wrong(value, said):
    with pytest.raises(Failed) as failure:
        as_network(value)
    assert said in str(failure.value)


def test_a_network_of_lists_and_integers_is_a_network():
    network = as_network([([[10], [10], [10]], [-15])])
    assert [(W.dtype, W.shape, theta.shape) for W, theta in network] == [(np.float64, (3, 1), (1,))]
