-- Accept rates by checkpoint from counters instead of a scan of the project's model masks
-- (0.5–0.9 s at 1M masks, ~10 min at 1.1B; docs/scale.md). accept_rate_counters holds, per
-- project, checkpoint, provenance and fate, how many of the model's masks have that fate, split
-- over 16 shards by image id so that concurrent writers on different images rarely update the same
-- row. The dashboard sums a few hundred rows (libs/engine/src/review/accept-rates.ts).
--
-- A mask's fate (accept_rate_fate, the same CASE as MASK_FATE_SQL in accept-rates.ts) depends on
-- the mask's row and on its image's latest submission, so triggers on both tables keep the counters
-- exact on every write path (saves, edits, deletes, imports, prefill, autogen, reviews, submissions,
-- re-opens, cascades) without application code. They are statement-level: a statement moves each
-- counter row once, however many masks it wrote (an import batch of 1,000 rows, a seed batch of
-- 100k).
--
-- Concurrency: a mask write on an image and a change of that image's latest submission must not
-- each miss the other's uncommitted rows. Mask writes take FOR KEY SHARE on their images (what
-- their foreign key check already takes on insert; writers of masks do not block one another), a
-- change of submission takes FOR UPDATE on its images (it waits for those writers, and they for
-- it); each then reads the other table in a statement of its own, so after a wait it sees what the
-- other committed.

-- CreateTable
CREATE TABLE "accept_rate_counters" (
    "project_id" UUID NOT NULL,
    "checkpoint_id" UUID NOT NULL,
    "provenance" "provenance" NOT NULL,
    "fate" TEXT NOT NULL,
    "shard" SMALLINT NOT NULL,
    "masks" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "accept_rate_counters_pkey" PRIMARY KEY ("project_id", "checkpoint_id", "provenance", "fate", "shard"),
    CONSTRAINT "accept_rate_counters_fate_check" CHECK ("fate" IN ('kept', 'edited', 'deleted', 'rejected', 'pending'))
);

-- AddForeignKey
ALTER TABLE "accept_rate_counters" ADD CONSTRAINT "accept_rate_counters_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A model mask's fate given its image's latest submission (null: none).
CREATE FUNCTION "accept_rate_fate"(verdict "mask_verdict", deleted_at TIMESTAMPTZ, edited_at TIMESTAMPTZ, created_at TIMESTAMPTZ, last_submitted_at TIMESTAMPTZ)
RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN verdict = 'rejected' THEN 'rejected'
    WHEN deleted_at IS NOT NULL THEN 'deleted'
    WHEN edited_at IS NOT NULL THEN 'edited'
    WHEN verdict = 'accepted' THEN 'kept'
    WHEN last_submitted_at >= created_at THEN 'kept'
    ELSE 'pending'
  END
$$;

-- What a mask statement changed: one row per model mask, +1 as it is now, -1 as it was.
CREATE TYPE "accept_rate_change" AS (
    "project_id" UUID,
    "image_id" INTEGER,
    "checkpoint_id" UUID,
    "provenance" "provenance",
    "review_verdict" "mask_verdict",
    "deleted_at" TIMESTAMPTZ(3),
    "edited_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3),
    "sign" INTEGER
);

