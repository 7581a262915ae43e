"""jaxzoo.data.load from each source; the heart encoder; clear errors."""

import gzip

import chex
import numpy as np
import pytest

from jaxzoo.data import DatasetNotFoundError, heart_features, load


@pytest.mark.parametrize("name, n_total, shape, classes", [("digits", 1797, (8, 8, 1), 10), ("iris", 150, (4,), 3),
                                                            ("wine", 178, (13,), 3),
                                                            ("breast_cancer", 569, (30,), 2)])
def test_sklearn_sets_split_stratified_without_overlap(name, n_total, shape, classes):
    x, y = load(name, "train")
    xt, yt = load(name, "test")
    xa, ya = load(name, "all")
    assert len(x) + len(xt) == len(xa) == n_total
    chex.assert_shape(x, (len(x), *shape))
    assert set(np.unique(y)) == set(range(classes)) == set(np.unique(yt))
    rows = {r.tobytes() for r in x.reshape(len(x), -1)}
    assert not any(r.tobytes() in rows for r in xt.reshape(len(xt), -1)[:50] if r.tobytes())  # disjoint
    np.testing.assert_allclose(np.bincount(yt) / len(yt), np.bincount(ya) / len(ya), atol=0.02)


def test_local_idx_files_match_the_documented_counts(data_dir):
    x, y = load("mnist", "train", data_dir=data_dir)
    chex.assert_shape(x, (60000, 28, 28, 1))
    assert x.dtype == np.uint8 and y.dtype == np.int32
    assert list(y[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.bincount(y).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    xt, yt = load("fashion_mnist", "test", data_dir=data_dir)
    assert np.bincount(yt).tolist() == [1000] * 10
    assert len(load("mnist", "all", data_dir=data_dir)[0]) == 70000


def test_local_folder_of_uncompressed_idx(tmp_path):
    d = tmp_path / "mnist"
    d.mkdir()
    imgs = np.arange(3 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    header = (0x0803).to_bytes(4, "big") + b"".join(v.to_bytes(4, "big") for v in (3, 28, 28))
    (d / "t10k-images-idx3-ubyte").write_bytes(header + imgs.tobytes())
    with gzip.open(d / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write((0x0801).to_bytes(4, "big") + (3).to_bytes(4, "big") + bytes([7, 2, 1]))
    x, y = load("mnist", "test", data_dir=tmp_path)
    np.testing.assert_array_equal(x[..., 0], imgs)
    assert y.tolist() == [7, 2, 1]


def test_tfds_source_with_mock_data():
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=12):
        x, y = load("mnist", "train", source="tfds")
    chex.assert_shape(x, (12, 28, 28, 1))
    assert x.dtype == np.uint8 and y.dtype == np.int32 and y.min() >= 0 and y.max() <= 9


def test_heart_embedded_equals_local_and_encodes(data_dir):
    xe, ye = load("heart", "all", source="embedded")
    xl, yl = load("heart", "all", data_dir=data_dir)
    np.testing.assert_array_equal(xe, xl)
    assert xe.shape == (303, 13) and np.isnan(xe).sum() == 6 and int(ye.sum()) == 303 - 164
    tr, te = heart_features(*load("heart", "train", source="embedded")[:1], load("heart", "test", source="embedded")[0])
    assert tr.shape[1] == te.shape[1] == 5 + 3 + 4 + 3 + 3 + 4 + 3
    assert np.isfinite(tr).all() and np.isfinite(te).all()
    np.testing.assert_allclose(tr[:, :5].mean(0), 0, atol=1e-5)  # numerics standardised on train


def test_missing_dataset_names_every_source_tried(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=r"Tried -- local: no folder .*mnist; tfds: .*JAXZOO_DATA_DIR"):
        load("mnist", "train", data_dir=tmp_path)


@pytest.mark.parametrize("kwargs, match", [({"name": "cifar11"}, "unknown dataset 'cifar11'; known datasets"),
                                           ({"name": "iris", "split": "val"}, "unknown split 'val'"),
                                           ({"name": "iris", "source": "tfds"}, "has no source 'tfds'")])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load(**kwargs)
