"""Classical machine learning from scratch in JAX: pure ``fit`` / ``predict`` functions, scikit-learn-style classes.

Every estimator jits, and every loop over folds, bootstrap replicas, restarts or hyperparameter values is
a ``vmap``: see ``model_selection.grid_search`` and ``ensemble.Bagging``.
"""

from jaxzoo.classical.base import Estimator, NotFittedError
from jaxzoo.classical.clustering import KMeans
from jaxzoo.classical.decomposition import PCA
from jaxzoo.classical.ensemble import Bagging, Voting
from jaxzoo.classical.linear import ElasticNet, Lasso, LinearRegression, Ridge
from jaxzoo.classical.linear_units import Adaline, Perceptron
from jaxzoo.classical.logistic import LogisticRegression
from jaxzoo.classical.manifold import TSNE
from jaxzoo.classical.model_selection import KFold, StratifiedKFold, cross_val_score, grid_search
from jaxzoo.classical.naive_bayes import GaussianNB
from jaxzoo.classical.neighbors import KNeighborsClassifier, KNeighborsRegressor

__all__ = [
           "PCA",
           "TSNE",
           "Adaline",
           "Bagging",
           "ElasticNet",
           "Estimator",
           "GaussianNB",
           "KFold",
           "KMeans",
           "KNeighborsClassifier",
           "KNeighborsRegressor",
           "Lasso",
           "LinearRegression",
           "LogisticRegression",
           "NotFittedError",
           "Perceptron",
           "Ridge",
           "StratifiedKFold",
           "Voting",
           "cross_val_score",
           "grid_search",
]
