"""Transfer learning on Fashion-MNIST: pretrain on classes 0-4, transfer to 5-9; frozen vs fine-tune vs scratch."""

import ml_collections

from jaxzoo.core.config import ConfigError, check_positive
from jaxzoo.vision.transfer_study import transfer_study
from jaxzoo.viz.plots import learning_curves


def get_config():
    c = ml_collections.ConfigDict()
    c.arch = "cifar_resnet8"  # any jaxzoo.vision.resnet name, e.g. resnet34 (with torchvision weights loaded)
    c.source_classes = (0, 1, 2, 3, 4)  # T-shirt, Trouser, Pullover, Dress, Coat
    c.target_classes = (5, 6, 7, 8, 9)  # Sandal, Shirt, Sneaker, Bag, Ankle boot
    c.amounts = (50, 200, 1000, 5000)  # labelled target examples
    c.pretrain_epochs = 3
    c.pretrain_limit = 0
    c.steps = 150  # optimizer steps per transfer run
    c.batch_size = 64
    c.seed = 0
    c.progress = False
    c.optimizer = ml_collections.ConfigDict({"name": "adam", "lr": 2e-3, "schedule": "cosine"})
    return c.lock()


def check_config(c):
    check_positive(c, "pretrain_epochs", "steps", "batch_size", "optimizer.lr")
    if set(c.source_classes) & set(c.target_classes):
        raise ConfigError(f"config.source_classes {c.source_classes} and target_classes {c.target_classes} "
                          "must not overlap")
    if not c.amounts or min(c.amounts) <= 0:
        raise ConfigError(f"config.amounts must be positive counts of labelled examples, got {c.amounts}")


def run(c, run_dir):
    results = transfer_study(c.arch, c.source_classes, c.target_classes, c.amounts, c.to_dict(), run_dir)
    curves = {mode: (list(c.amounts), accs) for mode, accs in results.items()}
    learning_curves(curves, run_dir / "plots" / "transfer_accuracy_vs_labels.png",
                    xlabel="labelled target examples", ylabel="target test accuracy",
                    title=f"{c.arch}: pretrained on classes {list(c.source_classes)}")
    return {f"{mode}_{n}": acc for mode, accs in results.items() for n, acc in zip(c.amounts, accs)}
