"""Logistic regression: 32 values of C x 5 folds on digits, fitted in one compiled call; best C on test."""

import ml_collections

from jaxzoo.classical.base import check_option
from jaxzoo.classical.runs import regularization_path
from jaxzoo.core.config import ConfigError, check_positive


def get_config() -> ml_collections.ConfigDict:
    c = ml_collections.ConfigDict()
    c.dataset = "digits"          # breast_cancer | iris | wine | digits | mnist | fashion_mnist
    c.penalty = "l2"              # l2 | l1 | none
    c.n_values = 32
    c.c_min = 1e-4
    c.c_max = 1e2
    c.n_folds = 5
    c.max_iter = 1000
    c.tol = 1e-4
    c.seed = 0
    c.lock()
    return c


def check_config(config) -> None:
    check_positive(config, "n_values", "c_min", "c_max", "max_iter", "tol")
    if config.n_folds < 2:
        raise ConfigError(f"config.n_folds must be >= 2, got {config.n_folds}")
    if config.c_min >= config.c_max:
        raise ConfigError(f"config.c_min must be below config.c_max, got {config.c_min} >= {config.c_max}")
    try:
        check_option("config.penalty", config.penalty, ("l2", "l1", "none"))
        check_option("config.dataset", config.dataset,
                     ("breast_cancer", "iris", "wine", "digits", "mnist", "fashion_mnist"))
    except ValueError as e:
        raise ConfigError(str(e)) from e


def run(config, run_dir):
    return regularization_path(config, run_dir)
