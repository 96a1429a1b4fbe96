-- Annotators skip an image with a reason: it goes back to the pool for the others, never to them
-- again, and is set aside for a manager once enough annotators skipped it.

-- CreateTable
CREATE TABLE "task_skips" (
    "id" BIGSERIAL NOT NULL,
    "task_id" BIGINT NOT NULL,
    "user_id" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "task_skips_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "task_skips_task_id_user_id_key" ON "task_skips"("task_id", "user_id");

-- CreateIndex
CREATE INDEX "task_skips_user_id_idx" ON "task_skips"("user_id");

-- AddForeignKey
ALTER TABLE "task_skips" ADD CONSTRAINT "task_skips_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "task_skips" ADD CONSTRAINT "task_skips_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
