"""Export-time wrappers whose forward is exactly what goes into the ONNX graphs. ``eval`` runs the
same modules in PyTorch, so metrics describe the exported behaviour."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .constants import IMAGE_SIZE
from .model import SamModel


class EncoderOnnx(nn.Module):
    """input_image [1, 3, 1024, 1024] (normalised, padded) → image_embeddings [1, 256, 64, 64]."""

    def __init__(self, model: SamModel) -> None:
        super().__init__()
        self.encoder = model.image_encoder

    def forward(self, input_image: torch.Tensor) -> torch.Tensor:
        return self.encoder(input_image)


def postprocess_masks(low_res: torch.Tensor, orig_im_size: torch.Tensor) -> torch.Tensor:
    """SAM-SPEC.md §1.5: bilinear 256→1024 (half-pixel, no antialias), crop to
    floor(size·1024/max(size) + 0.5) computed in float32, bilinear to orig_im_size."""
    masks = F.interpolate(low_res, size=(IMAGE_SIZE, IMAGE_SIZE), mode="bilinear", align_corners=False)
    size_f = orig_im_size.to(torch.float32)
    scale = IMAGE_SIZE / torch.max(size_f)
    prepadded = torch.floor(size_f * scale + 0.5).to(torch.int64)
    masks = masks[..., : prepadded[0], : prepadded[1]]
    orig = orig_im_size.to(torch.int64)
    return F.interpolate(masks, size=(orig[0], orig[1]), mode="bilinear", align_corners=False)


def upscale_masks(low_res: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``postprocess_masks`` for evaluation in PyTorch, bit for bit, without the work the crop throws
    away: the 256→1024 upsampling reads only the low-res rows and columns the kept region needs (the
    half-pixel source of output row y < 4r is (y + 0.5)/4 − 0.5 ≤ r − 1, so r + 1 rows give the same
    values), which skips a quarter of it for a 4:3 image and more for wider ones."""
    scale = IMAGE_SIZE / max(float(height), float(width))
    # the prepadded size as the graph computes it (float32)
    ph = int(torch.floor(torch.tensor(float(height), dtype=torch.float32) * scale + 0.5))
    pw = int(torch.floor(torch.tensor(float(width), dtype=torch.float32) * scale + 0.5))
    f = IMAGE_SIZE // low_res.shape[-1]
    rows = min(low_res.shape[-2], -(-ph // f) + 1)
    cols = min(low_res.shape[-1], -(-pw // f) + 1)
    masks = F.interpolate(low_res[..., :rows, :cols], size=(rows * f, cols * f), mode="bilinear", align_corners=False)
    masks = masks[..., :ph, :pw]
    return F.interpolate(masks, size=(height, width), mode="bilinear", align_corners=False)


class DecoderOnnx(nn.Module):
    """The official SAM decoder contract (SAM-SPEC.md §1.2–1.3): prompt encoder + mask decoder +
    upscaling to orig_im_size; outputs all 4 mask tokens."""

    def __init__(self, model: SamModel) -> None:
        super().__init__()
        self.prompt_encoder = model.prompt_encoder
        self.mask_decoder = model.mask_decoder

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size):
        sparse = self.prompt_encoder.embed_points(point_coords, point_labels)
        dense = self.prompt_encoder.dense_embedding(point_coords, point_labels, mask_input, has_mask_input)
        src = self.mask_decoder.project(image_embeddings)
        low_res, iou = self.mask_decoder(src, self.prompt_encoder.dense_pe(), sparse, dense,
                                         prompt=(point_coords, point_labels, has_mask_input))
        return postprocess_masks(low_res, orig_im_size), iou, low_res


class DetectorOnnx(nn.Module):
    """image_embeddings [1, 256, 64, 64] → objectness logits [1, 1, 64, 64], boxes as ltrb distances
    [1, 4, 64, 64] in pixels of the padded 1024 frame from each cell centre ((j + 0.5)·16, (i + 0.5)·16)
    (see trainer/README.md "Detector contract"; ``decode_boxes`` turns them into XYXY)."""

    def __init__(self, model: SamModel) -> None:
        super().__init__()
        self.detector = model.detector

    def forward(self, image_embeddings: torch.Tensor):
        return self.detector(image_embeddings)
