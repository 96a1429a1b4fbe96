-- A retrain schedule can run every Nth scheduled retrain in full mode (the image encoder trains too);
-- the others stay fast. retrain_scheduled_count numbers the scheduled retrains started so far.
ALTER TABLE "projects" ADD COLUMN "retrain_full_every" INTEGER;
ALTER TABLE "projects" ADD COLUMN "retrain_scheduled_count" INTEGER NOT NULL DEFAULT 0;
