"""The cell means that paper-tone estimates read: exact means of whole cells, whatever the page size."""

from __future__ import annotations

import numpy as np

from khoso.imaging.cells import whole_cell_means


def test_each_cell_is_the_mean_of_its_pixels_and_a_partial_edge_is_left_out() -> None:
    rng = np.random.default_rng(3)
    page = rng.integers(0, 256, (3508 // 4, 2480 // 4), dtype=np.uint8)  # 877 × 620: neither divides by 16
    means = whole_cell_means(page, 16)
    assert means.shape == (877 // 16, 620 // 16)
    expected = page[: 54 * 16, : 38 * 16].reshape(54, 16, 38, 16).mean(axis=(1, 3))
    assert np.abs(means.astype(float) - expected).max() <= 0.5


def test_a_page_smaller_than_one_cell_gives_its_single_mean() -> None:
    page = np.array([[10, 20, 30], [40, 50, 60]], np.uint8)
    assert whole_cell_means(page, 16).tolist() == [[35]]
