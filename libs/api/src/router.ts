import { router } from './trpc';
import { authRouter } from './routers/auth.router';
import { imagesRouter } from './routers/images.router';
import { projectsRouter } from './routers/projects.router';
import { runsRouter } from './routers/runs.router';
import { usersRouter } from './routers/users.router';

export const appRouter = router({
  auth: authRouter,
  projects: projectsRouter,
  images: imagesRouter,
  runs: runsRouter,
  users: usersRouter,
});

/** The only thing the browser imports from this library (as a type). */
export type AppRouter = typeof appRouter;
