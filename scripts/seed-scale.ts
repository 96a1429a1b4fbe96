// npm run seed:scale -- --masks 1000000 [--images N] [--schema scale_1m] [--drop]
// One project of SA-1B shape in a schema of its own (migrated here, dropped with --drop): images
// at SA-1B's resolution, tasks in the three stages, ~100 masks per image whose RLEs are the ground
// truth of synthetic scenes (libs/synth) at that resolution, a provenance mix, authors,
// checkpoints, reviews, creation times over six weeks, and the counters the dashboard reads.
// Rows are made inside PostgreSQL (INSERT … SELECT over unnest/generate_series) in batches.
// Prints rows/s and each table's size with its indexes (bytes per mask row).
import pg from 'pg';
import { ensureDatabase, migrate, MIGRATIONS_DIR } from '@dataengine/db';
import { generateScene, sceneToSa1bRecord } from '@dataengine/synth';
import { TEST_DATABASE_URL } from '@dataengine/testing';
import { scaleSchemaArgs, SCALE_SEED } from './lib/scale-seed-options';

const args = scaleSchemaArgs(process.argv.slice(2));
const url = args.databaseUrl ?? TEST_DATABASE_URL;
const client = new pg.Client({ connectionString: url });

async function main() {
  await ensureDatabase(url);
  await client.connect();
  const schema = `"${args.schema}"`;
  if (args.drop) {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    console.log(`dropped schema ${args.schema}`);
    return;
  }
  const t0 = performance.now();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await migrate({ connectionString: url, schema: args.schema, migrationsDir: MIGRATIONS_DIR });
  await client.query(`SET search_path = ${schema}`);
  await client.query('SET synchronous_commit = off');

  // 1. real RLEs: the exact instance masks of synthetic scenes at SA-1B's resolution
  const rles: { counts: string; bbox: number[]; area: number; point: number[] }[] = [];
  for (let s = 1; s <= args.scenes; s++) {
    const scene = generateScene({ seed: 9_000 + s, width: SCALE_SEED.width, height: SCALE_SEED.height });
    for (const a of sceneToSa1bRecord(scene, { imageId: s, fileName: `scene-${s}` }).annotations) {
      rles.push({ counts: a.segmentation.counts, bbox: a.bbox, area: a.area, point: a.point_coords[0] ?? [0, 0] });
    }
  }
  await client.query(`CREATE UNLOGGED TABLE seed_rles (idx int PRIMARY KEY, counts text, bx int, by int, bw int, bh int, area int, px int, py int)`);
  await client.query(
    `INSERT INTO seed_rles SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[])`,
    [rles.map((_, i) => i), rles.map((r) => r.counts), ...[0, 1, 2, 3].map((k) => rles.map((r) => Math.round(r.bbox[k]!))), rles.map((r) => r.area), rles.map((r) => Math.round(r.point[0]!)), rles.map((r) => Math.round(r.point[1]!))],
  );
  const meanRle = rles.reduce((s, r) => s + r.counts.length, 0) / rles.length;
  console.log(`${rles.length} RLEs from ${args.scenes} scenes at ${SCALE_SEED.width}×${SCALE_SEED.height}: mean ${meanRle.toFixed(0)} chars (${((performance.now() - t0) / 1000).toFixed(1)} s)`);

  // 2. people, project, checkpoints
  const annotators = SCALE_SEED.annotators;
  await client.query(
    `INSERT INTO users (id, email, name, password_hash, role, created_at)
     SELECT gen_random_uuid(), 'scale-' || g || '@example.com', 'Scale annotator ' || g, 'not-a-login', (CASE WHEN g = 0 THEN 'manager' ELSE 'annotator' END)::user_role, now() - interval '60 days'
       FROM generate_series(0, $1::int) g`,
    [annotators],
  );
  const { rows: [project] } = await client.query<{ id: string }>(
    `INSERT INTO projects (id, name, slug, created_by_id, stage, created_at)
     SELECT gen_random_uuid(), 'SA-1B scale', 'sa1b-scale', id, 'fully_automatic', now() - interval '50 days' FROM users WHERE email = 'scale-0@example.com' RETURNING id`,
  );
  const projectId = project!.id;
  await client.query(
    `INSERT INTO project_members (project_id, user_id, role) SELECT $1::uuid, id, (CASE WHEN role = 'manager' THEN 'manager' ELSE 'annotator' END)::project_role FROM users`,
    [projectId],
  );
  await client.query(
    `INSERT INTO checkpoints (id, name, bundle_key, bundle_hash, manifest, status, project_id, created_at)
     SELECT gen_random_uuid(), 'scale-ckpt-' || g, 'bundles/scale-' || g, md5('scale-ckpt-' || g), '{}'::jsonb,
            (CASE WHEN g = $2::int THEN 'active' ELSE 'retired' END)::checkpoint_status, $1::uuid, now() - ((45 - g * 10) || ' days')::interval
       FROM generate_series(1, $2::int) g`,
    [projectId, SCALE_SEED.checkpoints],
  );

  // 3. images: stage 1 for the first 30 %, stage 2 for the next 30 %, stage 3 (automatic) for the rest
  const tImages = performance.now();
  await client.query(
    `INSERT INTO images (project_id, content_hash, blob_key, thumb_key, file_name, mime, byte_size, width, height, split, status, created_at, ingested_at)
     SELECT $1::uuid, md5('img' || g), 'images/' || md5('img' || g), 'thumbs/' || md5('img' || g), 'sa_' || g || '.jpg', 'image/jpeg', 300000 + (g * 7919) % 400000,
            $3::int, $4::int, (CASE WHEN g % 10 = 0 THEN 'val' ELSE 'train' END)::split,
            (CASE WHEN g % 997 = 0 THEN 'failed' WHEN g % 401 = 0 THEN 'pending' ELSE 'ready' END)::image_status,
            now() - interval '49 days' + (g::float8 / $2::int) * interval '1 day', now() - interval '49 days' + (g::float8 / $2::int) * interval '1 day' + interval '1 minute'
       FROM generate_series(1, $2::int) g`,
    [projectId, args.images, SCALE_SEED.width, SCALE_SEED.height],
  );
  const { rows: [range] } = await client.query<{ lo: number; hi: number }>(`SELECT min(id) AS lo, max(id) AS hi FROM images`);
  const lo = range!.lo;
  const stageOf = (k: number) => (k < 0.3 * args.images ? 'assisted_manual' : k < 0.6 * args.images ? 'semi_automatic' : 'fully_automatic');
  // tasks for stage 1 and 2 images: 90 % submitted by one annotator over six weeks, 3 % leased, the rest open
  await client.query(
    `INSERT INTO tasks (project_id, image_id, stage, status, assignee_id, lease_expires_at, created_at, started_at, submitted_at, active_ms)
     SELECT $1::uuid, i.id, s.stage::stage, s.status::task_status,
            CASE WHEN s.status <> 'open' THEN a.ids[1 + i.id % $3::int] END,
            CASE WHEN s.status = 'leased' THEN now() + interval '10 minutes' END,
            i.created_at, CASE WHEN s.status <> 'open' THEN i.created_at + interval '2 hours' END,
            CASE WHEN s.status = 'submitted' THEN i.created_at + interval '1 day' END,
            CASE WHEN s.status = 'submitted' THEN 30000 + (i.id * 7907) % 600000 ELSE 0 END
       FROM images i
      CROSS JOIN (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE role = 'annotator') a
      CROSS JOIN LATERAL (SELECT CASE WHEN i.id - $2::int < 0.3 * $4::int THEN 'assisted_manual' ELSE 'semi_automatic' END AS stage,
                                 CASE WHEN i.id % 100 < 90 THEN 'submitted' WHEN i.id % 100 < 93 THEN 'leased' ELSE 'open' END AS status) s
      WHERE i.id - $2::int < 0.6 * $4::int AND i.status = 'ready'`,
    [projectId, lo, annotators, args.images],
  );
  console.log(`images ${args.images} + tasks in ${((performance.now() - tImages) / 1000).toFixed(1)} s`);

  // 4. masks per image: none for images not yet worked on, otherwise a spread around the mean (SA-1B ~100).
  // The masks' trigger moves the accept-rate counters as in the product, once per statement: ~0.16 s
  // of a 100k-mask batch's ~4 s (a backfill after the last batch instead saved ~1 s of ~50 s).
  const perImage = masksPerImage(args.images, args.masks);
  const tMasks = performance.now();
  let made = 0;
  for (let start = 0; start < args.images; start += SCALE_SEED.imageBatch) {
    const ids: number[] = [];
    const counts: number[] = [];
    const stages: string[] = [];
    for (let k = start; k < Math.min(args.images, start + SCALE_SEED.imageBatch); k++) {
      ids.push(lo + k);
      counts.push(perImage[k]!);
      stages.push(stageOf(k));
    }
    const result = await client.query(
      `WITH batch AS (SELECT * FROM unnest($1::int[], $2::int[], $3::text[]) AS b(image_id, n, stage)),
            ckpt AS (SELECT array_agg(id ORDER BY created_at) AS ids FROM checkpoints),
            ann AS (SELECT array_agg(id ORDER BY email) AS ids FROM users WHERE role = 'annotator'),
            rle_n AS (SELECT count(*)::int AS n FROM seed_rles)
       INSERT INTO masks (project_id, image_id, task_id, stage, provenance, rle_counts, rle_height, rle_width, bbox_x, bbox_y, bbox_w, bbox_h, area,
                          checkpoint_id, predicted_iou, stability_score, point_coords, crop_box, author_id, active_ms, clicks, client_key,
                          created_at, updated_at, deleted_at, edited_at, review_verdict, reviewed_at)
       SELECT $4::uuid, b.image_id, t.id, b.stage::stage, p.provenance::provenance, r.counts, $5::int, $6::int, r.bx, r.by, r.bw, r.bh, r.area,
              CASE WHEN p.provenance <> 'manual' THEN c.ids[1 + (b.image_id * 31 / 7) % array_length(c.ids, 1)] END,
              CASE WHEN p.provenance <> 'manual' THEN 0.86 + (h % 140) / 1000.0 END,
              CASE WHEN p.provenance <> 'manual' THEN 0.92 + (h % 80) / 1000.0 END,
              CASE WHEN p.provenance = 'auto' THEN NULL ELSE jsonb_build_array(jsonb_build_array(r.px, r.py)) END,
              CASE WHEN p.provenance = 'auto' THEN jsonb_build_array(0, 0, $6::int, $5::int) END,
              CASE WHEN p.provenance <> 'auto' THEN ann.ids[1 + b.image_id % $7::int] END,
              CASE WHEN p.provenance = 'manual' THEN 3000 + h % 27000 WHEN p.provenance = 'prefill' THEN h % 4000 ELSE 0 END,
              CASE WHEN p.provenance = 'manual' THEN 1 + h % 7 ELSE 0 END,
              CASE WHEN p.provenance = 'manual' THEN 'seed-' || b.image_id || '-' || g END,
              i.created_at + interval '2 hours' + g * interval '20 seconds', i.created_at + interval '2 hours' + g * interval '20 seconds',
              CASE WHEN h % 100 < 4 THEN i.created_at + interval '3 hours' END,
              CASE WHEN p.provenance = 'prefill' AND h % 100 BETWEEN 4 AND 25 THEN i.created_at + interval '3 hours' END,
              (CASE WHEN h % 100 < 1 THEN 'rejected' WHEN h % 100 > 88 THEN 'accepted' END)::mask_verdict,
              CASE WHEN h % 100 < 1 OR h % 100 > 88 THEN i.created_at + interval '2 days' END
         FROM batch b
         JOIN images i ON i.id = b.image_id
         LEFT JOIN tasks t ON t.image_id = b.image_id AND t.stage = b.stage::stage
        CROSS JOIN ckpt c CROSS JOIN ann CROSS JOIN rle_n
        CROSS JOIN LATERAL generate_series(1, b.n) g
        CROSS JOIN LATERAL (SELECT abs(hashint8(b.image_id::bigint * 1000 + g)) AS h) hh
        CROSS JOIN LATERAL (SELECT CASE WHEN b.stage = 'assisted_manual' THEN 'manual'
                                        WHEN b.stage = 'semi_automatic' THEN (CASE WHEN h % 10 < 6 THEN 'prefill' ELSE 'manual' END)
                                        ELSE 'auto' END AS provenance) p
         JOIN seed_rles r ON r.idx = h % rle_n.n`,
      [ids, counts, stages, projectId, SCALE_SEED.height, SCALE_SEED.width, annotators],
    );
    made += result.rowCount ?? 0;
    const s = (performance.now() - tMasks) / 1000;
    process.stdout.write(`\rmasks ${made.toLocaleString('en')} / ${args.masks.toLocaleString('en')}  ${(made / s).toFixed(0)} rows/s   `);
  }
  const maskSeconds = (performance.now() - tMasks) / 1000;
  console.log(`\nmasks: ${made} rows in ${maskSeconds.toFixed(1)} s = ${(made / maskSeconds).toFixed(0)} rows/s (with every index of the schema in place)`);

  // 5. reviews, and the counters the dashboard reads (kept by the masks' transactions in the product)
  await client.query(
    `INSERT INTO reviews (project_id, image_id, stage, source, task_id, submitted_by_id, status, reviewer_id, masks_accepted, created_at, decided_at)
     SELECT t.project_id, t.image_id, t.stage, 'sampled', t.id, t.assignee_id,
            (CASE WHEN t.image_id % 3 = 0 THEN 'pending' ELSE 'accepted' END)::review_status,
            CASE WHEN t.image_id % 3 <> 0 THEN (SELECT id FROM users WHERE email = 'scale-0@example.com') END,
            0, t.submitted_at, CASE WHEN t.image_id % 3 <> 0 THEN t.submitted_at + interval '1 day' END
       FROM tasks t WHERE t.status = 'submitted' AND t.image_id % 10 = 3`,
  );
  await client.query(
    `INSERT INTO stage_counters (project_id, stage, images_total, images_done, masks_manual, masks_prefill, masks_auto, active_ms_total, clicks_total, updated_at)
     SELECT $1::uuid, s.stage, coalesce(t.total, 0), coalesce(t.done, 0), coalesce(m.manual, 0), coalesce(m.prefill, 0), coalesce(m.auto, 0), coalesce(m.active_ms, 0), coalesce(m.clicks, 0), now()
       FROM unnest(enum_range(NULL::stage)) s(stage)
       LEFT JOIN (SELECT stage, count(*) AS total, count(*) FILTER (WHERE status = 'submitted') AS done FROM tasks GROUP BY stage) t ON t.stage = s.stage
       LEFT JOIN (SELECT stage, count(*) FILTER (WHERE provenance = 'manual') AS manual, count(*) FILTER (WHERE provenance = 'prefill') AS prefill,
                         count(*) FILTER (WHERE provenance = 'auto') AS auto, sum(active_ms) AS active_ms, sum(clicks) AS clicks
                    FROM masks WHERE deleted_at IS NULL GROUP BY stage) m ON m.stage = s.stage`,
    [projectId],
  );
  await client.query(
    `INSERT INTO annotator_daily_counters (project_id, stage, author_id, checkpoint_key, day, masks, active_ms, clicks)
     SELECT project_id, stage, author_id, coalesce(checkpoint_id::text, ''), (created_at AT TIME ZONE 'UTC')::date, count(*), sum(active_ms), sum(clicks)
       FROM masks WHERE author_id IS NOT NULL AND provenance <> 'auto' AND deleted_at IS NULL
      GROUP BY 1, 2, 3, 4, 5`,
  );
  await client.query('DROP TABLE seed_rles');
  // as autovacuum would (this development server runs without it): statistics, and the visibility
  // map that lets the histogram's index-only scan skip the heap (~0.1 s instead of ~0.45 s)
  await client.query('VACUUM (ANALYZE)');
  console.log(`seeded schema ${args.schema} in ${((performance.now() - t0) / 1000).toFixed(1)} s (project ${projectId})\n`);
  await printSizes(made);
}

