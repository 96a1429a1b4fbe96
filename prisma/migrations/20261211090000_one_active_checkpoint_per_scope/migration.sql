-- At most one active checkpoint per scope (the global one, or one per project), enforced by the
-- database: "active_scope" is the scope of an active checkpoint ('global' or its project's id) and
-- NULL for every other status, and it is unique (NULLs never collide). Promotion and roll back
-- retire the scope's active checkpoint and activate the new one in one transaction; a second
-- active checkpoint in a scope is now refused by the database, whatever writes it.

-- Repair first: where a scope has several active checkpoints, keep the most recently promoted one
-- and retire the others, recording why in the audit trail.
WITH "ranked" AS (
  SELECT "id", row_number() OVER (PARTITION BY COALESCE("project_id"::text, 'global') ORDER BY "promoted_at" DESC NULLS LAST, "created_at" DESC, "id") AS "rank"
    FROM "checkpoints"
   WHERE "status" = 'active'
), "retired" AS (
  UPDATE "checkpoints" AS "c" SET "status" = 'retired'
    FROM "ranked" AS "r"
   WHERE "c"."id" = "r"."id" AND "r"."rank" > 1
  RETURNING "c"."id"
)
INSERT INTO "checkpoint_events" ("checkpoint_id", "action", "from_status", "to_status", "reason")
SELECT "id", 'repair', 'active', 'retired', 'another checkpoint of its scope was active too; the most recently promoted one was kept'
  FROM "retired";

-- AlterTable
ALTER TABLE "checkpoints" ADD COLUMN "active_scope" TEXT GENERATED ALWAYS AS (CASE WHEN "status" = 'active' THEN COALESCE("project_id"::text, 'global') END) STORED;

-- CreateIndex
CREATE UNIQUE INDEX "checkpoints_active_scope_key" ON "checkpoints"("active_scope");
