"""A small, deterministic PyTorch training loop for classifiers on arrays held in memory.

PyTorch is imported inside the functions, so importing ``course_utils`` does
not require it. Everything random (initial weights aside, which the caller
seeds) comes from a ``torch.Generator`` seeded by ``seed``.
"""
from __future__ import annotations

from typing import Any, List

import numpy as np

from .progress import progress

__all__ = ["accuracy", "train_classifier"]


def _as_batch(images: Any, labels: Any = None):
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[:, None]  # (n, h, w) -> (n, 1, h, w): one channel
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"images must have shape (n, h, w) or (n, c, h, w) with n >= 1; got {images.shape}")
    if labels is None:
        return images, None
    labels = np.asarray(labels)
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integers with shape ({len(images)},) to match images {images.shape}; "
                         f"got {labels.dtype} with shape {labels.shape}")
    return images, labels.astype(np.int64)


def train_classifier(model: Any, images: Any, labels: Any, *, epochs: int = 30, learning_rate: float = 1e-2,
                     batch_size: int = 64, seed: int = 0, description: str = "training") -> List[float]:
    """Train ``model`` (a ``torch.nn.Module`` returning logits) with Adam and cross-entropy.

    Returns the mean training loss of each epoch. A progress bar is shown in notebooks.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}")
    for name, value in (("epochs", epochs), ("batch_size", batch_size), ("seed", seed)):
        if isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == "seed" else 1):
            raise ValueError(f"{name} must be a positive int; got {value!r}")
    if not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise ValueError(f"learning_rate must be a positive number; got {learning_rate!r}")
    images, labels = _as_batch(images, labels)
    X, y = torch.from_numpy(images), torch.from_numpy(labels)
    generator = torch.Generator().manual_seed(seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=learning_rate)
    history = []
    model.train()
    for _ in progress(range(epochs), description=description):
        order = torch.randperm(len(y), generator=generator)
        total, count = 0.0, 0
        for start in range(0, len(y), batch_size):
            batch = order[start:start + batch_size]
            loss = torch.nn.functional.cross_entropy(model(X[batch]), y[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
            count += len(batch)
        history.append(total / count)
    model.eval()
    return history


def accuracy(model: Any, images: Any, labels: Any) -> float:
    """Fraction of ``images`` whose highest logit is the right label."""
    import torch

    images, labels = _as_batch(images, labels)
    with torch.no_grad():
        predicted = model(torch.from_numpy(images)).argmax(dim=1).numpy()
    return float(np.mean(predicted == labels))
