import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleManifestSchema } from '../bundle/bundle-manifest.schema';
import { InferenceError, PromptError } from '../pipeline/segment-errors';
import { buildContractDecoder, buildContractEncoder, contractManifest } from '../testing/index';
import { SamWorkerClient, type WorkerLike } from './sam-worker.client';
import { WORKER_EMBEDDING_SLOTS } from './sam-worker.handler';
import { responseTransferables } from './sam-worker.protocol';
import { startSamWorker, type WorkerScopeLike } from './sam-worker.runtime';
import { wasmThreadCount } from './ort-web-backend';

// The worker protocol end to end without a browser: client and worker runtime on the two ends of a
// MessageChannel (structured clone + transfer, as between a page and a Web Worker), with the real
// onnxruntime-web (wasm) backend running the contract models.
const asEventTarget = (port: MessagePort) => {
  const target = {
    addEventListener: (type: string, listener: (e: { data: unknown }) => void) => {
      if (type === 'message') port.on('message', (data) => listener({ data }));
    },
    postMessage: (message: unknown, transfer: Transferable[]) => port.postMessage(message, transfer as never),
    terminate: () => port.close(),
  };
  return target;
};

const W = 320;
const H = 240;
const image = () => ({ width: W, height: H, channels: 3 as const, data: new Uint8Array(W * H * 3).fill(90) });
let channel: MessageChannel;
let client: SamWorkerClient;

beforeAll(() => {
  channel = new MessageChannel();
  startSamWorker(asEventTarget(channel.port1) as unknown as WorkerScopeLike);
  client = new SamWorkerClient(asEventTarget(channel.port2) as unknown as WorkerLike);
});
afterAll(() => {
  channel.port1.close();
  channel.port2.close();
});

describe('SAM worker protocol (onnxruntime-web backend)', () => {
  it('refuses work before init, with the library error class', async () => {
    await expect(client.embed(image())).rejects.toThrow(InferenceError);
    await expect(client.embed(image())).rejects.toThrow(/send "init" first/);
  });

  it('init → embed → decode: the contract disc, single-mask rule and multimask', async () => {
    const manifest = bundleManifestSchema.parse(contractManifest());
    expect(await client.init(manifest, { encoder: buildContractEncoder(), decoder: buildContractDecoder() }, { numThreads: 1 })).toEqual({ ready: true });
    const { embeddingId, embedding } = await client.embed(image(), { returnEmbedding: true, transfer: true });
    expect(embedding?.dims).toEqual([1, 256, 64, 64]);
    const one = await client.decode(embeddingId, { points: [{ x: 160, y: 120, label: 1 }] });
    expect(one.numPoints).toBe(2);
    const m = one.masks[0]!;
    expect(m.channel).toBe(2);
    expect(m.mask.data).toBeInstanceOf(Uint8Array);
    expect(m.mask.data[120 * W + 160]).toBe(1);
    expect(m.mask.data[120 * W + 174]).toBe(0); // radius 40 / 3.2 = 12.5 px
    expect(Math.abs(m.area - Math.PI * 12.5 * 12.5)).toBeLessThan(20);
    const multi = await client.decode(embeddingId, { points: [{ x: 160, y: 120, label: 1 }] }, { multimask: true });
    expect(multi.masks.map((x) => x.channel)).toEqual([1, 2, 3]);
    // an embedding fetched elsewhere decodes the same
    const { embeddingId: again } = await client.setEmbedding(embedding!);
    expect((await client.decode(again, { points: [{ x: 160, y: 120, label: 1 }] })).masks[0]!.area).toBe(m.area);
    // pixels embedded for a smaller frame of the same aspect: prompts and masks are in that frame
    const { embeddingId: half } = await client.embed(image(), { frame: { width: W / 2, height: H / 2 } });
    const small = (await client.decode(half, { points: [{ x: 80, y: 60, label: 1 }] })).masks[0]!;
    expect([small.mask.width, small.mask.height]).toEqual([W / 2, H / 2]);
    expect(small.mask.data[60 * (W / 2) + 80]).toBe(1);
    expect(Math.abs(small.area - m.area / 4)).toBeLessThan(15);
  });

  it('revives prompt errors and forgets evicted embeddings', async () => {
    const ids: string[] = [];
    for (let i = 0; i <= WORKER_EMBEDDING_SLOTS; i++) {
      ids.push((await client.setEmbedding({ data: new Float32Array(256 * 64 * 64), dims: [1, 256, 64, 64], imageHeight: H, imageWidth: W })).embeddingId);
    }
    await expect(client.decode(ids[0]!, { points: [{ x: 1, y: 1, label: 1 }] })).rejects.toThrow(/unknown embedding "e\d+" \(released or evicted\)/);
    await expect(client.decode(ids.at(-1)!, { points: [{ x: 999, y: 1, label: 1 }] })).rejects.toBeInstanceOf(PromptError);
    expect(await client.releaseEmbedding(ids.at(-1)!)).toEqual({ released: true });
    expect(await client.dispose()).toEqual({ disposed: true });
  });

  it('uses 2 wasm threads only when cross-origin isolated (STACK-NOTES.md)', () => {
    expect(wasmThreadCount(true)).toBe(2);
    expect(wasmThreadCount(false)).toBe(1);
    expect(wasmThreadCount(false, 4)).toBe(1);
    expect(wasmThreadCount(true, 4)).toBe(4);
  });

  it('transfers mask, logit and embedding buffers without duplicates', () => {
    const shared = new Float32Array(8);
    const mask = { channel: 1, mask: { width: 2, height: 1, data: new Uint8Array(2) }, area: 0, predictedIou: 0, stabilityScore: 0, lowResLogits: new Float32Array(4), logits: shared.subarray(0, 2) };
    const list = responseTransferables({ id: 1, ok: true, result: { masks: [mask, { ...mask, logits: shared.subarray(2, 4) }], numPoints: 2 } });
    expect(list).toHaveLength(3);
    expect(responseTransferables({ id: 1, ok: false, error: { name: 'Error', message: 'x' } })).toEqual([]);
  });
});
