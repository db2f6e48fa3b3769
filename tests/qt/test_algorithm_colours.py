"""Other algorithms' tiles colour the groups they share alike."""

import numpy as np

from kmeans_studio.qt.views.algorithm_grid import colour_order


def test_a_tile_that_finds_the_same_groups_colours_them_as_the_first_tile():
    reference = np.repeat([0, 1, 2], 10)
    labels = np.repeat([2, 0, 1], 10)  # the same groups, numbered otherwise
    order = colour_order(labels, reference)
    np.testing.assert_array_equal(order[labels], reference)


def test_extra_clusters_and_noise_take_colours_of_their_own():
    reference = np.repeat([0, 1], 10)
    labels = np.concatenate([np.full(10, 1), np.full(6, 0), np.full(3, 2), [-1]])
    order = colour_order(labels, reference)
    assert order[1] == 0 and order[0] == 1  # matched by their shared points
    assert len(set(order)) == 3  # the third cluster's colour is nobody else's
    assert order[2] not in (0, 1)


def test_without_a_reference_clusters_keep_their_numbers():
    np.testing.assert_array_equal(colour_order(np.array([0, 2, 1, 1]), None), [0, 1, 2])
