'use client';
// Scheduled retraining per project: a retrain run starts every N new masks.
import type { RetrainScheduleDto } from './lib/ops-types';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

function ScheduleRow({ schedule }: { schedule: RetrainScheduleDto }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [value, setValue] = useState(schedule.everyMasks === null ? '' : String(schedule.everyMasks));
  const save = useMutation(trpc.projects.setRetrainSchedule.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.ops.retrainSchedules.queryFilter()) }));
  const everyMasks = value.trim() === '' ? null : Number(value);
  const invalid = everyMasks !== null && (!Number.isInteger(everyMasks) || everyMasks < 1);
  return (
    <tr data-testid="schedule-row" data-project-name={schedule.projectName}>
      <td>{schedule.projectName}</td>
      <td>
        <form
          className="inline-actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (!invalid) save.mutate({ projectId: schedule.projectId, everyMasks });
          }}
        >
          <input type="number" min={1} step={1} value={value} placeholder="off" onChange={(e) => setValue(e.target.value)} aria-label={`Retrain ${schedule.projectName} every N masks`} className="input-narrow" data-testid="schedule-every" />
          <button type="submit" className="button button-small" disabled={invalid || save.isPending} data-testid="schedule-save">
            Save
          </button>
        </form>
        {invalid && <span className="inline-error">a whole number of masks, at least 1 (empty: off)</span>}
        {save.isError && (
          <span className="inline-error" role="alert">
            {errorMessage(save.error)}
          </span>
        )}
      </td>
      <td data-metric="masksNow">{schedule.masksNow}</td>
      <td data-metric="maskMark">{schedule.maskMark}</td>
      <td data-metric="masksToNext">{schedule.masksToNext ?? 'off'}</td>
    </tr>
  );
}

export function SchedulePanel() {
  const trpc = useTRPC();
  const schedules = useQuery(trpc.ops.retrainSchedules.queryOptions(undefined, { refetchInterval: 10_000 }));
  return (
    <section className="panel console-panel" aria-labelledby="schedule-title" data-testid="schedule-panel">
      <h2 id="schedule-title" className="panel-title">
        Retrain schedule
      </h2>
      {schedules.isError && <QueryError error={schedules.error} what="the retrain schedules" />}
      {schedules.data && (
        <div className="table-wrap">
          <table className="table table-numbers table-compact" data-testid="schedule-table">
            <thead>
              <tr>
                <th>Project</th>
                <th>Retrain every N new masks</th>
                <th>Masks now</th>
                <th>At last retrain</th>
                <th>Masks to next</th>
              </tr>
            </thead>
            <tbody>
              {schedules.data.map((s) => (
                <ScheduleRow key={`${s.projectId}-${s.everyMasks}`} schedule={s} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
