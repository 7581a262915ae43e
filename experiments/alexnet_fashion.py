"""AlexNet (small-image adaptation) on Fashion-MNIST: test accuracy, confusion matrix, misclassified items."""

from jaxzoo.vision.classify import check_cnn_config, cnn_config, train_named_cnn


def get_config():
    return cnn_config("alexnet", epochs=12, lr=1e-3, width=0.5, augment=True).lock()


def check_config(c):
    check_cnn_config(c)


def run(c, run_dir):
    return train_named_cnn("alexnet", c, run_dir)[0]
