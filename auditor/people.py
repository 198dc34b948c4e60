"""Who is pictured in a photograph. Two small networks, run by ONNX Runtime:

- a person detector (SSDLite MobileNetV2 trained to find people), which sees people from behind,
  far away or partly in frame;
- CenterFace, a face detector trained on WIDER FACE (crowds, profiles, small and half-hidden
  faces), which tells faces clear enough to recognise someone from faces too small or unsure to.

Faces are looked for only where the person detector sees at least a faint chance of a person: a
cat's face or a face-like pattern on its own is not a person. Both models ship inside this package
(data/models, with their licence notices): nothing is downloaded at run time and no OpenCV data
files (Haar cascades) are needed, so OpenCV 4 and 5 both work. ONNX Runtime runs them in about
two thirds of the time OpenCV 5's DNN module takes. `look` is a pure function of a
decoded image, so it can run in any thread or process.
"""
from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from importlib import resources
from types import ModuleType
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image

from .decoding import flatten, upright

if TYPE_CHECKING:
    import onnxruntime as ort

# The crawl analyses images in several threads already: OpenCV's own thread pool on top of them
# only makes the threads wait for each other.
cv2.setNumThreads(1)

PERSON = 0.30             # person detector's score at which someone is taken to be pictured
PERSON_MAYBE = 0.10       # ... below which faces are not looked for
PERSON_SURE = 0.90        # ... at which someone is clearly pictured
FACE = 0.60               # face detector's score at which a face is taken to be seen
CLEAR = 0.50              # (also at least this score, once seen) and at least this share of the
CLEAR_SIDE = 0.02         # photo's longer side: a face clear enough to recognise someone
FACE_SIDE = 320           # the photo is shrunk to fit this square (multiple of 32) for faces
FACE_SIDE_CLOSER = 544    # ... or this one, for a closer look where people are seen without a clear face
PERSON_SIDE = 300         # ... and stretched to this square for people (as the network was trained)
NMS_OVERLAP = 0.3


@dataclass(frozen=True)
class Sighting:
    """What the detectors saw: faces clear enough to recognise someone, other faces (far away,
    blurred, turned away), and whether anyone is pictured at all."""
    faces: int = 0
    unclear: int = 0
    people: bool = False

    def describe(self) -> str:
        """In plain words, for the report: "3 faces", "people seen from behind or far away"."""
        if self.faces:
            more = f" and {self.unclear} more too small to recognise" if self.unclear else ""
            return f"{self.faces} face{'s' if self.faces != 1 else ''}{more}"
        if self.unclear:
            return f"{self.unclear} face{'s' if self.unclear != 1 else ''} too small or blurred to recognise"
        return "people seen from behind, far away or in part" if self.people else "nobody"

    def to_facts(self) -> dict[str, object]:
        return {"people": self.people, "faces": self.faces, "unclear_faces": self.unclear}

    @classmethod
    def from_facts(cls, facts: dict) -> "Sighting":
        return cls(int(facts.get("faces") or 0), int(facts.get("unclear_faces") or 0), bool(facts.get("people")))


def look(img: Image.Image) -> Sighting:
    """Who is pictured in a decoded image (any size: it is shrunk first; transparency ignored)."""
    rgb = np.asarray(flatten(upright(img)))
    person = person_score(rgb)
    if person < PERSON_MAYBE:
        return Sighting()
    seen, clear = _judged(*faces(rgb))
    if person >= PERSON and not clear.any():
        # someone is pictured but no face is clear at the first size: the faces of a group or a
        # child in a busy scene are often too small for it, so look again, closer
        seen, clear = _judged(*faces(rgb, FACE_SIDE_CLOSER))
    return Sighting(faces=int(clear.sum()), unclear=int((seen & ~clear).sum()),
                    people=bool(person >= PERSON or seen.any()))


