-- AlterTable
ALTER TABLE "masks" ADD COLUMN "client_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "masks_image_id_client_key_key" ON "masks"("image_id", "client_key");
