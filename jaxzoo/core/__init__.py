"""The functional training engine every gradient-trained model of jaxzoo shares."""

from jaxzoo.core.fit import TrainingDivergedError, epochs_to_steps, fit
from jaxzoo.core.optim import make_optimizer, make_schedule
from jaxzoo.core.train import (
                               TrainState,
                               classification_loss,
                               classification_metrics,
                               evaluate,
                               images_to_float,
                               make_train_step,
)

__all__ = ["TrainState", "TrainingDivergedError", "classification_loss", "classification_metrics",
           "epochs_to_steps", "evaluate", "fit", "images_to_float", "make_optimizer", "make_schedule",
           "make_train_step"]
