import { z } from 'zod';
import { exportProjectStatsCsv, getProjectStats, listProjectActivity, projectStatsSchema, statsCsvSchema } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

const projectInput = z.object({ projectId: z.string().uuid() });

/** The project manager's dashboard (managers of the project, ops, admins; checked by the use case). */
export const statsRouter = router({
  project: protectedProcedure.input(projectInput).output(projectStatsSchema).query(({ ctx, input }) => getProjectStats(ctx.deps, ctx.actor, input)),
  /** The same numbers as CSV text; the browser saves it as a file. */
  csv: protectedProcedure.input(projectInput).output(statsCsvSchema).query(({ ctx, input }) => exportProjectStatsCsv(ctx.deps, ctx.actor, input)),
  /** The projects whose dashboard the caller may open, most recently active first (the dashboard's default). */
  activity: protectedProcedure
    .output(z.array(z.object({ projectId: z.string().uuid(), lastActivityAt: z.string() })))
    .query(({ ctx }) => listProjectActivity(ctx.deps, ctx.actor)),
});
