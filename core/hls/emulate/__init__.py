"""Fixed-point emulation of hls4ml firmware (see :mod:`core.hls.emulate.base`)."""
