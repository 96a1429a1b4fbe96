// npm run bench:dashboard-scale [-- --schema scale_1m --runs 5 --explain]
// The project dashboard against the schema scripts/seed-scale.ts made (1M masks in one project):
// the engine's own use cases (stats.project, stats.csv, stats.activity) called directly, p50 of
// --runs runs after one warm-up, and every database query inside them timed on its own through a
// Prisma query extension (so the figures are the real queries, not copies). Target: < 200 ms each.
// --explain prints EXPLAIN (ANALYZE, BUFFERS) of the raw-SQL queries.
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createLogger, loadConfig } from '@dataengine/config';
import type { Db } from '@dataengine/db';
import { createEngineRuntime, exportProjectStatsCsv, getProjectStats, listProjectActivity, type Actor } from '@dataengine/engine';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '@dataengine/testing';
import { scaleSchemaArgs } from '../scripts/lib/scale-seed-options';

const TARGET_MS = 200;
const argv = process.argv.slice(2);
const args = scaleSchemaArgs(argv);
const runsIndex = argv.indexOf('--runs');
const RUNS = runsIndex >= 0 ? Number(argv[runsIndex + 1]) : 5;
const url = args.databaseUrl ?? TEST_DATABASE_URL;

interface QueryTiming {
  name: string;
  ms: number;
  sql?: { text: string; values: unknown[] };
}

const config = loadConfig({
  NODE_ENV: 'test',
  DATABASE_URL: url,
  DATABASE_SCHEMA: args.schema,
  REDIS_URL: TEST_REDIS_URL,
  QUEUE_PREFIX: `bench-dashboard-${process.pid}`,
  BLOB_DIR: path.join(os.tmpdir(), 'dataengine-bench-dashboard'),
  LOG_LEVEL: 'error',
});
const runtime = createEngineRuntime(config, createLogger({ service: 'bench' }, 'error'));
let timings: QueryTiming[] = [];

/** The engine's client with every query timed (model queries by model.operation, raw SQL by its first words). */
const timedDb = runtime.deps.db.$extends({
  query: {
    async $allOperations({ model, operation, args: queryArgs, query }) {
      const t = performance.now();
      const result = await query(queryArgs);
      timings.push({ name: model ? `${model}.${operation}` : operation, ms: performance.now() - t, sql: rawSql(operation, queryArgs) });
      return result;
    },
  },
}) as unknown as Db;
const deps = { ...runtime.deps, db: timedDb };

/** The SQL text and values of a $queryRaw / $queryRawUnsafe call, for naming and EXPLAIN. */
function rawSql(operation: string, queryArgs: unknown): QueryTiming['sql'] {
  if (operation === '$queryRaw') {
    const sql = queryArgs as { text?: string; strings?: string[]; values?: unknown[] };
    if (typeof sql.text === 'string') return { text: sql.text, values: sql.values ?? [] };
    if (Array.isArray(sql.strings)) return { text: sql.strings.map((s, i) => (i === 0 ? s : `$${i}${s}`)).join(''), values: sql.values ?? [] };
  }
  if (operation === '$queryRawUnsafe') {
    const list = queryArgs as unknown[];
    return { text: String(list[0]), values: list.slice(1) };
  }
  return undefined;
}

const rawName = (sql: string) => {
  const s = sql.replace(/\s+/g, ' ').trim();
  if (s.includes('per_image')) return 'masks per image (histogram)';
  if (s.includes('accept_rate_counters')) return 'accept rates by checkpoint';
  if (s.includes('assignee_id::text')) return 'submissions by annotator';
  return s.slice(0, 60);
};

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function measure(label: string, fn: () => Promise<unknown>) {
  await fn(); // warm-up
  const totals: number[] = [];
  const perQuery = new Map<string, number[]>();
  const sqlOf = new Map<string, NonNullable<QueryTiming['sql']>>();
  for (let r = 0; r < RUNS; r++) {
    timings = [];
    const t = performance.now();
    await fn();
    totals.push(performance.now() - t);
    for (const q of timings) {
      const name = q.sql ? rawName(q.sql.text) : q.name;
      perQuery.set(name, [...(perQuery.get(name) ?? []), q.ms]);
      if (q.sql) sqlOf.set(name, q.sql);
    }
  }
  return { label, total: p50(totals), queries: [...perQuery.entries()].map(([name, ms]) => ({ name, p50: p50(ms), max: Math.max(...ms) })), sqlOf };
}

async function main() {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`SET search_path = "${args.schema}"`);
  const { rows: [project] } = await admin.query<{ id: string; masks: string; images: string }>(
    `SELECT p.id, (SELECT count(*) FROM masks WHERE project_id = p.id) AS masks, (SELECT count(*) FROM images WHERE project_id = p.id) AS images FROM projects p ORDER BY created_at LIMIT 1`,
  );
  if (!project) throw new Error(`schema ${args.schema} has no project: run npm run seed:scale -- --masks 1000000 first`);
  const { rows: [manager] } = await admin.query<Actor>(`SELECT id, email, name, role FROM users WHERE role = 'manager' ORDER BY created_at LIMIT 1`);
  console.log(`schema ${args.schema}: one project with ${Number(project.images).toLocaleString('en')} images and ${Number(project.masks).toLocaleString('en')} masks; p50 of ${RUNS} runs after a warm-up\n`);

  const results = [
    await measure('stats.project', () => getProjectStats(deps, manager!, { projectId: project.id })),
    await measure('stats.csv', () => exportProjectStatsCsv(deps, manager!, { projectId: project.id })),
    await measure('stats.activity', () => listProjectActivity(deps, manager!)),
  ];
  console.log('| procedure | query | p50 ms | max ms | < 200 ms |');
  console.log('|---|---|---:|---:|:-:|');
  for (const r of results) {
    console.log(`| **${r.label}** | (whole call) | ${r.total.toFixed(1)} | | ${r.total < TARGET_MS ? 'yes' : '**no**'} |`);
    for (const q of r.queries.sort((a, b) => b.p50 - a.p50)) console.log(`| | ${q.name} | ${q.p50.toFixed(1)} | ${q.max.toFixed(1)} | ${q.p50 < TARGET_MS ? 'yes' : '**no**'} |`);
  }
  if (argv.includes('--explain')) {
    for (const [name, sql] of results[0]!.sqlOf) {
      const { rows } = await admin.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql.text}`, sql.values);
      console.log(`\n### ${name}\n${rows.map((r) => r['QUERY PLAN']).join('\n')}`);
    }
  }
  await admin.end();
}

try {
  await main();
} finally {
  await runtime.close();
}
