"""ResNet and pre-activation ResNet on Fashion-MNIST with the same budget; accuracy vs epoch for both."""

from jaxzoo.vision.classify import check_cnn_config, cnn_config, train_named_cnn
from jaxzoo.viz.plots import learning_curves


def get_config():
    c = cnn_config(("resnet", "preact_resnet"), epochs=15, depth=20, augment=True)
    c.optimizer.update({"name": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": True})  # the paper's recipe
    return c.lock()


def check_config(c):
    check_cnn_config(c)


def run(c, run_dir):
    summary, curves = {}, {}
    for name in c.model:
        s, history = train_named_cnn(name, c, run_dir)
        summary |= s
        curves[f"{name}-{c.depth}"] = ([h["epoch"] for h in history], [h["val_accuracy"] for h in history])
    learning_curves(curves, run_dir / "plots" / "resnet_vs_preact_accuracy.png", ylabel="test accuracy",
                    title="Fashion-MNIST: ResNet vs pre-activation ResNet")
    return summary
