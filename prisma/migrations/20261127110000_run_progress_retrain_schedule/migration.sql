-- AlterTable
ALTER TABLE "projects" ADD COLUMN "retrain_every_masks" INTEGER;

-- AlterTable
ALTER TABLE "projects" ADD COLUMN "retrain_mask_mark" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "runs" ADD COLUMN "progress" JSONB;
