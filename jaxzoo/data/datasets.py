"""`load(name, split)`: datasets as numpy arrays, from local files, tensorflow-datasets or scikit-learn.

Sources are tried in order (unless `source=` picks one):

1. ``local``    a folder of standard files: ``$JAXZOO_DATA_DIR`` (or ``data_dir=``), laid out as
                ``mnist/*-idx?-ubyte.gz``, ``fashion-mnist/*.gz``, ``tabular/heart_cleveland.csv``;
2. ``tfds``     tensorflow-datasets' random-access ``tfds.data_source`` (prepared datasets only:
                nothing is downloaded unless ``download=True``);
3. ``sklearn``  the sets bundled inside scikit-learn (digits, iris, wine, breast_cancer);
4. ``embedded`` small sets shipped inside jaxzoo (heart).

Images come back as ``uint8`` arrays of shape ``(N, H, W, C)`` (NHWC), labels as ``int32``; tabular
features as ``float32`` with ``nan`` for missing values.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

SPLITS = ("train", "test", "all")
SOURCES = ("local", "tfds", "sklearn", "embedded")


class DatasetNotFoundError(ValueError):
    """No source could provide the dataset; the message says what was tried and how to fix it."""


@dataclass(frozen=True)
class _Spec:
    sources: tuple[str, ...]
    local_dir: str = ""
    tfds_name: str = ""
    sklearn_name: str = ""
    num_classes: int = 0


_IDX = {"train": "train", "test": "t10k"}
DATASETS = {
    "mnist": _Spec(("local", "tfds"), local_dir="mnist", tfds_name="mnist", num_classes=10),
    "fashion_mnist": _Spec(("local", "tfds"), "fashion-mnist", "fashion_mnist", num_classes=10),
    "digits": _Spec(("sklearn",), sklearn_name="load_digits", num_classes=10),
    "iris": _Spec(("sklearn",), sklearn_name="load_iris", num_classes=3),
    "wine": _Spec(("sklearn",), sklearn_name="load_wine", num_classes=3),
    "breast_cancer": _Spec(("sklearn",), sklearn_name="load_breast_cancer", num_classes=2),
    "heart": _Spec(("local", "embedded"), local_dir="tabular", num_classes=2),
}
HEART_COLUMNS = ("age", "sex", "cp", "trestbps", "chol", "fbs", "restecg", "thalach", "exang",
                 "oldpeak", "slope", "ca", "thal")


def data_dir() -> Path | None:
    d = os.environ.get("JAXZOO_DATA_DIR")
    return Path(d) if d else None


def load(name: str, split: str = "train", *, source: str | None = None, data_dir: str | Path | None = None,
         download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(x, y)`` numpy arrays for ``name`` / ``split``.

    Datasets without an official split (the scikit-learn and heart sets) are split 80/20, stratified,
    with a fixed seed, so "train" and "test" never overlap; "all" returns every row.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(sorted(DATASETS))}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r} for {name!r}; allowed: {', '.join(SPLITS)}")
    spec = DATASETS[name]
    if source is not None and source not in spec.sources:
        raise ValueError(f"dataset {name!r} has no source {source!r}; its sources: {', '.join(spec.sources)}")
    root = Path(data_dir) if data_dir is not None else globals()["data_dir"]()
    tried = []
    for src in ((source,) if source else spec.sources):
        try:
            return _LOADERS[src](name, spec, split, root=root, download=download)
        except _Unavailable as e:
            tried.append(f"{src}: {e}")
    hint = "Set JAXZOO_DATA_DIR to a folder holding the standard files"
    if spec.tfds_name:
        hint += f", or prepare it with tensorflow-datasets (`tfds build {spec.tfds_name}`)"
    raise DatasetNotFoundError(f"dataset {name!r} ({split}) is not available here. Tried -- "
                               + "; ".join(tried) + f". {hint}.")


class _Unavailable(Exception):
    pass


# ---------------------------------------------------------------- local files
def _read_idx(path: Path) -> np.ndarray:
    with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[:4], "big")
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte
        raise ValueError(f"{path} is not an unsigned-byte IDX file (magic {magic:#x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _idx_split(folder: Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    def find(kind: str) -> Path:
        for suffix in (".gz", ""):
            p = folder / f"{_IDX[split]}-{kind}-idx{3 if kind == 'images' else 1}-ubyte{suffix}"
            if p.exists():
                return p
        raise _Unavailable(f"no {_IDX[split]}-{kind} IDX file in {folder}")
    x = _read_idx(find("images"))[..., None]
    y = _read_idx(find("labels")).astype(np.int32)
    return x, y


def _load_local(name, spec, split, *, root, download):
    if root is None:
        raise _Unavailable("JAXZOO_DATA_DIR is not set")
    folder = root / spec.local_dir
    if not folder.is_dir():
        raise _Unavailable(f"no folder {folder}")
    if name == "heart":
        path = folder / "heart_cleveland.csv"
        if not path.exists():
            raise _Unavailable(f"no file {path}")
        return _split_rows(*_parse_heart(path.read_text()), split)
    if split == "all":
        parts = [_idx_split(folder, s) for s in ("train", "test")]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    return _idx_split(folder, split)


# ---------------------------------------------------------------- tensorflow-datasets
def _load_tfds(name, spec, split, *, root, download):
    try:
        import tensorflow_datasets as tfds
    except ImportError as e:  # pragma: no cover - it is a dependency
        raise _Unavailable(f"tensorflow-datasets is not installed ({e})") from e
    tfds_split = "train+test" if split == "all" else split
    try:
        ds = tfds.data_source(spec.tfds_name, split=tfds_split, download=download)
    except Exception as e:  # tfds raises several types for "not prepared"
        raise _Unavailable(f"tfds.data_source({spec.tfds_name!r}) failed: {type(e).__name__}: "
                           f"{str(e).splitlines()[0] if str(e) else ''}") from e
    n = len(ds)
    if n == 0:
        raise _Unavailable(f"tfds {spec.tfds_name!r} split {tfds_split!r} is empty")
    try:
        items = ds.__getitems__(list(range(n)))  # one batched read where the source supports it
    except (AttributeError, TypeError):
        items = [ds[i] for i in range(n)]
    x = np.stack([np.asarray(it["image"], np.uint8) for it in items])
    y = np.asarray([it["label"] for it in items], np.int32)
    if x.ndim == 3:
        x = x[..., None]
    return x, y


# ---------------------------------------------------------------- scikit-learn bundled sets
def _load_sklearn(name, spec, split, *, root, download):
    try:
        import sklearn.datasets as skd
    except ImportError as e:  # pragma: no cover
        raise _Unavailable(f"scikit-learn is not installed ({e})") from e
    bunch = getattr(skd, spec.sklearn_name)()
    x = bunch.data.astype(np.float32)
    if name == "digits":  # 8x8 images with 17 grey levels (0..16) -> uint8 NHWC like the other image sets
        x = np.rint(bunch.data * (255.0 / 16.0)).astype(np.uint8).reshape(-1, 8, 8, 1)
    return _split_rows(x, bunch.target.astype(np.int32), split)


# ---------------------------------------------------------------- shipped inside jaxzoo
def _load_embedded(name, spec, split, *, root, download):
    text = resources.files("jaxzoo.data").joinpath("embedded/heart_cleveland.csv").read_text()
    return _split_rows(*_parse_heart(text), split)


def _parse_heart(text: str) -> tuple[np.ndarray, np.ndarray]:
    """UCI Cleveland: 13 features (nan where missing) and the binary target ``num > 0``."""
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    if tuple(header[:13]) != HEART_COLUMNS or header[13] != "num":
        raise ValueError(f"unexpected heart-disease header {header}")
    rows = [[float(v) if v.strip() else np.nan for v in ln.split(",")] for ln in lines[1:]]
    table = np.asarray(rows, np.float32)
    return table[:, :13], (table[:, 13] > 0).astype(np.int32)


def _split_rows(x: np.ndarray, y: np.ndarray, split: str, test_fraction: float = 0.2, seed: int = 0):
    """A fixed stratified split: the same rows in "test" on every machine."""
    if split == "all":
        return x, y
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), bool)
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        test[rng.permutation(idx)[: int(round(test_fraction * len(idx)))]] = True
    keep = test if split == "test" else ~test
    return x[keep], y[keep]


_LOADERS = {"local": _load_local, "tfds": _load_tfds, "sklearn": _load_sklearn, "embedded": _load_embedded}
