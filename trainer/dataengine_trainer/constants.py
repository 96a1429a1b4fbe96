"""Numbers fixed by the SAM contract (SAM-SPEC.md §1.2, §2.1)."""
IMAGE_SIZE = 1024  # encoder input side (padded long-side-1024 frame)
EMBED_DIM = 256  # image embedding channels
EMBED_SIZE = 64  # image embedding side (1024 / 16)
LOW_RES_SIZE = 256  # low_res_masks / mask_input side
NUM_MASK_TOKENS = 4  # token 0: multi-prompt mask; tokens 1..3: ambiguity masks
PIXEL_MEAN = (123.675, 116.28, 103.53)  # RGB, 0–255 (build_sam.py)
PIXEL_STD = (58.395, 57.12, 57.375)
MASK_THRESHOLD = 0.0  # binarise logits with > 0.0
ONNX_OPSET = 17
BUNDLE_FORMAT_VERSION = 1
