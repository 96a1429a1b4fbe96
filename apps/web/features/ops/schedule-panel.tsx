'use client';
// Scheduled retraining per project: a retrain run starts every N new masks; every Kth of them can
// be a full retrain (the image encoder trains too), the others are fast.
import type { RetrainScheduleDto } from './lib/ops-types';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

/** "st" / "nd" / "rd" / "th" after a whole number (2 → "nd": "full every 2nd"); "th" while it is not one yet. */
function ordinalSuffix(n: number | null): string {
  if (n === null || !Number.isInteger(n) || n < 1) return 'th';
  if (n % 100 >= 11 && n % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

function ScheduleRow({ schedule }: { schedule: RetrainScheduleDto }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [value, setValue] = useState(schedule.everyMasks === null ? '' : String(schedule.everyMasks));
  const [fullValue, setFullValue] = useState(schedule.fullEvery === null ? '' : String(schedule.fullEvery));
  const save = useMutation(trpc.projects.setRetrainSchedule.mutationOptions({ onSuccess: () => void queryClient.invalidateQueries(trpc.ops.retrainSchedules.queryFilter()) }));
  const wholeOrNull = (text: string) => (text.trim() === '' ? null : Number(text));
  const everyMasks = wholeOrNull(value);
  const fullEvery = wholeOrNull(fullValue);
  const bad = (n: number | null) => n !== null && (!Number.isInteger(n) || n < 1);
  const invalid = bad(everyMasks) || bad(fullEvery);
  return (
    <tr data-testid="schedule-row" data-project-name={schedule.projectName}>
      <td>{schedule.projectName}</td>
      <td>
        <form
          className="inline-actions"
          onSubmit={(e) => {
            e.preventDefault();
            if (!invalid) save.mutate({ projectId: schedule.projectId, everyMasks, fullEvery });
          }}
        >
          <input type="number" min={1} step={1} value={value} placeholder="off" onChange={(e) => setValue(e.target.value)} aria-label={`Retrain ${schedule.projectName} every N masks`} className="input-narrow" data-testid="schedule-every" />
          <label className="inline-label">
            full every
            <input
              type="number"
              min={1}
              step={1}
              value={fullValue}
              placeholder="never"
              onChange={(e) => setFullValue(e.target.value)}
              aria-label={`Make every Kth scheduled retrain of ${schedule.projectName} a full one`}
              title="Fast retrains keep the image encoder and promote without re-embedding; a full one also adapts the encoder to the project's images (slower, and a promotion re-embeds every image)"
              className="input-narrow"
              data-testid="schedule-full-every"
            />
            {fullValue.trim() !== '' && ordinalSuffix(fullEvery)}
          </label>
          <button type="submit" className="button button-small" disabled={invalid || save.isPending} data-testid="schedule-save">
            Save
          </button>
        </form>
        {invalid && <span className="inline-error">whole numbers, at least 1 (masks empty: off; full every empty: fast only)</span>}
        {save.isError && (
          <span className="inline-error" role="alert">
            {errorMessage(save.error)}
          </span>
        )}
      </td>
      <td data-metric="masksNow">{schedule.masksNow}</td>
      <td data-metric="maskMark">{schedule.maskMark}</td>
      <td data-metric="masksToNext">{schedule.masksToNext ?? 'off'}</td>
      <td data-metric="nextMode">{schedule.nextMode ?? '–'}</td>
      <td data-metric="scheduledRetrains">{schedule.scheduledRetrains}</td>
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
                <th>Next retrain</th>
                <th>Scheduled so far</th>
              </tr>
            </thead>
            <tbody>
              {schedules.data.map((s) => (
                <ScheduleRow key={`${s.projectId}-${s.everyMasks}-${s.fullEvery}`} schedule={s} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
