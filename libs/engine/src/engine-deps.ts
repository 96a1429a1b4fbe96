import type { Logger, RegisterSource } from '@dataengine/config';
import type { Db } from '@dataengine/db';
import type { EventPublisher, JobProducer } from '@dataengine/queue';
import type { BlobStore } from '@dataengine/storage';

/** The settings use cases read; a subset of AppConfig so tests can pass just these. */
export interface EngineSettings {
  SESSION_TTL_SECONDS: number;
  UPLOAD_MAX_BYTES: number;
  UPLOAD_MAX_PIXELS: number;
  /** Longest COCO RLE string a mask may have. */
  MASK_MAX_RLE_BYTES: number;
  THUMBNAIL_SIZE: number;
  TASK_LEASE_SECONDS: number;
  /** An idle gap counts as at most this many seconds of active time (a project may override it). */
  IDLE_GAP_CAP_SECONDS: number;
  /** Local root of the blob store: retrain snapshots and trainer work directories live under it. */
  blobDir: string;
  TRAINER_PYTHON: string;
  /** Absolute path of the trainer package directory. */
  trainerDir: string;
  TRAINER_THREADS: number;
  AUTO_PROMOTE_MARGIN: number;
  EVAL_NOC_MAX_CLICKS: number;
  /** Fewest accepted masks a held-out set needs before evaluate scores on it. */
  EVAL_MIN_MASKS: number;
  /** Where a project's managers may register images in place (REGISTER_SOURCES); unset or empty: nowhere. */
  registerSources?: readonly RegisterSource[];
  /** Lifetime of presigned GETs for stores that sign URLs (S3); 0 or unset: bytes go through the API. */
  S3_PRESIGN_SECONDS?: number;
}

/** Everything a use case may touch. Transports (tRPC, binary routes, job processors, CLI) build one. */
export interface EngineDeps {
  db: Db;
  blobs: BlobStore;
  jobs: JobProducer;
  /** Tells open annotation tools about engine changes (checkpoint promoted, …). */
  events: EventPublisher;
  settings: EngineSettings;
  logger: Logger;
  now?: () => Date;
}

export const nowOf = (deps: Pick<EngineDeps, 'now'>): Date => (deps.now ? deps.now() : new Date());
