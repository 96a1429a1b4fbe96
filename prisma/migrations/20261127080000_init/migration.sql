-- CreateEnum
CREATE TYPE "user_role" AS ENUM ('annotator', 'manager', 'ops', 'admin');

-- CreateEnum
CREATE TYPE "project_role" AS ENUM ('annotator', 'manager');

-- CreateEnum
CREATE TYPE "stage" AS ENUM ('assisted_manual', 'semi_automatic', 'fully_automatic');

-- CreateEnum
CREATE TYPE "split" AS ENUM ('train', 'val');

-- CreateEnum
CREATE TYPE "image_status" AS ENUM ('pending', 'ready', 'failed');

-- CreateEnum
CREATE TYPE "task_status" AS ENUM ('open', 'leased', 'submitted', 'skipped');

-- CreateEnum
CREATE TYPE "provenance" AS ENUM ('manual', 'prefill', 'auto');

-- CreateEnum
CREATE TYPE "checkpoint_status" AS ENUM ('candidate', 'active', 'retired', 'rejected');

-- CreateEnum
CREATE TYPE "run_kind" AS ENUM ('ingest', 'embed', 'prefill', 'autogen', 'retrain', 'evaluate', 'export', 'import');

-- CreateEnum
CREATE TYPE "run_item_status" AS ENUM ('pending', 'done', 'failed');

-- CreateEnum
CREATE TYPE "run_status" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "user_role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "user_agent" TEXT,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "projects" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "stage" "stage" NOT NULL DEFAULT 'assisted_manual',
    "created_by_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "project_members" (
    "project_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "project_role" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "project_members_pkey" PRIMARY KEY ("project_id", "user_id")
);