-- Moves the counters by the given mask changes. Changes on images that are gone are left out: an
-- image's delete has taken its masks out of the counters already (accept_rate_uncount_image).
CREATE FUNCTION "accept_rate_count_changes"(changes "accept_rate_change"[]) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  image_ids INTEGER[];
BEGIN
  -- waits for a concurrent change of these images' submissions (see the header); the next
  -- statement then reads the tasks as committed
  SELECT coalesce(array_agg(i."id"), '{}') INTO image_ids
    FROM (SELECT "id" FROM "images" WHERE "id" IN (SELECT DISTINCT c."image_id" FROM unnest(changes) c) ORDER BY "id" FOR KEY SHARE) i;
  INSERT INTO "accept_rate_counters" AS a ("project_id", "checkpoint_id", "provenance", "fate", "shard", "masks")
  SELECT c."project_id", c."checkpoint_id", c."provenance",
         "accept_rate_fate"(c."review_verdict", c."deleted_at", c."edited_at", c."created_at", s."last_submitted_at"),
         (c."image_id" % 16)::smallint, sum(c."sign")
    FROM unnest(changes) c
    LEFT JOIN (SELECT t."image_id", max(t."submitted_at") AS "last_submitted_at"
                 FROM "tasks" t
                WHERE t."status" = 'submitted' AND t."image_id" = ANY(image_ids)
                GROUP BY t."image_id") s ON s."image_id" = c."image_id"
   WHERE c."image_id" = ANY(image_ids)
     -- a project being deleted takes its counters with it; its cascaded mask deletes add none back
     AND EXISTS (SELECT 1 FROM "projects" p WHERE p."id" = c."project_id")
   GROUP BY 1, 2, 3, 4, 5
  HAVING sum(c."sign") <> 0
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("project_id", "checkpoint_id", "provenance", "fate", "shard") DO UPDATE SET "masks" = a."masks" + excluded."masks";
END
$$;

CREATE FUNCTION "accept_rate_count_masks"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  changes "accept_rate_change"[];
BEGIN
  IF TG_OP = 'INSERT' THEN
    changes := ARRAY(
      SELECT ROW(n."project_id", n."image_id", n."checkpoint_id", n."provenance", n."review_verdict", n."deleted_at", n."edited_at", n."created_at", 1)::"accept_rate_change"
        FROM new_masks n WHERE n."provenance" IN ('prefill', 'auto') AND n."checkpoint_id" IS NOT NULL);
  ELSIF TG_OP = 'DELETE' THEN
    changes := ARRAY(
      SELECT ROW(o."project_id", o."image_id", o."checkpoint_id", o."provenance", o."review_verdict", o."deleted_at", o."edited_at", o."created_at", -1)::"accept_rate_change"
        FROM old_masks o WHERE o."provenance" IN ('prefill', 'auto') AND o."checkpoint_id" IS NOT NULL);
  ELSE
    -- only rows whose fate or group may have changed (a label, a version bump or pixels already
    -- counted as edited move nothing)
    changes := ARRAY(
      SELECT v.change
        FROM old_masks o
        JOIN new_masks n ON n."id" = o."id"
       CROSS JOIN LATERAL (VALUES
               (o."provenance", o."checkpoint_id", ROW(o."project_id", o."image_id", o."checkpoint_id", o."provenance", o."review_verdict", o."deleted_at", o."edited_at", o."created_at", -1)::"accept_rate_change"),
               (n."provenance", n."checkpoint_id", ROW(n."project_id", n."image_id", n."checkpoint_id", n."provenance", n."review_verdict", n."deleted_at", n."edited_at", n."created_at", 1)::"accept_rate_change")
             ) AS v(provenance, checkpoint_id, change)
       WHERE v.provenance IN ('prefill', 'auto') AND v.checkpoint_id IS NOT NULL
         AND (o."project_id", o."image_id", o."checkpoint_id", o."provenance", o."review_verdict", o."deleted_at" IS NULL, o."edited_at" IS NULL, o."created_at")
             IS DISTINCT FROM (n."project_id", n."image_id", n."checkpoint_id", n."provenance", n."review_verdict", n."deleted_at" IS NULL, n."edited_at" IS NULL, n."created_at"));
  END IF;
  IF cardinality(changes) > 0 THEN
    PERFORM "accept_rate_count_changes"(changes);
  END IF;
  RETURN NULL;
END
$$;

