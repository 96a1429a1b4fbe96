-- Which image encoder a checkpoint runs (sha-256 of its encoder.onnx): checkpoints with the same
-- encoder share stored embeddings, so promoting a fast retrain's candidate re-embeds nothing.
-- Existing rows stay null (their embeddings are computed per checkpoint, as before).
-- AlterTable
ALTER TABLE "checkpoints" ADD COLUMN "encoder_hash" TEXT;

-- CreateIndex
CREATE INDEX "checkpoints_encoder_hash_idx" ON "checkpoints"("encoder_hash");
