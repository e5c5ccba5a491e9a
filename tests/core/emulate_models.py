"""Tiny functional models for the emulator and auto-precision tests (a merge model and a CNN with
'same' pooling, padding, up-sampling, a transpose and global average pooling), with inputs."""

from __future__ import annotations

import numpy as np


def _keras():
    import tensorflow as tf

    return tf.keras


def _seeded(model, seed):
    """``model`` with reproducible weights (normal, scale 1/sqrt(fan-in); biases 0.1 x normal)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        weights = layer.get_weights()
        if weights:
            kernel = weights[0]
            fan_in = int(np.prod(kernel.shape[:-1])) or 1
            new = [rng.normal(0.0, 1.0 / np.sqrt(fan_in), kernel.shape)]
            new += [0.1 * rng.normal(size=w.shape) for w in weights[1:]]
            layer.set_weights([w.astype(np.float32) for w in new])
    return model


def merge_model():
    k = _keras()
    inp = k.Input((8,), name="inp")
    a = k.layers.Dense(6, activation="relu", name="a")(inp)
    b = k.layers.Dense(6, name="b")(inp)
    s = k.layers.Add(name="add")([a, b])
    m = k.layers.Multiply(name="mul")([a, b])
    av = k.layers.Average(name="avg")([s, b])
    sb = k.layers.Subtract(name="sub")([m, av])
    c = k.layers.Concatenate(name="cat")([sb, a])
    out = k.layers.Dense(3, activation="softmax", name="out")(k.layers.Dropout(0.3, name="drop")(c))
    return _seeded(k.Model(inp, out), 10), np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)


def pooling_model():
    k = _keras()
    inp = k.Input((9, 9, 2), name="inp")
    h = k.layers.ZeroPadding2D(((1, 0), (2, 1)), name="zp")(inp)
    h = k.layers.Conv2D(3, 3, padding="same", activation="relu", name="c1")(h)
    h = k.layers.UpSampling2D((2, 1), name="up")(h)
    h = k.layers.MaxPooling2D(3, strides=2, padding="same", name="mp")(h)  # pads a ReLU's output
    h = k.layers.AveragePooling2D(3, strides=2, padding="same", name="ap")(h)
    h = k.layers.Permute((2, 1, 3), name="transp")(h)  # hls4ml breaks on a Permute named "perm"
    h = k.layers.Conv2D(2, 1, name="c2")(h)
    h = k.layers.GlobalAveragePooling2D(name="gap")(h)
    out = k.layers.Dense(3, activation="softmax", name="out")(h)
    return _seeded(k.Model(inp, out), 11), np.random.default_rng(1).normal(size=(200, 9, 9, 2)).astype(
        np.float32
    )


def batchnorm_qkeras_model():
    """A separable convolution, a kept BatchNormalization, a QDense with an alpha scale (hls4ml's
    ``<layer>_alpha`` node) and a BatchNormalization + binary activation (``bnbt_<bn>``)."""
    from qkeras import QActivation, QDense, quantized_bits

    k = _keras()
    inp = k.Input((5, 5, 2), name="inp")
    h = k.layers.SeparableConv2D(3, 3, name="sep")(inp)
    h = k.layers.BatchNormalization(name="bn")(h)
    h = k.layers.Activation("relu", name="relu")(h)
    h = k.layers.Flatten(name="fl")(h)
    h = QDense(6, kernel_quantizer=quantized_bits(6, 0), bias_quantizer=quantized_bits(6, 0), name="qa")(h)
    h = QDense(
        4,
        kernel_quantizer=quantized_bits(6, 0, alpha=1),
        bias_quantizer=quantized_bits(6, 0, alpha=1),
        name="qd",
    )(h)
    h = k.layers.BatchNormalization(name="bn2")(h)
    out = QActivation("binary()", name="bin")(h)
    model = _seeded(k.Model(inp, out), 12)
    rng = np.random.default_rng(3)
    for name in ("bn", "bn2"):
        layer = model.get_layer(name)
        n = layer.get_weights()[0].shape[0]
        layer.set_weights(
            [rng.uniform(0.5, 2, n), rng.normal(0, 0.5, n), rng.normal(0, 0.5, n), rng.uniform(0.3, 3, n)]
        )
    return model, np.random.default_rng(2).normal(size=(300, 5, 5, 2)).astype(np.float32)
