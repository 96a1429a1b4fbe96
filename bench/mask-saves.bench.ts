// npm run bench:mask-saves [-- --annotators 50 --seconds 10]
// Mask saves per second through the real API process (apps/api as its own process, as users run
// it) with N annotators saving in tight loops, each on an image of their own, each save an exact
// instance mask of that image (a real RLE). Prints saves/s and p50/p99 latency of the acknowledged
// saves, measured after a warm-up. Same load as the database outage drill (startMaskSaveLoad).
import os from 'node:os';
import { compressRle, encodeMask } from '@dataengine/segment';
import { generateScene } from '@dataengine/synth';
import { addSyntheticImages, createTestEnv, loginCookie, makeProject, makeUser, startApiProcess, startMaskSaveLoad, type MadeUser } from '@dataengine/testing';

const argv = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const ANNOTATORS = arg('annotators', 50);
const SECONDS = arg('seconds', 10);
const WARM_UP_MS = 2_000;
const IMAGE = { width: 640, height: 480 };

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const env = await createTestEnv();
const api = await startApiProcess(env);
try {
  const manager = await makeUser(env.deps.db, { role: 'manager' });
  const people: MadeUser[] = [];
  for (let i = 0; i < ANNOTATORS; i++) people.push(await makeUser(env.deps.db, { role: 'annotator' }));
  const project = await makeProject(env.deps.db, { createdBy: manager, members: people.map((user) => ({ user, role: 'annotator' as const })) });
  const seeds = people.map((_, i) => 500 + i);
  const imageIds = await addSyntheticImages(env.deps, manager, { projectId: project.id, seeds, ...IMAGE });
  // the largest instance of each image's own scene: the image's ground truth, a realistic RLE
  const segmentations = seeds.map((seed) => {
    const scene = generateScene({ seed, ...IMAGE });
    const biggest = [...scene.instances].sort((a, b) => b.area - a.area)[0]!;
    return compressRle(encodeMask(biggest.mask));
  });
  // one after the other: sign-ins in flight count against the address's password-guessing limit
  const cookies: string[] = [];
  for (const p of people) cookies.push(await loginCookie(api.url, p.email, p.password));
  const meanRle = segmentations.reduce((s, r) => s + r.counts.length, 0) / segmentations.length;

  const load = startMaskSaveLoad({ apiUrl: api.url, savers: cookies.map((cookie, i) => ({ cookie, imageId: imageIds[i]!, segmentation: segmentations[i]! })) });
  await new Promise((r) => setTimeout(r, WARM_UP_MS));
  const from = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const to = performance.now();
  await load.stop();

  const window = load.samples.filter((s) => s.sentAt >= from && s.sentAt + s.latencyMs <= to);
  const ok = window.filter((s) => s.status === 200).map((s) => s.latencyMs).sort((a, b) => a - b);
  const statuses: Record<string, number> = {};
  for (const s of window) statuses[String(s.status)] = (statuses[String(s.status)] ?? 0) + 1;
  const stored = await env.deps.db.mask.count({ where: { projectId: project.id } });
  console.log(`${ANNOTATORS} annotators saving ${IMAGE.width}×${IMAGE.height} masks (RLE ${meanRle.toFixed(0)} chars on average) through the API process for ${SECONDS} s after ${WARM_UP_MS / 1000} s warm-up; ${os.cpus().length} CPU cores shared by the API, PostgreSQL and this client\n`);
  console.log('| annotators | saves/s | p50 ms | p99 ms | max ms | answers | masks stored |');
  console.log('|---:|---:|---:|---:|---:|---|---:|');
  console.log(
    `| ${ANNOTATORS} | ${(ok.length / ((to - from) / 1000)).toFixed(0)} | ${quantile(ok, 0.5).toFixed(0)} | ${quantile(ok, 0.99).toFixed(0)} | ${(ok.at(-1) ?? NaN).toFixed(0)} | ${Object.entries(statuses).map(([k, v]) => `${k}×${v}`).join(', ')} | ${stored} |`,
  );
  if (load.networkErrors.length > 0) console.log(`network errors: ${load.networkErrors.length} (${load.networkErrors[0]})`);
} finally {
  await api.stop();
  await env.close();
}
