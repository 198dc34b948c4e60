"""Frontal-face detection with OpenCV's bundled Haar cascade (OpenCV 4.x ships it; 5.x does not)."""
from __future__ import annotations

import queue
from contextlib import contextmanager
from typing import Iterator

import cv2
import numpy as np
from PIL import Image

from . import imaging

# The crawl analyses images in several threads already: OpenCV's own thread pool on top of them
# only makes the threads wait for each other (twice the wall time on two cores, same results).
cv2.setNumThreads(1)
DETECT_SIDE = 400        # faces are found on a grey copy this size: fast, and big enough for groups
# detectMultiScale is not shared safely, and a classifier keeps ~10 MB of working buffers once used:
# classifiers are lent out one per detection, so there are only as many as detections run at once
# (the crawl decodes one image per core), not one per crawl thread.
_idle: queue.SimpleQueue = queue.SimpleQueue()


@contextmanager
def classifier() -> Iterator[cv2.CascadeClassifier]:
    try:
        found = _idle.get_nowait()
    except queue.Empty:
        folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # not in OpenCV's stubs
        found = cv2.CascadeClassifier(folder + "haarcascade_frontalface_default.xml")
        if found.empty():
            raise RuntimeError("OpenCV's frontal-face cascade is missing (OpenCV 4.x is required)") from None
    try:
        yield found
    finally:
        _idle.put(found)


def detect(img: Image.Image) -> list[tuple[int, int, int, int]]:
    """Face boxes (x, y, w, h) in the downscaled copy's coordinates."""
    grey = imaging.grey(img).copy()
    grey.thumbnail((DETECT_SIDE, DETECT_SIDE), Image.Resampling.BILINEAR)
    arr = cv2.equalizeHist(np.asarray(grey, dtype=np.uint8))
    side = max(20, min(arr.shape) // 20)
    with classifier() as cascade:
        boxes = cascade.detectMultiScale(arr, scaleFactor=1.15, minNeighbors=6, minSize=(side, side))
    return [(int(x), int(y), int(w), int(h)) for x, y, w, h in boxes]
