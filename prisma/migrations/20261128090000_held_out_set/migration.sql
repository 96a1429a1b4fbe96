-- The held-out set per project: the share of new images that become `val` at upload (split "auto").
-- AlterTable
ALTER TABLE "projects" ADD COLUMN "val_share" DOUBLE PRECISION NOT NULL DEFAULT 0.1;

-- Backfill: images uploaded as `val` stay val; every other image is assigned by the rule uploads
-- now follow (libs/engine/src/images/held-out-split.ts): val when the first 32 bits of its content
-- hash, as a fraction of 2^32, fall below the project's share (0.1 here, the default).
UPDATE "images" AS i
SET "split" = 'val'
FROM "projects" AS p
WHERE p."id" = i."project_id"
  AND i."split" = 'train'
  AND i."content_hash" ~ '^[0-9a-f]{8}'
  AND ('x' || substr(i."content_hash", 1, 8))::bit(32)::bigint < p."val_share" * 4294967296;
