// Images annotators skipped, as the project's managers see them once set aside.
import { z } from 'zod';
import { stageSchema } from './domain';

export const taskSkipSchema = z.object({
  annotator: z.string(),
  reason: z.string(),
  at: z.string(),
});

export const setAsideTaskSchema = z.object({
  taskId: z.string(),
  imageId: z.number().int(),
  fileName: z.string(),
  stage: stageSchema,
  skips: z.array(taskSkipSchema),
});
export type SetAsideTaskDto = z.infer<typeof setAsideTaskSchema>;
