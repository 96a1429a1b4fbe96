// Which image encoder a bundle runs: the sha-256 of its encoder.onnx (and the .data side file that
// holds large encoders' weights). Checkpoints with the same encoder compute the same embeddings, so
// an embedding stored for one serves the others — a fast retrain's candidate keeps its parent's
// encoder, and promoting it re-embeds nothing. The trainer hashes the same bytes the same way
// (trainer/dataengine_trainer/embeddings.py `encoder_hash`).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

const ENCODER_FILE = 'encoder.onnx';

export async function encoderHashOfDir(bundleDir: string): Promise<string | null> {
  const main = path.join(bundleDir, ENCODER_FILE);
  if (!(await isFile(main))) return null;
  const data = `${main}.data`;
  return encoderHashOfFiles((await isFile(data)) ? [main, data] : [main]);
}

/** sha-256 over the files' bytes in order: encoder.onnx, then its .data side file when it has one. */
export async function encoderHashOfFiles(files: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() ?? false;
}
