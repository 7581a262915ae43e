"""Datasets as numpy arrays (`load`), preprocessing for tabular data."""

from jaxzoo.data.datasets import DATASETS, DatasetNotFoundError, load
from jaxzoo.data.tabular import heart_features

__all__ = ["DATASETS", "DatasetNotFoundError", "load", "heart_features"]
