"""Held-out evaluation: interactive mIoU after 1..5 simulated clicks, mIoU from a box prompt, and
detector AP@0.5.

Runs the export wrappers (onnx_modules) in PyTorch, so the numbers describe the exported graphs.
The model may run on a GPU (``device``); the clicks (scipy) and IoUs are computed on the CPU."""
from __future__ import annotations

import time

import numpy as np
import torch
import torch.nn.functional as F

from .batches import MIN_PROMPT_AREA, whole_boxes
from .clicks import farthest_point, next_click
from .constants import LOW_RES_SIZE
from .dataset import ImageRecord, load_snapshot
from .model import SamModel
from .model.detector import decode_boxes
from .onnx_modules import DecoderOnnx, DetectorOnnx, postprocess_masks
from .preprocess import coord_scale, preprocess_image
from .progress import emit

MAX_CLICKS = 5
DIAGNOSTICS = 4  # per-mask 1-click columns after the 5 IoUs (interactive_ious)
DET_SCORE_THRESHOLD = 0.05
DET_MAX = 100
DET_NMS_IOU = 0.5
AP_IOU = 0.5


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def _decode_low_res(decoder: DecoderOnnx, src: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor,
                    mask_input: torch.Tensor, has_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """DecoderOnnx minus the upscaling, which is per channel (callers upscale only the channel they pick):
    src (``mask_decoder.project`` rows) → (low-res logits [n, 4, 256, 256], iou predictions [n, 4])."""
    with torch.no_grad():
        sparse = decoder.prompt_encoder.embed_points(coords, labels)
        dense = decoder.prompt_encoder.dense_embedding(coords, labels, mask_input, has_mask)
        return decoder.mask_decoder(src, decoder.prompt_encoder.dense_pe(), sparse, dense,
                                    prompt=(coords, labels, has_mask))


def click_prompts(clicks: list[list[tuple[float, float, float]]], sx: float, sy: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Every row's clicks (x, y, label in original pixels, the same count per row) plus SAM's padding
    point → (coords [n, k + 1, 2] in the 1024 frame, labels [n, k + 1])."""
    n, k = len(clicks), len(clicks[0])
    coords = torch.zeros(n, k + 1, 2)
    labels = torch.full((n, k + 1), -1.0)
    for i, cl in enumerate(clicks):
        for j, (x, y, lab) in enumerate(cl):
            coords[i, j] = torch.tensor([x * sx, y * sy])
            labels[i, j] = lab
    return coords, labels


def interactive_ious(decoder: DecoderOnnx, emb: torch.Tensor, rec: ImageRecord, masks: list[np.ndarray]) -> np.ndarray:
    """[len(masks), MAX_CLICKS + DIAGNOSTICS] IoUs after 1..5 clicks, then the 1-click diagnostics: the
    oracle (best of channels 1–3 by true IoU), channel 0, the returned mask's predicted IoU, and
    whether the returned mask is the best of the three (1/0). All masks of an image form one batch per round."""
    n = len(masks)
    dev = emb.device
    sx, sy = coord_scale(rec.height, rec.width)
    size = torch.tensor([float(rec.height), float(rec.width)])  # stays on the CPU: it gives the crop's sizes
    clicks: list[list[tuple[float, float, float]]] = []
    for m in masks:
        x, y = farthest_point(m)
        clicks.append([(x, y, 1.0)])
    prev = torch.zeros(n, 1, LOW_RES_SIZE, LOW_RES_SIZE, device=dev)
    has_mask = torch.zeros(n, device=dev)
    out = np.zeros((n, MAX_CLICKS + DIAGNOSTICS), np.float32)
    with torch.no_grad():
        src = decoder.mask_decoder.project(emb).expand(n, -1, -1, -1)
    for r in range(MAX_CLICKS):
        coords, labels = click_prompts(clicks, sx, sy)
        low, iou = _decode_low_res(decoder, src, coords.to(dev), labels.to(dev), prev, has_mask)
        if r == 0:  # one click, no mask: the best ambiguity mask by predicted IoU (tokens 1..3)
            pick = iou[:, 1:].argmax(1) + 1
            with torch.no_grad():
                every = (postprocess_masks(low, size) > 0).cpu().numpy()
            for i in range(n):
                per = [_iou(every[i, k], masks[i]) for k in range(4)]
                out[i, MAX_CLICKS] = max(per[1:])
                out[i, MAX_CLICKS + 1] = per[0]
                out[i, MAX_CLICKS + 2] = float(iou[i, pick[i]])
                out[i, MAX_CLICKS + 3] = float(per[int(pick[i])] >= max(per[1:]) - 1e-9)
        else:
            pick = torch.zeros(n, dtype=torch.long, device=dev)
        rows = torch.arange(n, device=dev)
        prev = low[rows, pick].unsqueeze(1)
        with torch.no_grad():
            pred = (postprocess_masks(prev, size)[:, 0] > 0).cpu().numpy()
        has_mask = torch.ones(n, device=dev)
        for i in range(n):
            out[i, r] = _iou(pred[i], masks[i])
            if r + 1 < MAX_CLICKS:
                c = next_click(pred[i], masks[i])
                clicks[i].append(c if c is not None else (0.0, 0.0, -1.0))
    return out


def box_prompts(masks: list[np.ndarray], sx: float, sy: float) -> torch.Tensor:
    """Each mask's tight box (exclusive ends) as box-corner points in the 1024 frame: [n, 2, 2]."""
    coords = torch.zeros(len(masks), 2, 2)
    for i, m in enumerate(masks):
        ys, xs = np.nonzero(m)
        coords[i] = torch.tensor([[xs.min() * sx, ys.min() * sy], [(xs.max() + 1) * sx, (ys.max() + 1) * sy]])
    return coords


def box_ious(decoder: DecoderOnnx, emb: torch.Tensor, rec: ImageRecord, masks: list[np.ndarray]) -> np.ndarray:
    """[len(masks)] IoUs of the mask a box prompt alone returns: each mask's tight box (the prompt a
    stage-2 prefill and the box tool send), the best of channels 1–3 by predicted IoU (SAM-SPEC.md §1.4)."""
    n = len(masks)
    coords = box_prompts(masks, *coord_scale(rec.height, rec.width))
    dev = emb.device
    labels = torch.tensor([[2.0, 3.0]], device=dev).expand(n, 2)
    size = torch.tensor([float(rec.height), float(rec.width)])
    with torch.no_grad():
        src = decoder.mask_decoder.project(emb).expand(n, -1, -1, -1)
    low, iou = _decode_low_res(decoder, src, coords.to(dev), labels, torch.zeros(n, 1, LOW_RES_SIZE, LOW_RES_SIZE, device=dev),
                               torch.zeros(n, device=dev))
    pick = iou[:, 1:].argmax(1) + 1
    with torch.no_grad():
        pred = (postprocess_masks(low[torch.arange(n, device=dev), pick].unsqueeze(1), size)[:, 0] > 0).cpu().numpy()
    return np.array([_iou(pred[i], masks[i]) for i in range(n)], np.float32)


def detections(detector: DetectorOnnx, emb: torch.Tensor, rec: ImageRecord) -> tuple[np.ndarray, np.ndarray]:
    """Peaks of the objectness map (3×3 max), top-k, box NMS → (boxes XYXY original px [K,4], scores [K])."""
    with torch.no_grad():
        obj, dist = detector(emb)
        boxes = decode_boxes(dist)
    obj, boxes = obj.cpu(), boxes.cpu()  # peak picking and NMS on the CPU
    score = torch.sigmoid(obj)[0, 0]
    peaks = score == F.max_pool2d(score[None, None], 3, 1, 1)[0, 0]
    cand = torch.nonzero(peaks & (score > DET_SCORE_THRESHOLD))
    s = score[cand[:, 0], cand[:, 1]]
    b = boxes[0][:, cand[:, 0], cand[:, 1]].T
    order = torch.argsort(s, descending=True)[:DET_MAX]
    s, b = s[order].numpy(), b[order].numpy()
    sx, sy = coord_scale(rec.height, rec.width)
    b = b / np.array([sx, sy, sx, sy], np.float32)
    b[:, [0, 2]] = b[:, [0, 2]].clip(0, rec.width)
    b[:, [1, 3]] = b[:, [1, 3]].clip(0, rec.height)
    keep: list[int] = []
    for i in range(len(s)):
        if all(box_iou(b[i], b[j]) <= DET_NMS_IOU for j in keep):
            keep.append(i)
    return b[keep], s[keep]


def box_iou(a: np.ndarray, b: np.ndarray) -> float:
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return float(inter / union) if union > 0 else 0.0


def average_precision(dets: list[tuple[int, float, np.ndarray]], gts: dict[int, np.ndarray], iou_thr: float = AP_IOU) -> float:
    """All-point interpolated AP (VOC 2010+) over all images; dets = (image, score, box)."""
    total = sum(len(g) for g in gts.values())
    if total == 0:
        return float("nan")
    used = {k: np.zeros(len(g), bool) for k, g in gts.items()}
    tp = []
    for img, _, box in sorted(dets, key=lambda d: -d[1]):
        g = gts.get(img, np.zeros((0, 4)))
        ious = np.array([box_iou(box, gb) for gb in g]) if len(g) else np.zeros(0)
        j = int(np.argmax(ious)) if len(ious) else -1
        if j >= 0 and ious[j] >= iou_thr and not used[img][j]:
            used[img][j] = True
            tp.append(1.0)
        else:
            tp.append(0.0)
    tp_arr = np.array(tp)
    ctp = np.cumsum(tp_arr)
    recall = ctp / total
    precision = ctp / np.arange(1, len(tp_arr) + 1)
    mrec = np.concatenate([[0.0], recall, [1.0]])
    mpre = np.concatenate([[0.0], precision, [0.0]])
    for i in range(len(mpre) - 2, -1, -1):
        mpre[i] = max(mpre[i], mpre[i + 1])
    idx = np.nonzero(mrec[1:] != mrec[:-1])[0]
    return float(np.sum((mrec[idx + 1] - mrec[idx]) * mpre[idx + 1]))


def evaluate(model: SamModel, data: str, split: str = "val", max_images: int | None = None,
             threads: int = 2, progress: bool = True, device: torch.device | str | None = None,
             time_limit_s: float | None = None) -> dict:
    """``device``: where the model runs (None: where it is; it is moved back afterwards). float32 on a
    GPU too (TF32 off), so the numbers describe the exported float32 graphs. ``time_limit_s``: stop
    after the image that passes it (the metrics then cover ``num_images`` images)."""
    torch.set_num_threads(threads)
    snap = load_snapshot(data, need_train=split == "train", need_val=split == "val")
    records = snap.val if split == "val" else snap.train
    if max_images:
        records = records[:max_images]
    home = next(model.parameters()).device
    dev = torch.device(device) if device is not None else home
    if dev.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    model.to(dev).eval()
    try:
        result = _evaluate_records(model, records, dev, progress, time_limit_s)
    finally:
        model.to(home)
    result.update(snapshot_id=snap.snapshot_id, split=split)
    return result


def _evaluate_records(model: SamModel, records: list[ImageRecord], dev: torch.device, progress: bool,
                      time_limit_s: float | None) -> dict:
    decoder, detector = DecoderOnnx(model), DetectorOnnx(model)
    ious, boxes_iou, dets, gts = [], [], [], {}
    started = time.time()
    done = 0
    for n, rec in enumerate(records):
        if time_limit_s is not None and n > 0 and time.time() - started > time_limit_s:
            break
        done = n + 1
        with torch.no_grad():
            emb = model.embed(preprocess_image(rec.load_rgb()).to(dev))
        masks = [a.mask() for a in rec.annotations if a.area >= MIN_PROMPT_AREA]
        if masks:
            ious.append(interactive_ious(decoder, emb, rec, masks))
            boxes_iou.append(box_ious(decoder, emb, rec, masks))
        boxes, scores = detections(detector, emb, rec)
        dets.extend((n, float(s), b) for s, b in zip(scores, boxes))
        gts[n] = whole_boxes(rec, flip=False)
        if progress and ((n + 1) % 10 == 0 or n + 1 == len(records)):
            emit("eval_progress", images=n + 1, total=len(records), elapsed_s=time.time() - started)
    all_ious = np.concatenate(ious) if ious else np.zeros((0, MAX_CLICKS + DIAGNOSTICS))
    metrics = {f"miou_{k}click": float(all_ious[:, k - 1].mean()) if len(all_ious) else float("nan") for k in range(1, MAX_CLICKS + 1)}
    metrics["miou_1click_oracle"] = float(all_ious[:, MAX_CLICKS].mean()) if len(all_ious) else float("nan")
    metrics["miou_1click_channel0"] = float(all_ious[:, MAX_CLICKS + 1].mean()) if len(all_ious) else float("nan")
    one = all_ious[:, 0]
    metrics["frac_085_1click"] = float((one >= 0.85).mean()) if len(all_ious) else float("nan")
    metrics["top_ranked_1click"] = float(all_ious[:, MAX_CLICKS + 3].mean()) if len(all_ious) else float("nan")
    metrics["iou_error_1click"] = float(np.abs(all_ious[:, MAX_CLICKS + 2] - one).mean()) if len(all_ious) else float("nan")
    metrics["miou_box"] = float(np.concatenate(boxes_iou).mean()) if boxes_iou else float("nan")
    metrics["box_ap50"] = average_precision(dets, gts)
    metrics["num_images"] = done
    metrics["num_masks"] = int(len(all_ious))
    return {"metrics": metrics, "elapsed_s": time.time() - started, "device": str(dev)}
