-- Labels (classes): a project's label set, and each mask's optional label (null: unlabelled, as
-- every mask of a class-agnostic project stays). Deleting a label leaves its masks unlabelled.
-- CreateTable
CREATE TABLE "labels" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT NOT NULL,
    "color" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "labels_pkey" PRIMARY KEY ("id")
);

-- AlterTable
ALTER TABLE "masks" ADD COLUMN "label_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "labels_project_id_name_key_key" ON "labels"("project_id", "name_key");

-- CreateIndex
CREATE INDEX "labels_project_id_position_idx" ON "labels"("project_id", "position");

-- CreateIndex
CREATE INDEX "masks_label_id_idx" ON "masks"("label_id");

-- AddForeignKey
ALTER TABLE "labels" ADD CONSTRAINT "labels_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "masks" ADD CONSTRAINT "masks_label_id_fkey" FOREIGN KEY ("label_id") REFERENCES "labels"("id") ON DELETE SET NULL ON UPDATE CASCADE;
