// Validates a bundle with the Segmentation core's validator (libs/segment). Prints one JSON line.
// Usage (from the repo root): npx tsx trainer/tests/validate_bundle.ts <bundle-dir>
import { inspectBundle } from '@dataengine/segment/node';

const report = await inspectBundle(process.argv[2]!);
process.stdout.write(`${JSON.stringify({ ok: report.problems.length === 0, problems: report.problems, name: report.manifest?.name ?? null })}\n`);
