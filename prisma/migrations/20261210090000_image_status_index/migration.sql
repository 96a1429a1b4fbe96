-- The run sweep looks every minute for uploaded images still "pending" with no ingest job (an
-- upload that met a Redis outage); this keeps that look-up off a scan of every image.
-- CreateIndex
CREATE INDEX "images_status_id_idx" ON "images"("status", "id");
