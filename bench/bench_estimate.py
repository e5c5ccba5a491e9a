"""Milliseconds for one hls4ml estimate (:func:`core.hls.estimate.estimate`).

Targets (issue 13, "Speed"): an estimate stays interactive: ≤ 50 ms for the hands-on and muon
models (``handson_cnn``, ``muon_cnn_student``, ``muon_cnn_teacher``, ``jet_mlp``), ≤ 1 s for a
1M-parameter model (a Dense 1000 → 1000 → 10 MLP). Median of repeated calls with the calibration
already loaded (the first call reads it once). Also printed: the features alone
(:func:`core.hls.estimate.features`) and the io_stream variant of each CNN.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable as a plain script
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SMALL_MS = 50.0
LARGE_MS = 1000.0


def _median_ms(fn, repeat: int) -> float:
    fn()  # warm: calibration file, TF shape inference
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(1e3 * (time.perf_counter() - start))
    return statistics.median(times)


def _line(label: str, ms: float, target: float) -> str:
    return f"{label:44s} {ms:8.1f} ms  (target {target:.0f} ms: {'OK' if ms <= target else 'OVER'})"


def main() -> int:
    import tensorflow as tf

    from core.hls.config import HlsSettings, make_config
    from core.hls.estimate import estimate, features
    from core.zoo import build_model

    for name in ("jet_mlp", "handson_cnn", "muon_cnn_student", "muon_cnn_teacher"):
        model = build_model(name)
        config = make_config(model)
        print(
            _line(
                f"{name} ({model.count_params():,} params)",
                _median_ms(lambda m=model, c=config: estimate(m, c), 20),
                SMALL_MS,
            )
        )
        if "cnn" in name:
            stream = make_config(model, HlsSettings(io_type="io_stream"))
            print(_line("  io_stream", _median_ms(lambda m=model, c=stream: estimate(m, c), 20), SMALL_MS))
    big = tf.keras.Sequential(
        [
            tf.keras.layers.Input((1000,)),
            tf.keras.layers.Dense(1000, activation="relu"),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )
    config = make_config(big)
    print(
        _line(
            f"dense 1000-1000-10 ({big.count_params():,} params)",
            _median_ms(lambda: estimate(big, config), 5),
            LARGE_MS,
        )
    )
    print(f"{'  features only':44s} {_median_ms(lambda: features(big, config), 5):8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
