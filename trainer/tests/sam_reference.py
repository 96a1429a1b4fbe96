"""For the SAM-import tests: official-layout state dicts (key names, shapes and layouts of SAM-SPEC.md
§10, built here from that table, not from the converter) and a plain functional reference of the
official model's math that reads those tensors directly. Written independently of the trainer's
modules: windows are cut by slicing, relative position terms by explicit loops over offsets,
transposed and strided convolutions with torch's own conv ops on the official kernels."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

GRID = 64  # 1024 / patch 16
WINDOW = 14


def official_state_dict(width: int, depth: int, heads: int, global_blocks: list[int], seed: int = 0,
                        fill: str = "randn") -> dict[str, torch.Tensor]:
    """Every tensor of an official SAM checkpoint for an encoder of ``width``/``depth``/``heads`` (ViT-B:
    768/12/12, global blocks 2,5,8,11) and SAM's prompt encoder and mask decoder at their real sizes.
    ``fill`` "randn": random values large enough that every term matters; "empty": no values (shape checks)."""
    g = torch.Generator().manual_seed(seed)

    def t(*shape, scale=0.05, offset=0.0):
        if fill == "empty":
            return torch.empty(*shape)
        return torch.randn(*shape, generator=g) * scale + offset

    sd: dict[str, torch.Tensor] = {}
    hd = width // heads
    sd["image_encoder.pos_embed"] = t(1, GRID, GRID, width, scale=0.5)
    sd["image_encoder.patch_embed.proj.weight"] = t(width, 3, 16, 16, scale=0.02)
    sd["image_encoder.patch_embed.proj.bias"] = t(width)
    for i in range(depth):
        p = f"image_encoder.blocks.{i}."
        for n in ("norm1", "norm2"):
            sd[p + n + ".weight"] = t(width, scale=0.1, offset=1.0)
            sd[p + n + ".bias"] = t(width)
        sd[p + "attn.qkv.weight"] = t(3 * width, width, scale=0.15)
        sd[p + "attn.qkv.bias"] = t(3 * width)
        sd[p + "attn.proj.weight"] = t(width, width, scale=0.1)
        sd[p + "attn.proj.bias"] = t(width)
        rows = 2 * (GRID if i in global_blocks else WINDOW) - 1
        sd[p + "attn.rel_pos_h"] = t(rows, hd, scale=0.3)
        sd[p + "attn.rel_pos_w"] = t(rows, hd, scale=0.3)
        sd[p + "mlp.lin1.weight"] = t(4 * width, width, scale=0.1)
        sd[p + "mlp.lin1.bias"] = t(4 * width)
        sd[p + "mlp.lin2.weight"] = t(width, 4 * width, scale=0.05)
        sd[p + "mlp.lin2.bias"] = t(width)
    sd["image_encoder.neck.0.weight"] = t(256, width, 1, 1, scale=0.1)
    sd["image_encoder.neck.1.weight"] = t(256, scale=0.1, offset=1.0)
    sd["image_encoder.neck.1.bias"] = t(256)
    sd["image_encoder.neck.2.weight"] = t(256, 256, 3, 3, scale=0.02)
    sd["image_encoder.neck.3.weight"] = t(256, scale=0.1, offset=1.0)
    sd["image_encoder.neck.3.bias"] = t(256)

    sd["prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"] = t(2, 128, scale=1.0)
    for i in range(4):
        sd[f"prompt_encoder.point_embeddings.{i}.weight"] = t(1, 256, scale=0.5)
    sd["prompt_encoder.not_a_point_embed.weight"] = t(1, 256, scale=0.5)
    sd["prompt_encoder.no_mask_embed.weight"] = t(1, 256, scale=0.5)
    for idx, (cout, cin, k) in {0: (4, 1, 2), 3: (16, 4, 2), 6: (256, 16, 1)}.items():
        sd[f"prompt_encoder.mask_downscaling.{idx}.weight"] = t(cout, cin, k, k, scale=0.3)
        sd[f"prompt_encoder.mask_downscaling.{idx}.bias"] = t(cout)
    for idx, c in {1: 4, 4: 16}.items():
        sd[f"prompt_encoder.mask_downscaling.{idx}.weight"] = t(c, scale=0.1, offset=1.0)
        sd[f"prompt_encoder.mask_downscaling.{idx}.bias"] = t(c)

    def attn(prefix: str, inner: int) -> None:
        for n in ("q", "k", "v"):
            sd[f"{prefix}.{n}_proj.weight"] = t(inner, 256, scale=0.08)
            sd[f"{prefix}.{n}_proj.bias"] = t(inner)
        sd[f"{prefix}.out_proj.weight"] = t(256, inner, scale=0.08)
        sd[f"{prefix}.out_proj.bias"] = t(256)

    def norm(prefix: str) -> None:
        sd[prefix + ".weight"] = t(256, scale=0.1, offset=1.0)
        sd[prefix + ".bias"] = t(256)

    for layer in range(2):
        p = f"mask_decoder.transformer.layers.{layer}"
        attn(p + ".self_attn", 256)
        attn(p + ".cross_attn_token_to_image", 128)
        attn(p + ".cross_attn_image_to_token", 128)
        for n in range(1, 5):
            norm(f"{p}.norm{n}")
        sd[p + ".mlp.lin1.weight"] = t(2048, 256, scale=0.05)
        sd[p + ".mlp.lin1.bias"] = t(2048)
        sd[p + ".mlp.lin2.weight"] = t(256, 2048, scale=0.03)
        sd[p + ".mlp.lin2.bias"] = t(256)
    attn("mask_decoder.transformer.final_attn_token_to_image", 128)
    norm("mask_decoder.transformer.norm_final_attn")
    sd["mask_decoder.iou_token.weight"] = t(1, 256, scale=0.5)
    sd["mask_decoder.mask_tokens.weight"] = t(4, 256, scale=0.5)
    sd["mask_decoder.output_upscaling.0.weight"] = t(256, 64, 2, 2, scale=0.08)  # ConvTranspose2d: [in, out, kh, kw]
    sd["mask_decoder.output_upscaling.0.bias"] = t(64)
    sd["mask_decoder.output_upscaling.1.weight"] = t(64, scale=0.1, offset=1.0)
    sd["mask_decoder.output_upscaling.1.bias"] = t(64)
    sd["mask_decoder.output_upscaling.3.weight"] = t(64, 32, 2, 2, scale=0.15)
    sd["mask_decoder.output_upscaling.3.bias"] = t(32)
    for i in range(4):
        for j, (o, n) in enumerate([(256, 256), (256, 256), (32, 256)]):
            sd[f"mask_decoder.output_hypernetworks_mlps.{i}.layers.{j}.weight"] = t(o, n, scale=0.08)
            sd[f"mask_decoder.output_hypernetworks_mlps.{i}.layers.{j}.bias"] = t(o)
    for j, (o, n) in enumerate([(256, 256), (256, 256), (4, 256)]):
        sd[f"mask_decoder.iou_prediction_head.layers.{j}.weight"] = t(o, n, scale=0.08)
        sd[f"mask_decoder.iou_prediction_head.layers.{j}.bias"] = t(o)
    return sd


# ---- reference math, straight from the official definitions (SAM-SPEC.md §1.2, §2.1, §6.2, §10) ----

def _ln2d(x, w, b, eps=1e-6):  # channel LayerNorm of NCHW, written out
    u = x.mean(1, keepdim=True)
    s = (x - u).pow(2).mean(1, keepdim=True)
    return w[:, None, None] * (x - u) / torch.sqrt(s + eps) + b[:, None, None]


def _linear(x, sd, p):
    return x @ sd[p + ".weight"].T + sd[p + ".bias"]


def rel_pos_attention(x: torch.Tensor, sd: dict, p: str, heads: int, table_grid: int) -> torch.Tensor:
    """One encoder attention over the tokens of x [B, h, w, C]: logits (q·d^-½)·k plus, with the
    unscaled q, Rh[qh − kh + K − 1] and Rw[qw − kw + K − 1], K = ``table_grid`` (the table's grid).
    Loops over the key row / column (no gather tricks)."""
    b, h, w, c = x.shape
    d = c // heads
    qkv = _linear(x, sd, p + ".qkv").reshape(b, h, w, 3, heads, d)
    q, k, v = (qkv[..., i, :, :].permute(0, 3, 1, 2, 4) for i in range(3))  # [B, heads, h, w, d]
    logits = torch.einsum("bnyxd,bnYXd->bnyxYX", q * d ** -0.5, k)
    rh, rw = sd[p + ".rel_pos_h"], sd[p + ".rel_pos_w"]
    for kh in range(h):
        idx = torch.arange(h) - kh + table_grid - 1  # per query row
        logits[:, :, :, :, kh, :] += torch.einsum("bnyxd,yd->bnyx", q, rh[idx])[..., None]
    for kw in range(w):
        idx = torch.arange(w) - kw + table_grid - 1
        logits[:, :, :, :, :, kw] += torch.einsum("bnyxd,xd->bnyx", q, rw[idx])[..., None]
    attn = logits.reshape(b, heads, h * w, h * w).softmax(-1)
    out = (attn @ v.reshape(b, heads, h * w, d)).reshape(b, heads, h, w, d).permute(0, 2, 3, 1, 4).reshape(b, h, w, c)
    return _linear(out, sd, p + ".proj")


def reference_encoder(sd: dict, image: torch.Tensor, heads: int, global_blocks: list[int],
                      origin: tuple[int, int] = (0, 0)) -> torch.Tensor:
    """image [B, 3, s, s] → [B, 256, s/16, s/16]; ``origin`` (x0, y0) in frame px of a crop (one for the batch)."""
    x = F.conv2d(image, sd["image_encoder.patch_embed.proj.weight"], sd["image_encoder.patch_embed.proj.bias"], stride=16)
    x = x.permute(0, 2, 3, 1)
    b, h, w, c = x.shape
    cy, cx = origin[1] // 16, origin[0] // 16
    x = x + sd["image_encoder.pos_embed"][:, cy:cy + h, cx:cx + w]
    depth = len({k.split(".")[2] for k in sd if k.startswith("image_encoder.blocks.")})
    for i in range(depth):
        p = f"image_encoder.blocks.{i}"
        y = F.layer_norm(x, (c,), sd[p + ".norm1.weight"], sd[p + ".norm1.bias"], 1e-6)
        if i in global_blocks:
            y = rel_pos_attention(y, sd, p + ".attn", heads, GRID)
        else:  # zero-pad to whole 14×14 windows, attend inside each, drop the padding
            hp, wp = -(-h // WINDOW) * WINDOW, -(-w // WINDOW) * WINDOW
            padded = torch.zeros(b, hp, wp, c)
            padded[:, :h, :w] = y
            out = torch.zeros_like(padded)
            for wy in range(0, hp, WINDOW):
                for wx in range(0, wp, WINDOW):
                    win = padded[:, wy:wy + WINDOW, wx:wx + WINDOW]
                    out[:, wy:wy + WINDOW, wx:wx + WINDOW] = rel_pos_attention(win, sd, p + ".attn", heads, WINDOW)
            y = out[:, :h, :w]
        x = x + y
        z = F.layer_norm(x, (c,), sd[p + ".norm2.weight"], sd[p + ".norm2.bias"], 1e-6)
        x = x + _linear(F.gelu(_linear(z, sd, p + ".mlp.lin1")), sd, p + ".mlp.lin2")
    x = x.permute(0, 3, 1, 2)
    x = _ln2d(F.conv2d(x, sd["image_encoder.neck.0.weight"]), sd["image_encoder.neck.1.weight"], sd["image_encoder.neck.1.bias"])
    x = F.conv2d(x, sd["image_encoder.neck.2.weight"], padding=1)
    return _ln2d(x, sd["image_encoder.neck.3.weight"], sd["image_encoder.neck.3.bias"])


def _fourier(coords01: torch.Tensor, gauss: torch.Tensor) -> torch.Tensor:
    c = 2 * math.pi * ((2 * coords01 - 1) @ gauss)
    return torch.cat([torch.sin(c), torch.cos(c)], -1)


def _mha(sd, p, q, k, v, heads=8):
    q, k, v = _linear(q, sd, p + ".q_proj"), _linear(k, sd, p + ".k_proj"), _linear(v, sd, p + ".v_proj")
    b, n, c = q.shape
    split = lambda t: t.reshape(b, t.shape[1], heads, c // heads).transpose(1, 2)  # noqa: E731
    q, k, v = split(q), split(k), split(v)
    a = (q @ k.transpose(-1, -2) / math.sqrt(c // heads)).softmax(-1)
    return _linear((a @ v).transpose(1, 2).reshape(b, n, c), sd, p + ".out_proj")


def _ln(x, sd, p):
    return F.layer_norm(x, (x.shape[-1],), sd[p + ".weight"], sd[p + ".bias"], 1e-5)


def reference_decoder(sd: dict, emb: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor,
                      mask_input: torch.Tensor, has_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """SAM's ONNX-path prompt encoder + mask decoder on official tensors → (low-res logits [B, 4, 256, 256], iou [B, 4])."""
    pe = "prompt_encoder."
    gauss = sd[pe + "pe_layer.positional_encoding_gaussian_matrix"]
    sparse = _fourier((coords + 0.5) / 1024, gauss)
    lab = labels.unsqueeze(-1)
    sparse = torch.where(lab == -1, sd[pe + "not_a_point_embed.weight"][0].expand_as(sparse), sparse)
    for i in range(4):
        sparse = sparse + (lab == i).float() * sd[f"{pe}point_embeddings.{i}.weight"][0]
    m = F.gelu(_ln2d(F.conv2d(mask_input, sd[pe + "mask_downscaling.0.weight"], sd[pe + "mask_downscaling.0.bias"], stride=2),
                     sd[pe + "mask_downscaling.1.weight"], sd[pe + "mask_downscaling.1.bias"]))
    m = F.gelu(_ln2d(F.conv2d(m, sd[pe + "mask_downscaling.3.weight"], sd[pe + "mask_downscaling.3.bias"], stride=2),
                     sd[pe + "mask_downscaling.4.weight"], sd[pe + "mask_downscaling.4.bias"]))
    m = F.conv2d(m, sd[pe + "mask_downscaling.6.weight"], sd[pe + "mask_downscaling.6.bias"])
    hm = has_mask.view(-1, 1, 1, 1)
    dense = hm * m + (1 - hm) * sd[pe + "no_mask_embed.weight"].view(1, -1, 1, 1)
    cells = (torch.arange(GRID, dtype=torch.float32) + 0.5) / GRID
    yy, xx = torch.meshgrid(cells, cells, indexing="ij")
    image_pe = _fourier(torch.stack([xx, yy], -1), gauss).reshape(GRID * GRID, 256)  # (x, y) per cell

    md = "mask_decoder."
    b = coords.shape[0]
    tokens = torch.cat([sd[md + "iou_token.weight"], sd[md + "mask_tokens.weight"]]).expand(b, -1, -1)
    tokens = torch.cat([tokens, sparse], 1)
    src = (emb + dense).flatten(2).transpose(1, 2)
    queries, keys, qpe = tokens, src, tokens
    for layer in range(2):
        p = f"{md}transformer.layers.{layer}"
        if layer == 0:
            queries = _mha(sd, p + ".self_attn", queries, queries, queries)
        else:
            q = queries + qpe
            queries = queries + _mha(sd, p + ".self_attn", q, q, queries)
        queries = _ln(queries, sd, p + ".norm1")
        queries = _ln(queries + _mha(sd, p + ".cross_attn_token_to_image", queries + qpe, keys + image_pe, keys), sd, p + ".norm2")
        mlp = _linear(torch.relu(_linear(queries, sd, p + ".mlp.lin1")), sd, p + ".mlp.lin2")
        queries = _ln(queries + mlp, sd, p + ".norm3")
        keys = _ln(keys + _mha(sd, p + ".cross_attn_image_to_token", keys + image_pe, queries + qpe, queries), sd, p + ".norm4")
    p = md + "transformer"
    queries = _ln(queries + _mha(sd, p + ".final_attn_token_to_image", queries + qpe, keys + image_pe, keys), sd, p + ".norm_final_attn")
    up = keys.transpose(1, 2).reshape(b, 256, GRID, GRID)
    up = F.conv_transpose2d(up, sd[md + "output_upscaling.0.weight"], sd[md + "output_upscaling.0.bias"], stride=2)
    up = F.gelu(_ln2d(up, sd[md + "output_upscaling.1.weight"], sd[md + "output_upscaling.1.bias"]))
    up = F.gelu(F.conv_transpose2d(up, sd[md + "output_upscaling.3.weight"], sd[md + "output_upscaling.3.bias"], stride=2))

    def mlp3(x, p):
        for j in range(3):
            x = _linear(x, sd, f"{p}.layers.{j}")
            x = torch.relu(x) if j < 2 else x
        return x

    hyper = torch.stack([mlp3(queries[:, 1 + i], f"{md}output_hypernetworks_mlps.{i}") for i in range(4)], 1)
    masks = torch.einsum("bkc,bchw->bkhw", hyper, up)
    return masks, mlp3(queries[:, 0], md + "iou_prediction_head")
