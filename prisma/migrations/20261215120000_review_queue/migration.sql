-- Review: a project's review queue (QA sampling of submitted images, every stage-2/3 image and
-- autogen output unless the project turns that off), images returned to their annotator after a
-- rejection, the reviewer's verdict and a pixel-edit time on masks (accept rates), and the idle-gap cap.
-- CreateEnum
CREATE TYPE "review_status" AS ENUM ('pending', 'accepted', 'rejected');

-- CreateEnum
CREATE TYPE "review_source" AS ENUM ('sampled', 'stage', 'resubmitted', 'autogen');

-- CreateEnum
CREATE TYPE "mask_verdict" AS ENUM ('accepted', 'rejected');

-- AlterTable
ALTER TABLE "projects" ADD COLUMN "review_sample_rate" DOUBLE PRECISION NOT NULL DEFAULT 0.1;

-- AlterTable
ALTER TABLE "projects" ADD COLUMN "review_later_stages" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "projects" ADD COLUMN "idle_cap_seconds" INTEGER;

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN "reserved_for_id" UUID;

-- AlterTable
ALTER TABLE "masks" ADD COLUMN "edited_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "masks" ADD COLUMN "review_verdict" "mask_verdict";

-- AlterTable
ALTER TABLE "masks" ADD COLUMN "reviewed_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "reviews" (
    "id" BIGSERIAL NOT NULL,
    "project_id" UUID NOT NULL,
    "image_id" INTEGER NOT NULL,
    "stage" "stage" NOT NULL,
    "source" "review_source" NOT NULL,
    "task_id" BIGINT,
    "submitted_by_id" UUID,
    "run_id" UUID,
    "status" "review_status" NOT NULL DEFAULT 'pending',
    "reviewer_id" UUID,
    "reason" TEXT,
    "masks_accepted" INTEGER NOT NULL DEFAULT 0,
    "masks_rejected" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "decided_at" TIMESTAMPTZ(3),

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_reserved_for_id_fkey" FOREIGN KEY ("reserved_for_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "masks_project_id_provenance_checkpoint_id_idx" ON "masks"("project_id", "provenance", "checkpoint_id");

-- CreateIndex
CREATE INDEX "reviews_project_id_status_id_idx" ON "reviews"("project_id", "status", "id");

-- CreateIndex
CREATE INDEX "reviews_image_id_status_idx" ON "reviews"("image_id", "status");

-- CreateIndex
CREATE INDEX "reviews_task_id_idx" ON "reviews"("task_id");

-- CreateIndex
CREATE INDEX "reviews_run_id_idx" ON "reviews"("run_id");

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "images"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_submitted_by_id_fkey" FOREIGN KEY ("submitted_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_reviewer_id_fkey" FOREIGN KEY ("reviewer_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: before this migration a live mask's version moved only when its pixels were changed
-- (deletions also set deleted_at), so a live mask past version 1 was edited.
UPDATE "masks" SET "edited_at" = "updated_at" WHERE "version" > 1 AND "deleted_at" IS NULL;
