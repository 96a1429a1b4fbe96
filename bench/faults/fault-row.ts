/** One attack or fault and what happened: the row bench:faults prints. */
export interface FaultRow {
  /** What was done, e.g. "pg_terminate_backend of every API connection under 30 savers". */
  attack: string;
  /** What must happen, e.g. "503 during the outage, 200 within 5 s, no acknowledged mask lost". */
  expected: string;
  /** What was measured, with numbers. */
  result: string;
  /** Whether the result meets the expectation. */
  ok: boolean;
}

/** A bench/faults/<name>.fault.ts module: self-contained (starts and stops what it needs). */
export interface FaultModule {
  title: string;
  run(): Promise<FaultRow[]>;
}
