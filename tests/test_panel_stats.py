"""Krippendorff's alpha and Spearman's rho against published and hand-worked values."""
from __future__ import annotations

import pytest

from vcl_qa.panel.stats import krippendorff_alpha, ranks, spearman

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the 4 coders x 12 units
# example with missing values; published: nominal 0.743, ordinal 0.815, interval 0.849.
N = None
CODERS = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]
UNITS = [list(u) for u in zip(*CODERS)]


@pytest.mark.parametrize("level,published", [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)])
def test_alpha_matches_krippendorff_2011(level, published):
    assert round(krippendorff_alpha(UNITS, level), 3) == published


def test_alpha_perfect_agreement_is_one():
    assert krippendorff_alpha([[1, 1], [3, 3], [5, 5]]) == 1.0


def test_alpha_systematic_disagreement_is_negative():
    assert krippendorff_alpha([[1, 5], [5, 1], [1, 5], [5, 1]]) < 0


def test_alpha_undefined_without_variation_or_pairs():
    assert krippendorff_alpha([[3, 3], [3, 3]]) is None
    assert krippendorff_alpha([[1], [4, None], [2]]) is None


def test_alpha_ordinal_penalises_far_disagreement_more():
    near = krippendorff_alpha([[1, 2], [3, 3], [5, 5], [2, 2], [4, 4]])
    far = krippendorff_alpha([[1, 5], [3, 3], [5, 5], [2, 2], [4, 4]])
    assert near > far


def test_alpha_rejects_unknown_level():
    with pytest.raises(ValueError):
        krippendorff_alpha(UNITS, "ratio-ish")


def test_ranks_average_ties():
    assert ranks([10, 20, 20, 5]) == [2.0, 3.5, 3.5, 1.0]


def test_spearman_known_values():
    # scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) = 0.8207826816681233
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(0.8207826816681233, abs=1e-12)
    # Without ties: 1 - 6*sum(d^2)/(n(n^2-1)); d = [0, 1, -1, 0, 0] gives 1 - 12/120 = 0.9
    assert spearman([1, 2, 3, 4, 5], [1, 3, 2, 4, 5]) == pytest.approx(0.9)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_spearman_undefined_cases():
    assert spearman([1], [2]) is None
    assert spearman([2, 2, 2], [1, 2, 3]) is None
