// Pure roll-ups of the per-annotator daily counters into the dashboard's effort tables: by stage,
// by checkpoint, by annotator (with throughput) and per day. The counters are the only input for
// time and clicks, so the charts never read the masks table.
import type { Stage } from '@dataengine/contracts';
import type { AnnotatorEffort, Effort, ProjectStats } from './stats-schema';

export interface DailyCounter {
  day: string;
  stage: Stage;
  checkpointKey: string;
  authorId: string;
  masks: number;
  activeMs: number;
  clicks: number;
}

export interface EffortContext {
  /** registered checkpoints seen in the counters, oldest first */
  checkpoints: { key: string; name: string }[];
  annotators: Map<string, { name: string; email: string }>;
  /** submitted images per annotator, on how many days they submitted, and their active time */
  submissions: Map<string, { images: number; days: number; activeMs?: number }>;
}

export const NO_MODEL_KEY = '';
export const NO_MODEL_NAME = 'no model';

const round2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number, b: number) => (b > 0 ? round2(a / b) : null);

export function effortOf(masks: number, activeMs: number, clicks: number): Effort {
  return { masks, activeMs, clicks, secondsPerMask: ratio(activeMs / 1000, masks), clicksPerMask: ratio(clicks, masks) };
}

type Totals = { masks: number; activeMs: number; clicks: number };

function sumBy<K>(rows: DailyCounter[], keyOf: (row: DailyCounter) => K): Map<K, Totals & { days: Set<string> }> {
  const sums = new Map<K, Totals & { days: Set<string> }>();
  for (const row of rows) {
    const key = keyOf(row);
    let sum = sums.get(key);
    if (!sum) sums.set(key, (sum = { masks: 0, activeMs: 0, clicks: 0, days: new Set() }));
    sum.masks += row.masks;
    sum.activeMs += row.activeMs;
    sum.clicks += row.clicks;
    if (row.masks > 0 || row.activeMs > 0) sum.days.add(row.day);
  }
  return sums;
}

const STAGE_ORDER: Stage[] = ['assisted_manual', 'semi_automatic', 'fully_automatic'];

export function rollUpEffort(rows: DailyCounter[], context: EffortContext): ProjectStats['effort'] {
  const byStage = sumBy(rows, (r) => r.stage);
  const byCheckpoint = sumBy(rows, (r) => r.checkpointKey);
  const byAuthor = sumBy(rows, (r) => r.authorId);
  const daily = sumBy(rows, (r) => `${r.day}|${r.stage}|${r.checkpointKey}|${r.authorId}`);

  const checkpointOrder = [NO_MODEL_KEY, ...context.checkpoints.map((c) => c.key)];
  const checkpointName = new Map(context.checkpoints.map((c) => [c.key, c.name]));
  const rank = (key: string) => (checkpointOrder.includes(key) ? checkpointOrder.indexOf(key) : checkpointOrder.length);

  const authorIds = new Set([...byAuthor.keys(), ...context.submissions.keys()]);
  const annotators: AnnotatorEffort[] = [...authorIds].map((authorId) => {
    const s = byAuthor.get(authorId) ?? { masks: 0, activeMs: 0, clicks: 0, days: new Set<string>() };
    const who = context.annotators.get(authorId);
    const submitted = context.submissions.get(authorId) ?? { images: 0, days: 0, activeMs: 0 };
    return {
      authorId,
      name: who?.name ?? 'deleted user',
      email: who?.email ?? '',
      ...effortOf(s.masks, s.activeMs, s.clicks),
      activeDays: s.days.size,
      masksPerHour: ratio(s.masks, s.activeMs / 3_600_000),
      imagesSubmitted: submitted.images,
      imagesPerDay: ratio(submitted.images, submitted.days),
      secondsPerImage: ratio((submitted.activeMs ?? 0) / 1000, submitted.images),
    };
  });

  return {
    byStage: STAGE_ORDER.filter((stage) => byStage.has(stage)).map((stage) => {
      const s = byStage.get(stage)!;
      return { stage, ...effortOf(s.masks, s.activeMs, s.clicks) };
    }),
    byCheckpoint: [...byCheckpoint.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([key, s]) => ({ checkpointKey: key, checkpointName: key === NO_MODEL_KEY ? NO_MODEL_NAME : (checkpointName.get(key) ?? key.slice(0, 8)), ...effortOf(s.masks, s.activeMs, s.clicks) })),
    byAnnotator: annotators.sort((a, b) => b.masks - a.masks || a.name.localeCompare(b.name)),
    daily: [...daily.entries()]
      .map(([key, s]) => {
        const [day, stage, checkpointKey, authorId] = key.split('|') as [string, Stage, string, string];
        return { day, stage, checkpointKey, authorId, ...effortOf(s.masks, s.activeMs, s.clicks) };
      })
      .sort((a, b) => a.day.localeCompare(b.day) || STAGE_ORDER.indexOf(a.stage) - STAGE_ORDER.indexOf(b.stage) || rank(a.checkpointKey) - rank(b.checkpointKey) || a.authorId.localeCompare(b.authorId)),
  };
}
