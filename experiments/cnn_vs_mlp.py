"""CNN vs MLP on Fashion-MNIST: the same data, epochs and optimizer; test accuracy vs epoch for both.

The CNN trains with crop/flip augmentation (``augment``), the MLP without it by default (``mlp_augment``):
shifted crops cost a fully connected network accuracy (86.78% with them, 12 epochs)."""

from jaxzoo.vision.classify import check_cnn_config, cnn_config, load_images, report, train_classifier, train_named_cnn
from jaxzoo.vision.mlp import MLP
from jaxzoo.vision.zoo import training_loss
from jaxzoo.viz.plots import learning_curves


def get_config():
    c = cnn_config("alexnet", epochs=12, lr=1e-3, width=0.5, augment=True)
    c.mlp_hidden = (512, 256)
    c.mlp_dropout = 0.2
    c.mlp_augment = False
    return c.lock()


def check_config(c):
    check_cnn_config(c)


def run(c, run_dir):
    train = load_images("fashion_mnist", "train", limit=c.train_limit, seed=c.seed)
    test = load_images("fashion_mnist", "test")
    summary, cnn_history = train_named_cnn(c.model, c, run_dir, train=train, test=test)
    mlp_state, mlp_history = train_classifier(
        MLP(tuple(c.mlp_hidden), 10, c.mlp_dropout), train, test, c, run_dir / "mlp",
        loss_fn=lambda apply_fn: training_loss("mlp", apply_fn, augment=c.mlp_augment))
    summary |= report(mlp_state, test, run_dir, "mlp", "fashion_mnist")
    curves = {f"CNN ({c.model})": ([h["epoch"] for h in cnn_history], [h["val_accuracy"] for h in cnn_history]),
              "MLP": ([h["epoch"] for h in mlp_history], [h["val_accuracy"] for h in mlp_history])}
    learning_curves(curves, run_dir / "plots" / "cnn_vs_mlp_accuracy.png", ylabel="test accuracy",
                    title="Fashion-MNIST: CNN vs MLP (same epochs and optimizer)")
    return summary
