'use client';
// The project manager's dashboard: pick a project (those you manage; every project for ops and
// admins) — it opens on the project you looked at last, else the most recently active one — read
// its numbers from stats.project, download the same numbers as CSV, and one row per image or mask.
import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ErrorNotice, QueryError } from '../../components/error-notice';
import { useCurrentUser } from '../../components/session-gate';
import { errorMessage } from '../../lib/api-error';
import { formatDateTime } from '../../lib/format';
import { projectAbilities } from '../../lib/permissions';
import { useTRPC, useTRPCClient } from '../../lib/trpc';
import { lastProject, rememberLastProject } from '../../lib/last-project';
import { AcceptRateSection } from './accept-rate-section';
import { AnnotatorSection } from './annotator-section';
import { EffortSection } from './effort-section';
import { downloadText } from './lib/download';
import { MasksPerImageSection } from './masks-per-image-section';
import { StageSection } from './stage-section';
import { SummaryCards } from './summary-cards';

export const STATS_REFRESH_MS = 30_000;

/** The project the user looked at last (if they may open its dashboard), else the most recently active one. */
function defaultProject(userId: string, eligible: string[], activity: { projectId: string }[]): string | null {
  const remembered = lastProject(userId);
  if (remembered && eligible.includes(remembered)) return remembered;
  return activity.find((a) => eligible.includes(a.projectId))?.projectId ?? eligible[0] ?? null;
}

function CsvButton({ projectId }: { projectId: string }) {
  const client = useTRPCClient();
  const [state, setState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const download = async () => {
    setState({ busy: true, error: null });
    try {
      const file = await client.stats.csv.query({ projectId });
      downloadText(file.fileName, file.csv);
      setState({ busy: false, error: null });
    } catch (error) {
      setState({ busy: false, error: errorMessage(error) });
    }
  };
  return (
    <>
      <button type="button" className="button" onClick={() => void download()} disabled={state.busy} data-testid="download-csv">
        {state.busy ? 'Preparing…' : 'Download CSV'}
      </button>
      {state.error && (
        <span className="inline-error" role="alert">
          {state.error}
        </span>
      )}
    </>
  );
}

/** Per-image and per-mask rows, streamed by the API as files (a plain link: the browser saves it). */
function DetailCsvLinks({ projectId }: { projectId: string }) {
  return (
    <span className="csv-links">
      <a className="button" href={`/api/projects/${projectId}/stats/images.csv`} download data-testid="download-images-csv">
        Per-image CSV
      </a>
      <a className="button" href={`/api/projects/${projectId}/stats/masks.csv`} download data-testid="download-masks-csv">
        Per-mask CSV
      </a>
    </span>
  );
}

export function DashboardView({ projectId }: { projectId: string | null }) {
  const user = useCurrentUser();
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const projects = useQuery(trpc.projects.list.queryOptions());
  const activity = useQuery(trpc.stats.activity.queryOptions());
  const eligible = (projects.data ?? []).filter((p) => projectAbilities(user, p).dashboard);
  const selected = projectId ?? (projects.data && activity.data ? defaultProject(user.id, eligible.map((p) => p.id), activity.data) : null);
  useEffect(() => {
    if (!projectId && selected) router.replace(`${pathname}?project=${selected}`);
  }, [projectId, selected, pathname, router]);
  useEffect(() => {
    if (selected) rememberLastProject(user.id, selected);
  }, [user.id, selected]);
  // asked whatever the UI thinks of the role: the API decides, and its 403 is shown
  const stats = useQuery(trpc.stats.project.queryOptions({ projectId: selected ?? '' }, { enabled: selected !== null, refetchInterval: STATS_REFRESH_MS }));

  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="page-header">
        <h1>Dashboard</h1>
        <label className="field field-inline">
          <span>Project</span>
          <select value={selected ?? ''} onChange={(e) => router.replace(`${pathname}?project=${e.target.value}`)} data-testid="dashboard-project" disabled={eligible.length === 0}>
            {eligible.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
            {selected && !eligible.some((p) => p.id === selected) && <option value={selected}>{selected.slice(0, 8)}…</option>}
          </select>
        </label>
        {selected && <CsvButton projectId={selected} />}
        {selected && <DetailCsvLinks projectId={selected} />}
        {stats.data && (
          <span className="muted small" data-testid="stats-generated">
            as of {formatDateTime(stats.data.generatedAt)} · refreshes every {STATS_REFRESH_MS / 1000} s
          </span>
        )}
      </div>
      {projects.isError && <QueryError error={projects.error} what="your projects" />}
      {projects.data && eligible.length === 0 && !projectId && (
        <ErrorNotice title="No dashboard for you here" testId="forbidden">
          Dashboards are for the managers of a project, ops and admins; you manage no project.
        </ErrorNotice>
      )}
      {stats.isError && <QueryError error={stats.error} what="the project's numbers" />}
      {stats.isPending && selected && <p className="muted">Loading the numbers…</p>}
      {stats.data && (
        <div className="dashboard-body" data-testid="dashboard-body" data-project-id={stats.data.project.id}>
          <SummaryCards stats={stats.data} />
          <StageSection stats={stats.data} />
          <AcceptRateSection stats={stats.data} />
          <EffortSection stats={stats.data} />
          <AnnotatorSection stats={stats.data} />
          <MasksPerImageSection stats={stats.data} />
        </div>
      )}
    </div>
  );
}
