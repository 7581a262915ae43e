"""Every classical classifier on the bundled tabular sets, decision boundaries on iris, t-SNE + k-means on digits."""

import ml_collections

from jaxzoo.classical.runs import tour
from jaxzoo.core.config import ConfigError, check_positive


def get_config() -> ml_collections.ConfigDict:
    c = ml_collections.ConfigDict()
    c.datasets = ("breast_cancer", "iris", "wine", "digits")
    c.compare_sklearn = True
    c.tsne_points = 1797
    c.perplexity = 30.0
    c.seed = 0
    c.lock()
    return c


def check_config(config) -> None:
    check_positive(config, "tsne_points", "perplexity")
    known = ("breast_cancer", "iris", "wine", "digits")
    bad = [d for d in config.datasets if d not in known]
    if bad:
        raise ConfigError(f"config.datasets has unknown {bad}; allowed: {', '.join(known)}")
    if config.perplexity >= config.tsne_points:
        raise ConfigError(f"config.perplexity ({config.perplexity}) must be below config.tsne_points")


def run(config, run_dir):
    return tour(config, run_dir)