-- Moves the counters of the given images' model masks whose fate depends on the latest submission,
-- from what it was before the statement (the tasks now, without the statement's rows `now_ids`,
-- with its old rows `was_*`) to what it is now.
CREATE FUNCTION "accept_rate_count_submissions"(image_ids INTEGER[], now_ids BIGINT[], was_image_ids INTEGER[], was_submitted_at TIMESTAMPTZ[]) RETURNS void
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  -- waits for concurrent mask writes on these images (see the header); the next statement then
  -- reads their masks as committed. Images that are gone are left out (as above).
  SELECT coalesce(array_agg(i."id"), '{}') INTO image_ids
    FROM (SELECT "id" FROM "images" WHERE "id" = ANY(image_ids) ORDER BY "id" FOR UPDATE) i;
  INSERT INTO "accept_rate_counters" AS a ("project_id", "checkpoint_id", "provenance", "fate", "shard", "masks")
  SELECT m."project_id", m."checkpoint_id", m."provenance", f.fate, (m."image_id" % 16)::smallint, sum(f.sign)
    FROM (SELECT i.image_id,
                 (SELECT max(t."submitted_at") FROM "tasks" t WHERE t."image_id" = i.image_id AND t."status" = 'submitted') AS now_last,
                 greatest((SELECT max(t."submitted_at") FROM "tasks" t WHERE t."image_id" = i.image_id AND t."status" = 'submitted' AND t."id" NOT IN (SELECT unnest(now_ids))),
                          (SELECT max(w.submitted_at) FROM unnest(was_image_ids, was_submitted_at) AS w(image_id, submitted_at) WHERE w.image_id = i.image_id)) AS was_last
            FROM unnest(image_ids) AS i(image_id)) s
    JOIN "masks" m ON m."image_id" = s.image_id
   CROSS JOIN LATERAL (VALUES
           ("accept_rate_fate"(m."review_verdict", m."deleted_at", m."edited_at", m."created_at", s.now_last), 1),
           ("accept_rate_fate"(m."review_verdict", m."deleted_at", m."edited_at", m."created_at", s.was_last), -1)
         ) AS f(fate, sign)
   WHERE s.now_last IS DISTINCT FROM s.was_last
     AND m."provenance" IN ('prefill', 'auto') AND m."checkpoint_id" IS NOT NULL
     AND m."review_verdict" IS NULL AND m."deleted_at" IS NULL AND m."edited_at" IS NULL
     AND EXISTS (SELECT 1 FROM "projects" p WHERE p."id" = m."project_id")
   GROUP BY 1, 2, 3, 4, 5
  HAVING sum(f.sign) <> 0
   ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("project_id", "checkpoint_id", "provenance", "fate", "shard") DO UPDATE SET "masks" = a."masks" + excluded."masks";
END
$$;

CREATE FUNCTION "accept_rate_count_tasks"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  image_ids INTEGER[];
  now_ids BIGINT[] := '{}';
  was_image_ids INTEGER[] := '{}';
  was_submitted_at TIMESTAMPTZ[] := '{}';
BEGIN
  IF TG_OP = 'INSERT' THEN
    image_ids := ARRAY(SELECT DISTINCT n."image_id" FROM new_tasks n WHERE n."status" = 'submitted');
    now_ids := ARRAY(SELECT n."id" FROM new_tasks n);
  ELSE
    IF TG_OP = 'DELETE' THEN
      image_ids := ARRAY(SELECT DISTINCT o."image_id" FROM old_tasks o WHERE o."status" = 'submitted');
    ELSE
      -- only tasks that were or became submitted, with another status, time or image than before
      image_ids := ARRAY(
        SELECT DISTINCT x.image_id
          FROM old_tasks o
          JOIN new_tasks n ON n."id" = o."id"
         CROSS JOIN LATERAL (VALUES (o."image_id"), (n."image_id")) AS x(image_id)
         WHERE (o."status" = 'submitted' OR n."status" = 'submitted')
           AND (o."status", o."submitted_at", o."image_id") IS DISTINCT FROM (n."status", n."submitted_at", n."image_id"));
      IF cardinality(image_ids) > 0 THEN
        now_ids := ARRAY(SELECT n."id" FROM new_tasks n);
      END IF;
    END IF;
    IF cardinality(image_ids) > 0 THEN
      SELECT coalesce(array_agg(o."image_id"), '{}'), coalesce(array_agg(o."submitted_at"), '{}') INTO was_image_ids, was_submitted_at
        FROM old_tasks o WHERE o."status" = 'submitted';
    END IF;
  END IF;
  IF cardinality(image_ids) > 0 THEN
    PERFORM "accept_rate_count_submissions"(image_ids, now_ids, was_image_ids, was_submitted_at);
  END IF;
  RETURN NULL;