-- CreateTable
CREATE TABLE "images" (
    "id" SERIAL NOT NULL,
    "project_id" UUID NOT NULL,
    "content_hash" TEXT NOT NULL,
    "blob_key" TEXT NOT NULL,
    "thumb_key" TEXT,
    "file_name" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "byte_size" INTEGER NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "split" "split" NOT NULL DEFAULT 'train',
    "status" "image_status" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "uploaded_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ingested_at" TIMESTAMPTZ(3),

    CONSTRAINT "images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" BIGSERIAL NOT NULL,
    "project_id" UUID NOT NULL,
    "image_id" INTEGER NOT NULL,
    "stage" "stage" NOT NULL,
    "status" "task_status" NOT NULL DEFAULT 'open',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "assignee_id" UUID,
    "lease_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "submitted_at" TIMESTAMPTZ(3),
    "active_ms" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "masks" (
    "id" BIGSERIAL NOT NULL,
    "project_id" UUID NOT NULL,
    "image_id" INTEGER NOT NULL,
    "task_id" BIGINT,
    "stage" "stage" NOT NULL,
    "provenance" "provenance" NOT NULL,
    "rle_counts" TEXT NOT NULL,
    "rle_height" INTEGER NOT NULL,
    "rle_width" INTEGER NOT NULL,
    "bbox_x" INTEGER NOT NULL,
    "bbox_y" INTEGER NOT NULL,
    "bbox_w" INTEGER NOT NULL,
    "bbox_h" INTEGER NOT NULL,
    "area" INTEGER NOT NULL,
    "checkpoint_id" UUID,
    "run_id" UUID,
    "predicted_iou" REAL,
    "stability_score" REAL,
    "point_coords" JSONB,
    "crop_box" JSONB,
    "author_id" UUID,
    "active_ms" INTEGER NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "masks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoints" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "bundle_key" TEXT NOT NULL,
    "bundle_hash" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "metrics" JSONB,
    "status" "checkpoint_status" NOT NULL DEFAULT 'candidate',
    "parent_id" UUID,
    "project_id" UUID,
    "snapshot_key" TEXT,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "promoted_at" TIMESTAMPTZ(3),

    CONSTRAINT "checkpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "checkpoint_events" (
    "id" BIGSERIAL NOT NULL,
    "checkpoint_id" UUID NOT NULL,
    "action" TEXT NOT NULL,
    "from_status" "checkpoint_status",
    "to_status" "checkpoint_status" NOT NULL,
    "actor_id" UUID,
    "reason" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "checkpoint_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "embeddings" (
    "id" BIGSERIAL NOT NULL,
    "image_id" INTEGER NOT NULL,
    "checkpoint_id" UUID NOT NULL,
    "blob_key" TEXT NOT NULL,
    "dtype" TEXT NOT NULL,
    "shape" INTEGER[] NOT NULL,
    "byte_size" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embeddings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "runs" (
    "id" UUID NOT NULL,
    "project_id" UUID,
    "kind" "run_kind" NOT NULL,
    "status" "run_status" NOT NULL DEFAULT 'queued',
    "params" JSONB NOT NULL DEFAULT '{}',
    "checkpoint_id" UUID,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "result" JSONB,
    "created_by_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "cancel_requested_at" TIMESTAMPTZ(3),

    CONSTRAINT "runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "run_items" (
    "run_id" UUID NOT NULL,
    "image_id" INTEGER NOT NULL,
    "status" "run_item_status" NOT NULL DEFAULT 'pending',
    "error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "run_items_pkey" PRIMARY KEY ("run_id", "image_id")
);

-- CreateTable
CREATE TABLE "stage_counters" (
    "project_id" UUID NOT NULL,
    "stage" "stage" NOT NULL,
    "images_total" INTEGER NOT NULL DEFAULT 0,
    "images_done" INTEGER NOT NULL DEFAULT 0,
    "masks_manual" INTEGER NOT NULL DEFAULT 0,
    "masks_prefill" INTEGER NOT NULL DEFAULT 0,
    "masks_auto" INTEGER NOT NULL DEFAULT 0,
    "active_ms_total" BIGINT NOT NULL DEFAULT 0,
    "clicks_total" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stage_counters_pkey" PRIMARY KEY ("project_id", "stage")
);

-- CreateTable
CREATE TABLE "annotator_daily_counters" (
    "project_id" UUID NOT NULL,
    "stage" "stage" NOT NULL,
    "author_id" UUID NOT NULL,
    "checkpoint_key" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "masks" INTEGER NOT NULL DEFAULT 0,
    "active_ms" BIGINT NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "annotator_daily_counters_pkey" PRIMARY KEY ("project_id", "stage", "author_id", "checkpoint_key", "day")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");

-- CreateIndex
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");

-- CreateIndex
CREATE INDEX "sessions_expires_at_idx" ON "sessions"("expires_at");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateIndex
CREATE UNIQUE INDEX "projects_slug_key" ON "projects"("slug");

-- CreateIndex
CREATE INDEX "projects_created_at_idx" ON "projects"("created_at");

-- AddForeignKey
ALTER TABLE "projects" ADD CONSTRAINT "projects_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "project_members_user_id_idx" ON "project_members"("user_id");

-- AddForeignKey
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateIndex
CREATE UNIQUE INDEX "images_project_id_content_hash_key" ON "images"("project_id", "content_hash");

-- CreateIndex
CREATE INDEX "images_project_id_id_idx" ON "images"("project_id", "id");

-- CreateIndex
CREATE INDEX "images_project_id_split_id_idx" ON "images"("project_id", "split", "id");

-- CreateIndex
CREATE INDEX "images_content_hash_idx" ON "images"("content_hash");

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_uploaded_by_id_fkey" FOREIGN KEY ("uploaded_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE UNIQUE INDEX "tasks_image_id_stage_key" ON "tasks"("image_id", "stage");

-- CreateIndex
CREATE INDEX "tasks_project_id_stage_status_priority_id_idx" ON "tasks"("project_id", "stage", "status", "priority", "id");

-- CreateIndex
CREATE INDEX "tasks_assignee_id_status_idx" ON "tasks"("assignee_id", "status");

-- CreateIndex
CREATE INDEX "tasks_status_lease_expires_at_idx" ON "tasks"("status", "lease_expires_at");

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "images"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_assignee_id_fkey" FOREIGN KEY ("assignee_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "masks_image_id_deleted_at_idx" ON "masks"("image_id", "deleted_at");

-- CreateIndex
CREATE INDEX "masks_project_id_stage_created_at_idx" ON "masks"("project_id", "stage", "created_at");

-- CreateIndex
CREATE INDEX "masks_author_id_created_at_idx" ON "masks"("author_id", "created_at");

-- CreateIndex
CREATE INDEX "masks_checkpoint_id_idx" ON "masks"("checkpoint_id");

-- CreateIndex
CREATE INDEX "masks_run_id_idx" ON "masks"("run_id");

-- CreateIndex
CREATE INDEX "masks_task_id_idx" ON "masks"("task_id");

-- AddForeignKey
ALTER TABLE "masks" ADD CONSTRAINT "masks_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "masks" ADD CONSTRAINT "masks_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "images"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "masks" ADD CONSTRAINT "masks_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "masks" ADD CONSTRAINT "masks_checkpoint_id_fkey" FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "masks" ADD CONSTRAINT "masks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "masks" ADD CONSTRAINT "masks_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE UNIQUE INDEX "checkpoints_bundle_hash_key" ON "checkpoints"("bundle_hash");

-- CreateIndex
CREATE INDEX "checkpoints_status_idx" ON "checkpoints"("status");

-- CreateIndex
CREATE INDEX "checkpoints_project_id_status_idx" ON "checkpoints"("project_id", "status");

-- CreateIndex
CREATE INDEX "checkpoints_parent_id_idx" ON "checkpoints"("parent_id");

-- AddForeignKey
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "checkpoints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "checkpoint_events_checkpoint_id_created_at_idx" ON "checkpoint_events"("checkpoint_id", "created_at");

-- AddForeignKey
ALTER TABLE "checkpoint_events" ADD CONSTRAINT "checkpoint_events_checkpoint_id_fkey" FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "checkpoint_events" ADD CONSTRAINT "checkpoint_events_actor_id_fkey" FOREIGN KEY ("actor_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE UNIQUE INDEX "embeddings_image_id_checkpoint_id_key" ON "embeddings"("image_id", "checkpoint_id");

-- CreateIndex
CREATE INDEX "embeddings_checkpoint_id_idx" ON "embeddings"("checkpoint_id");

-- AddForeignKey
ALTER TABLE "embeddings" ADD CONSTRAINT "embeddings_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "images"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "embeddings" ADD CONSTRAINT "embeddings_checkpoint_id_fkey" FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "runs_project_id_created_at_idx" ON "runs"("project_id", "created_at");

-- CreateIndex
CREATE INDEX "runs_status_kind_idx" ON "runs"("status", "kind");

-- CreateIndex
CREATE INDEX "runs_created_at_idx" ON "runs"("created_at");

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_checkpoint_id_fkey" FOREIGN KEY ("checkpoint_id") REFERENCES "checkpoints"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "runs" ADD CONSTRAINT "runs_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "run_items_run_id_status_idx" ON "run_items"("run_id", "status");

-- CreateIndex
CREATE INDEX "run_items_image_id_idx" ON "run_items"("image_id");

-- AddForeignKey
ALTER TABLE "run_items" ADD CONSTRAINT "run_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "run_items" ADD CONSTRAINT "run_items_image_id_fkey" FOREIGN KEY ("image_id") REFERENCES "images"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "stage_counters" ADD CONSTRAINT "stage_counters_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateIndex
CREATE INDEX "annotator_daily_counters_project_id_day_idx" ON "annotator_daily_counters"("project_id", "day");

-- AddForeignKey
ALTER TABLE "annotator_daily_counters" ADD CONSTRAINT "annotator_daily_counters_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