def _judged(scores: np.ndarray, sides: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which faces are seen, and which of those are clear enough to recognise someone."""
    seen = scores >= FACE
    return seen, seen & (scores >= CLEAR) & (sides >= CLEAR_SIDE)


def clearly_pictured(img: Image.Image) -> bool:
    """Whether the person detector is sure someone is pictured (for images that are not clearly
    photographs)."""
    return person_score(np.asarray(flatten(upright(img)))) >= PERSON_SURE


# --- the networks ------------------------------------------------------------------------------

class _Network:
    """One network, loaded when first used and shared by the threads of the process: ONNX Runtime
    lets several threads run one session at once, and each copy would hold some 30 MB."""

    def __init__(self, name: str):
        self.name, self.lock = name, threading.Lock()
        self.session: ort.InferenceSession | None = None

    def run(self, outputs: list[str] | None, blob: np.ndarray) -> list[np.ndarray]:
        with self.lock:
            if self.session is None:
                self.session = _session(self.name)
        return self.session.run(outputs, {self.session.get_inputs()[0].name: blob})


def runtime() -> ModuleType:
    """ONNX Runtime, imported where a photo is analysed (a decoding worker), never in the audit's
    own process, which only reads what the workers saw."""
    # Its wheel collects usage telemetry on Linux too, from the moment it is imported (a device
    # identifier and a queue of events under ~/.cache, and a warning on stderr where it cannot
    # write there): an audit sends nothing anywhere it was not asked to, and cron mails any output.
    os.environ["ORT_DISABLE_TELEMETRY"] = "1"
    import onnxruntime
    return onnxruntime


def _session(name: str) -> ort.InferenceSession:
    ort = runtime()
    options = ort.SessionOptions()
    # the crawl analyses images in several threads or processes already: a thread pool per
    # session on top of them only makes them wait for each other
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.enable_cpu_mem_arena = False        # hand memory back between photos
    options.log_severity_level = 3              # errors only; warnings are for model authors
    path = str(resources.files("auditor") / "data" / "models" / name)
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


_face_net = _Network("centerface.onnx")
_person_net = _Network("person_ssdlite.onnx")
PERSON_OUTPUTS = [f"BoxPredictor_{i}/ClassPredictor/BiasAdd" for i in range(6)]


def faces(rgb: np.ndarray, side: int = FACE_SIDE, threshold: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """(scores, heights as a share of the photo's longer side) of the faces found in an RGB array
    shrunk to fit a square of `side`, overlapping boxes merged."""
    scale = side / max(rgb.shape[:2])
    width, height = max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale))
    # the network takes any size in multiples of 32: pad the shorter side only that far
    canvas = np.zeros((-(-height // 32) * 32, -(-width // 32) * 32, 3), np.uint8)
    canvas[:height, :width] = cv2.resize(rgb, (width, height), interpolation=cv2.INTER_AREA)
    heat, size = _face_net.run(["537", "538"], cv2.dnn.blobFromImage(canvas))   # RGB 0-255, unscaled
    heat, size = heat[0, 0], size[0]
    rows, cols = np.nonzero(heat >= threshold)
    if not len(rows):
        return np.empty(0), np.empty(0)
    scores = heat[rows, cols]
    # sizes are predicted as logarithms on a grid of 4 pixels
    h = 4 * np.exp(np.clip(size[0, rows, cols], -10, 10))
    w = 4 * np.exp(np.clip(size[1, rows, cols], -10, 10))
    boxes = np.stack([(cols + 0.5) * 4 - w / 2, (rows + 0.5) * 4 - h / 2, w, h], axis=1)
    keep = np.asarray(cv2.dnn.NMSBoxes(boxes.tolist(), scores.tolist(), threshold, NMS_OVERLAP), dtype=int).ravel()
    return scores[keep], np.minimum(h[keep], side) / side


def person_score(rgb: np.ndarray) -> float:
    """The person detector's highest score (0-1) anywhere in the photo."""
    square = cv2.resize(rgb, (PERSON_SIDE, PERSON_SIDE), interpolation=cv2.INTER_AREA)
    outputs = _person_net.run(PERSON_OUTPUTS, cv2.dnn.blobFromImage(square, 2 / 255, mean=(127.5, 127.5, 127.5)))  # to -1..1
    # scores come in pairs per anchor box (background, person); where the boxes are is not needed
    # to say whether someone is there
    logits = np.concatenate([out.transpose(0, 2, 3, 1).reshape(-1, 2) for out in outputs])
    return float(1 / (1 + math.exp(-float(logits[:, 1].max()))))

