import { router } from './trpc';
import { authRouter } from './routers/auth.router';
import { checkpointsRouter } from './routers/checkpoints.router';
import { imagesRouter } from './routers/images.router';
import { labelsRouter } from './routers/labels.router';
import { masksRouter } from './routers/masks.router';
import { opsRouter } from './routers/ops.router';
import { projectsRouter } from './routers/projects.router';
import { reviewRouter } from './routers/review.router';
import { runsRouter } from './routers/runs.router';
import { statsRouter } from './routers/stats.router';
import { tasksRouter } from './routers/tasks.router';
import { usersRouter } from './routers/users.router';
import { viewerRouter } from './routers/viewer.router';

export const appRouter = router({
  auth: authRouter,
  projects: projectsRouter,
  images: imagesRouter,
  runs: runsRouter,
  users: usersRouter,
  tasks: tasksRouter,
  review: reviewRouter,
  viewer: viewerRouter,
  masks: masksRouter,
  labels: labelsRouter,
  checkpoints: checkpointsRouter,
  stats: statsRouter,
  ops: opsRouter,
});

/** The only thing the browser imports from this library (as a type). */
export type AppRouter = typeof appRouter;
