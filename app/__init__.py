"""TrigLab's desktop app (Qt only). Everything that computes lives in ``core``."""
