"""GoogLeNet (Inception v1 with auxiliary classifiers) on Fashion-MNIST: accuracy, confusion, errors."""

from jaxzoo.vision.classify import check_cnn_config, cnn_config, train_named_cnn


def get_config():
    return cnn_config("googlenet", epochs=12, lr=1e-3, width=0.25, augment=True).lock()


def check_config(c):
    check_cnn_config(c)


def run(c, run_dir):
    return train_named_cnn("googlenet", c, run_dir)[0]
