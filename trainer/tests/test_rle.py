import numpy as np
import pytest

from dataengine_trainer.rle import RleError, counts_to_string, decode_rle, encode_counts, encode_rle, string_to_counts


def rows(*lines: str) -> np.ndarray:
    return np.array([[c == "1" for c in line] for line in lines])


@pytest.mark.parametrize(
    "mask,counts,string",
    [
        (rows("000", "010", "000"), [4, 1, 4], "414"),
        (rows("10000", "00110", "00110", "00001"), [0, 1, 8, 2, 2, 2, 4, 1], "0181J02O"),
        (np.zeros((4, 4), bool), [16], "`0"),
        (np.ones((2, 3), bool), [0, 6], "06"),
    ],
)
def test_spec_examples(mask, counts, string):  # SAM-SPEC.md §4.3
    assert encode_counts(mask) == counts
    assert counts_to_string(counts) == string
    assert string_to_counts(string) == counts
    assert (decode_rle({"size": list(mask.shape), "counts": string}) == mask).all()


def test_spec_example_3_and_block():
    assert counts_to_string([0, 50, 3, 10]) == "0b13hN"
    m = np.zeros((10, 10), bool)
    m[2:8, 3:9] = True
    assert encode_counts(m) == [32, 6, 4, 6, 4, 6, 4, 6, 4, 6, 4, 6, 12]
    assert encode_rle(m)["counts"] == "P1640000000008"


def test_random_roundtrip():
    rng = np.random.default_rng(0)
    for _ in range(50):
        h, w = (int(v) for v in rng.integers(1, 40, 2))
        m = rng.random((h, w)) < rng.random()
        enc = encode_rle(m)
        assert enc["size"] == [h, w]
        assert (decode_rle(enc) == m).all()
        assert (decode_rle({"size": [h, w], "counts": encode_counts(m)}) == m).all()


@pytest.mark.parametrize(
    "seg",
    [
        {"size": [3, 3], "counts": "41"},  # sums to 5, not 9
        {"size": [3, 3], "counts": "4\x7f4"},  # character outside '0'..'o'
        {"size": [3, 3], "counts": "4b"},  # truncated continuation group
        {"size": [3], "counts": "414"},
        {"counts": "414"},
    ],
)
def test_malformed(seg):
    with pytest.raises(RleError):
        decode_rle(seg)
