# Put this folder first on PYTHONPATH to run the course as on a machine without MXNet
# (macOS, Windows): `import mxnet` then fails as it does where no wheel exists.
raise ImportError("No module named 'mxnet' (blocked by tests/blocked_mxnet to test the course without MXNet)")