/** Per-image mask counts summing to `total`: 5 % of images have none, the rest spread ~0.2×–2.4× the mean. */
function masksPerImage(images: number, total: number): number[] {
  const weights = Array.from({ length: images }, (_, k) => (k % 20 === 7 ? 0 : 0.2 + 2.2 * (((k * 2_654_435_761) >>> 0) / 2 ** 32) ** 1.5));
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((w / sum) * total));
  let rest = total - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; rest > 0; k = (k + 1) % images) {
    if (weights[k]! > 0) {
      counts[k]! += 1;
      rest -= 1;
    }
  }
  return counts;
}

async function printSizes(masks: number) {
  const { rows } = await client.query<{ table: string; rows: string; heap: string; toast: string; indexes: string; total: string }>(
    `SELECT c.relname AS table, c.reltuples::bigint AS rows, pg_relation_size(c.oid) AS heap,
            coalesce(pg_total_relation_size(c.reltoastrelid), 0) AS toast, pg_indexes_size(c.oid) AS indexes, pg_total_relation_size(c.oid) AS total
       FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'
      ORDER BY pg_total_relation_size(c.oid) DESC`,
    [args.schema],
  );
  const mib = (b: string | number) => (Number(b) / 2 ** 20).toFixed(1);
  console.log('| table | rows | heap MiB | TOAST MiB | indexes MiB | total MiB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows.filter((r) => Number(r.total) > 64 * 1024)) console.log(`| ${r.table} | ${Number(r.rows).toLocaleString('en')} | ${mib(r.heap)} | ${mib(r.toast)} | ${mib(r.indexes)} | ${mib(r.total)} |`);
  const m = rows.find((r) => r.table === 'masks')!;
  const { rows: idx } = await client.query<{ index: string; bytes: string }>(
    `SELECT indexrelid::regclass::text AS index, pg_relation_size(indexrelid) AS bytes FROM pg_index WHERE indrelid = $1::regclass ORDER BY 2 DESC`,
    [`"${args.schema}".masks`],
  );
  const { rows: [rle] } = await client.query<{ avg: string }>(`SELECT avg(octet_length(rle_counts)) AS avg FROM "${args.schema}".masks`);
  console.log(`\nmasks: ${(Number(m.total) / masks).toFixed(0)} bytes per row in all (heap ${(Number(m.heap) / masks).toFixed(0)}, TOAST ${(Number(m.toast) / masks).toFixed(0)}, indexes ${(Number(m.indexes) / masks).toFixed(0)}); RLE text ${Number(rle!.avg).toFixed(0)} bytes on average`);
  console.log('| masks index | MiB | bytes per row |');
  console.log('|---|---:|---:|');
  for (const r of idx) console.log(`| ${r.index.replace(/^.*\./, '')} | ${mib(r.bytes)} | ${(Number(r.bytes) / masks).toFixed(1)} |`);
}

try {
  await main();
} finally {
  await client.end();
}
