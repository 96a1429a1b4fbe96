// Options of the SA-1B-scale seed (scripts/seed-scale.ts) and the benchmarks that read its schema.

/** The seed's shape; SA-1B: images ~1500 px on the short side, ~100 masks per image (SAM paper §5). */
export const SCALE_SEED = {
  schema: 'scale_1m',
  width: 2250,
  height: 1500,
  annotators: 25,
  checkpoints: 4,
  scenes: 30,
  /** images whose masks one INSERT … SELECT makes (~100 masks each) */
  imageBatch: 1_000,
} as const;

export interface ScaleSeedArgs {
  masks: number;
  images: number;
  schema: string;
  scenes: number;
  drop: boolean;
  databaseUrl: string | undefined;
}

/** `--masks N --images N --schema NAME --scenes N --drop` (images default to masks / 100). */
export function scaleSchemaArgs(argv: string[]): ScaleSeedArgs {
  const value = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const int = (name: string, fallback: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
    return n;
  };
  const masks = int('masks', 1_000_000);
  const schema = value('schema') ?? SCALE_SEED.schema;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`--schema must be a lower-case SQL identifier, got "${schema}"`);
  return {
    masks,
    images: int('images', Math.max(1, Math.round(masks / 100))),
    schema,
    scenes: int('scenes', SCALE_SEED.scenes),
    drop: argv.includes('--drop'),
    databaseUrl: process.env['SCALE_DATABASE_URL'],
  };
}
