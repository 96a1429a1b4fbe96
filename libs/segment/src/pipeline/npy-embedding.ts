import type { FloatTensor } from './inference-backend.types';
import { tensorSize } from './inference-backend.types';
import { InferenceError } from './segment-errors';

/**
 * `.npy` v1.0 files of float32 tensors — the SAM demo's precomputed-embedding format
 * (SAM-SPEC.md §2.3: `np.save` of `[1,256,64,64]` float32 = 128-byte header + 4,194,304 data bytes).
 */
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function tensorToNpy(tensor: FloatTensor): Uint8Array {
  const shape = tensor.dims.length === 1 ? `(${tensor.dims[0]},)` : `(${tensor.dims.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // numpy (`_wrap_header`) pads with 64 − (10 + len + 1) mod 64 spaces (a full 64 when already aligned), then \n
  const unpadded = 10 + header.length + 1;
  const total = unpadded + (64 - (unpadded % 64));
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const out = new Uint8Array(total + tensor.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) out.set(bytes, total);
  else {
    const view = new DataView(out.buffer, total);
    tensor.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  }
  return out;
}

export function tensorFromNpy(bytes: Uint8Array): FloatTensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new InferenceError('not a .npy file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = String.fromCharCode(...bytes.subarray(start, start + headerLen));
  if (!/'descr':\s*'<f4'/.test(header)) throw new InferenceError(`.npy dtype must be little-endian float32 ('<f4'): ${header.trim()}`);
  if (!/'fortran_order':\s*False/.test(header)) throw new InferenceError('.npy data must be in C order');
  const m = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!m) throw new InferenceError(`.npy header has no shape: ${header.trim()}`);
  const dims = m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  const offset = start + headerLen;
  const count = tensorSize(dims);
  if (bytes.length - offset !== count * 4) throw new InferenceError(`.npy data has ${bytes.length - offset} bytes, shape (${dims.join(', ')}) needs ${count * 4}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(offset + i * 4, true);
  return { data, dims };
}
