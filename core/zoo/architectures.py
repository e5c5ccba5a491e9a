"""The zoo's architectures. Activations are separate layers so that quantization (QActivation)
and hls4ml see them as layers of their own."""

from __future__ import annotations

from core.zoo import register_zoo_model


def _keras():
    import tensorflow as tf

    return tf.keras


def _seeded(seed: int | None):
    if seed is not None:
        import tensorflow as tf

        tf.keras.utils.set_random_seed(int(seed))


@register_zoo_model(
    "handson_cnn",
    "Hands-on 1: the course's small CNN for the 8x8 digits "
    "(Conv 16 - Pool - Conv 32 - Pool - Dense 128 - Dense 10 softmax, ~22.6k parameters).",
    dataset="digits",
    input_shape=(8, 8, 1),
    n_classes=10,
    seed=0,
)
def handson_cnn(input_shape=(8, 8, 1), n_classes=10, seed=0):
    k = _keras()
    _seeded(seed)
    L = k.layers
    return k.Sequential(
        [
            L.Input(shape=tuple(input_shape), name="input"),
            L.Conv2D(16, (3, 3), padding="same", name="conv1"),
            L.Activation("relu", name="relu1"),
            L.MaxPooling2D((2, 2), name="pool1"),
            L.Conv2D(32, (3, 3), padding="same", name="conv2"),
            L.Activation("relu", name="relu2"),
            L.MaxPooling2D((2, 2), name="pool2"),
            L.Flatten(name="flatten"),
            L.Dense(128, name="fc1"),
            L.Activation("relu", name="relu3"),
            L.Dense(n_classes, name="output"),
            L.Activation("softmax", name="softmax"),
        ],
        name="handson_cnn",
    )


@register_zoo_model(
    "muon_cnn_teacher",
    "Hands-on 2 teacher: a float CNN reading RPC hit maps (6 layers x 64 strips), "
    "regressing q/pT and eta (~130k parameters).",
    dataset="muon_rpc",
    input_shape=(6, 64, 1),
    n_outputs=2,
    seed=0,
)
def muon_cnn_teacher(input_shape=(6, 64, 1), n_outputs=2, seed=0):
    k = _keras()
    _seeded(seed)
    L = k.layers
    return k.Sequential(
        [
            L.Input(shape=tuple(input_shape), name="input"),
            L.Conv2D(16, (3, 3), name="conv1"),
            L.Activation("relu", name="relu1"),
            L.Conv2D(32, (3, 3), name="conv2"),
            L.Activation("relu", name="relu2"),
            L.MaxPooling2D((1, 2), name="pool"),
            L.Flatten(name="flatten"),
            L.Dense(64, name="fc1"),
            L.Activation("relu", name="relu3"),
            L.Dense(32, name="fc2"),
            L.Activation("relu", name="relu4"),
            L.Dense(n_outputs, name="output"),
        ],
        name="muon_cnn_teacher",
    )


@register_zoo_model(
    "muon_cnn_student",
    "Hands-on 2 student: a small CNN meant to be quantized hard (QKeras) and synthesized "
    "(Conv 6 (6x5 stride 1x2) - Dense 20 - Dense 2, ~3.8k parameters).",
    dataset="muon_rpc",
    input_shape=(6, 64, 1),
    n_outputs=2,
    seed=0,
)
def muon_cnn_student(input_shape=(6, 64, 1), n_outputs=2, seed=0):
    k = _keras()
    _seeded(seed)
    L = k.layers
    # One convolution spanning all six layers sees a whole track segment at once: the cheapest
    # way for a small network to measure the bending, and cheap on an FPGA (few, wide kernels).
    # Measured at 4 bits (20k events, 15 epochs, 3 seeds): 6 kernels 5 strips wide and 20 hidden units
    # give a pT resolution of ~0.42 against ~0.52 for 4 kernels 3 wide and 16 units (~2.1k parameters),
    # both with an 8-bit output layer (see STUDENT_QUANT in core.walkthrough).
    return k.Sequential(
        [
            L.Input(shape=tuple(input_shape), name="input"),
            L.Conv2D(6, (input_shape[0], 5), strides=(1, 2), name="conv1"),
            L.Activation("relu", name="relu1"),
            L.Flatten(name="flatten"),
            L.Dense(20, name="fc1"),
            L.Activation("relu", name="relu2"),
            L.Dense(n_outputs, name="output"),
        ],
        name="muon_cnn_student",
    )


@register_zoo_model(
    "jet_mlp",
    "hls4ml's jet-tagging benchmark 16-64-32-32-5 (architecture only, for synthesis studies; "
    "JINST 13 P07027).",
    dataset=None,
    n_inputs=16,
    n_classes=5,
    seed=0,
)
def jet_mlp(n_inputs=16, n_classes=5, seed=0):
    k = _keras()
    _seeded(seed)
    L = k.layers
    return k.Sequential(
        [
            L.Input(shape=(n_inputs,), name="input"),
            L.Dense(64, name="fc1"),
            L.Activation("relu", name="relu1"),
            L.Dense(32, name="fc2"),
            L.Activation("relu", name="relu2"),
            L.Dense(32, name="fc3"),
            L.Activation("relu", name="relu3"),
            L.Dense(n_classes, name="output"),
            L.Activation("softmax", name="softmax"),
        ],
        name="jet_mlp",
    )