END
$$;

-- An image's delete cascades to its masks and its tasks, and the statement triggers of both
-- cascades run after both: neither would see the other table as it was. So the image's masks leave
-- the counters here, before the cascades, and the triggers of the cascades skip the image.
CREATE FUNCTION "accept_rate_uncount_image"() RETURNS trigger
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  -- a project's delete takes its counters with it
  IF EXISTS (SELECT 1 FROM "projects" p WHERE p."id" = OLD."project_id") THEN
    PERFORM "accept_rate_count_changes"(ARRAY(
      SELECT ROW(m."project_id", m."image_id", m."checkpoint_id", m."provenance", m."review_verdict", m."deleted_at", m."edited_at", m."created_at", -1)::"accept_rate_change"
        FROM "masks" m WHERE m."image_id" = OLD."id" AND m."provenance" IN ('prefill', 'auto') AND m."checkpoint_id" IS NOT NULL));
  END IF;
  RETURN OLD;
END
$$;

CREATE TRIGGER "images_accept_rates_delete" BEFORE DELETE ON "images" FOR EACH ROW EXECUTE FUNCTION "accept_rate_uncount_image"();
CREATE TRIGGER "masks_accept_rates_insert" AFTER INSERT ON "masks" REFERENCING NEW TABLE AS new_masks FOR EACH STATEMENT EXECUTE FUNCTION "accept_rate_count_masks"();
CREATE TRIGGER "masks_accept_rates_update" AFTER UPDATE ON "masks" REFERENCING OLD TABLE AS old_masks NEW TABLE AS new_masks FOR EACH STATEMENT EXECUTE FUNCTION "accept_rate_count_masks"();
CREATE TRIGGER "masks_accept_rates_delete" AFTER DELETE ON "masks" REFERENCING OLD TABLE AS old_masks FOR EACH STATEMENT EXECUTE FUNCTION "accept_rate_count_masks"();
CREATE TRIGGER "tasks_accept_rates_insert" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS new_tasks FOR EACH STATEMENT EXECUTE FUNCTION "accept_rate_count_tasks"();
CREATE TRIGGER "tasks_accept_rates_update" AFTER UPDATE ON "tasks" REFERENCING OLD TABLE AS old_tasks NEW TABLE AS new_tasks FOR EACH STATEMENT EXECUTE FUNCTION "accept_rate_count_tasks"();
CREATE TRIGGER "tasks_accept_rates_delete" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS old_tasks FOR EACH STATEMENT EXECUTE FUNCTION "accept_rate_count_tasks"();

-- Backfill: the counters of the masks already there (the triggers above hold the tables' write
-- lock until this migration commits, so no write falls between the two).
INSERT INTO "accept_rate_counters" ("project_id", "checkpoint_id", "provenance", "fate", "shard", "masks")
SELECT m."project_id", m."checkpoint_id", m."provenance",
       "accept_rate_fate"(m."review_verdict", m."deleted_at", m."edited_at", m."created_at", s."last_submitted_at"),
       (m."image_id" % 16)::smallint, count(*)
  FROM "masks" m
  LEFT JOIN (SELECT "image_id", max("submitted_at") AS "last_submitted_at" FROM "tasks" WHERE "status" = 'submitted' GROUP BY "image_id") s ON s."image_id" = m."image_id"
 WHERE m."provenance" IN ('prefill', 'auto') AND m."checkpoint_id" IS NOT NULL
 GROUP BY 1, 2, 3, 4, 5;
