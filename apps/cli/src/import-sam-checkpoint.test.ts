import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeContractBundle } from '@dataengine/segment/testing';
import { runCli } from './run-cli';

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataengine-cli-sam-'));
  bundle = await writeContractBundle(join(dir, 'contract'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const savedPython = process.env['TRAINER_PYTHON'];
afterEach(() => {
  if (savedPython === undefined) delete process.env['TRAINER_PYTHON'];
  else process.env['TRAINER_PYTHON'] = savedPython;
});

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), cwd: dir });
  return { code, stdout, stderr };
}

describe('dataengine checkpoint import --sam-checkpoint', () => {
  it('usage mistakes exit 2 before anything runs', async () => {
    const mixed = await cli('checkpoint', 'import', '--sam-checkpoint', 'sam.pth', '--model-type', 'vit_b', '--encoder', 'e.onnx', '--out', 'b');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('give one or the other');
    const noType = await cli('checkpoint', 'import', '--sam-checkpoint', 'sam.pth', '--out', 'b');
    expect([noType.code, noType.stderr.split('\n')[0]]).toEqual([2, 'dataengine: --model-type is required']);
    const badType = await cli('checkpoint', 'import', '--sam-checkpoint', 'sam.pth', '--model-type', 'vit_x', '--out', 'b');
    expect([badType.code, badType.stderr.split('\n')[0]]).toEqual([2, 'dataengine: unknown --model-type "vit_x"; use vit_b, vit_l, vit_h (the official checkpoint\'s type)']);
  });

  it('runs the trainer\'s import-sam, prints what it wrote and checks the bundle', async () => {
    // a stand-in for the trainer's interpreter: records its arguments, writes a (contract) bundle, reports
    const fake = join(dir, 'fake-python.sh');
    await writeFile(
      fake,
      [
        '#!/bin/sh',
        `echo "$@" > "${join(dir, 'args.txt')}"`,
        'out=""; while [ $# -gt 0 ]; do [ "$1" = "--out" ] && out="$2"; shift; done',
        `mkdir -p "$out" && cp "${bundle}"/* "$out"/`,
        'echo \'{"event": "import_progress", "phase": "reading", "checkpoint": "/x/sam.pth"}\'',
        'echo \'{"event": "import_done", "parameters": 93764181, "official_tensors": 314, "files": {"encoder.onnx": 1}, "elapsed_s": 2.5}\'',
      ].join('\n'),
    );
    await chmod(fake, 0o755);
    process.env['TRAINER_PYTHON'] = fake;
    const r = await cli('checkpoint', 'import', '--sam-checkpoint', 'sam_vit_b.pth', '--model-type', 'vit_b', '--out', 'models/vit-b', '--name', 'SAM ViT-B');
    expect(r.stderr).toBe('checkpoint import: reading /x/sam.pth\n');
    expect(r.code).toBe(0);
    const args = (await readFile(join(dir, 'args.txt'), 'utf8')).trim();
    expect(args).toMatch(new RegExp(`^-m dataengine_trainer import-sam --checkpoint ${join(dir, 'sam_vit_b.pth')} --model-type vit_b --out ${join(dir, 'models/vit-b')} --threads \\d+ --name SAM ViT-B$`));
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ imported: join(dir, 'models/vit-b'), model_type: 'vit_b', parameters: 93764181, official_tensors: 314 });
    expect(out.untrained).toContain('stage-2 prefill refuses it until a retrain');
    expect(out.manifest.format).toBe('dataengine-checkpoint-bundle');
    // bundles are immutable: the same directory again is refused without running anything
    const again = await cli('checkpoint', 'import', '--sam-checkpoint', 'sam_vit_b.pth', '--model-type', 'vit_b', '--out', 'models/vit-b');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists and is not empty');
  });

  it('the trainer\'s one-line error becomes the message (real trainer, missing file)', async () => {
    const r = await cli('checkpoint', 'import', '--sam-checkpoint', 'missing.pth', '--model-type', 'vit_h', '--out', 'never');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`checkpoint import: reading ${join(dir, 'missing.pth')}\ndataengine: cannot import missing.pth: SAM checkpoint not found: ${join(dir, 'missing.pth')}\n`);
    expect(await readdir(dir)).not.toContain('never');
  });
});
