"""Code of chapter 13, myths and mistakes in popular explanations (book/ch13_myths.md).

``output_error_from_labels`` is the output error of chapter 3 for a
classifier whose tuples come with class labels (integers from any start, or
names) instead of target rows; ``anneal`` is the simulated annealing the page
runs to test the claim that it "guarantees" a global minimum.
"""

import numpy as np

from .network import output_error


def output_error_from_labels(O, labels, classes):
    """Err of the output units of a classifier with one unit per class, from class labels,
    chapter 13, section "Integer labels" (chapter 3's eq. (3.1) with one-hot targets).

    ``O`` has shape ``(m, k)``, one row per tuple; ``labels`` holds the m
    tuples' classes (integers, whatever number the coding starts from, or
    names); ``classes`` lists the k classes in the order of the output units.
    The target is T_ij = 1 when tuple i's label is ``classes[j]``, else 0, and
    Err = O (1 - O)(T - O).
    """
    O = np.asarray(O, dtype=float)
    classes = list(classes)
    T = np.zeros_like(O)
    for i, label in enumerate(labels):
        T[i, classes.index(label)] = 1.0
    return output_error(O, T)


def anneal(f, x0, temperatures, step, rng):
    """Simulated annealing of many runs at once, chapter 13, section "Simulated annealing".

    Each run starts at its entry of ``x0``. At step k it proposes
    x' = x + a normal step of standard deviation ``step`` and accepts it with
    the Metropolis probability min(1, exp(-(f(x') - f(x)) / T_k)), T_k the
    k-th entry of ``temperatures`` (the cooling schedule). Returns every
    run's final x.
    """
    x = np.array(x0, dtype=float)
    fx = f(x)
    for T in temperatures:
        proposal = x + rng.normal(0.0, step, x.shape)
        f_proposal = f(proposal)
        uphill = np.maximum(f_proposal - fx, 0.0)
        accept = rng.random(x.shape) < np.exp(-uphill / T)
        x = np.where(accept, proposal, x)
        fx = np.where(accept, f_proposal, fx)
    return x
