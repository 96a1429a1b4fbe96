import { z } from 'zod';
import { memberSchema, positiveInt32Schema, projectRoleSchema, projectSchema, stageSchema } from '@dataengine/contracts';
import { addMember, createProject, getProject, listMembers, listProjects, removeMember, retrainScheduleSchema, setProjectStage, setRetrainSchedule } from '@dataengine/engine';
import { protectedProcedure, router } from '../trpc';

const projectId = z.object({ projectId: z.string().uuid() });

export const projectsRouter = router({
  list: protectedProcedure.output(z.array(projectSchema)).query(({ ctx }) => listProjects(ctx.deps, ctx.actor)),
  get: protectedProcedure.input(projectId).output(projectSchema).query(({ ctx, input }) => getProject(ctx.deps, ctx.actor, input.projectId)),
  create: protectedProcedure
    .input(z.object({ name: z.string().trim().min(1).max(120), description: z.string().max(2000).optional() }))
    .output(projectSchema)
    .mutation(({ ctx, input }) => createProject(ctx.deps, ctx.actor, input)),
  setStage: protectedProcedure
    .input(projectId.extend({ stage: stageSchema }))
    .output(projectSchema)
    .mutation(({ ctx, input }) => setProjectStage(ctx.deps, ctx.actor, input)),
  members: protectedProcedure.input(projectId).output(z.array(memberSchema)).query(({ ctx, input }) => listMembers(ctx.deps, ctx.actor, input.projectId)),
  addMember: protectedProcedure
    .input(projectId.extend({ email: z.string().email(), role: projectRoleSchema }))
    .output(memberSchema)
    .mutation(({ ctx, input }) => addMember(ctx.deps, ctx.actor, input)),
  removeMember: protectedProcedure
    .input(projectId.extend({ userId: z.string().uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeMember(ctx.deps, ctx.actor, input);
      return { ok: true as const };
    }),
  /** Retrain every N new masks (null: off), every Kth of them full (null: never; omitted: unchanged); ops and admins (the policy's retrain.schedule). */
  setRetrainSchedule: protectedProcedure
    .input(projectId.extend({ everyMasks: positiveInt32Schema.nullable(), fullEvery: positiveInt32Schema.nullable().optional() }))
    .output(retrainScheduleSchema)
    .mutation(({ ctx, input }) => setRetrainSchedule(ctx.deps, ctx.actor, input)),
});
