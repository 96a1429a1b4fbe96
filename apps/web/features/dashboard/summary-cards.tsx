import type { ProjectStats } from './lib/stats-types';

function Stat({ label, value, metric, hint }: { label: string; value: number | string; metric: string; hint?: string }) {
  return (
    <div className="stat-card" data-testid="stat" data-metric={metric}>
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid="stat-value">
        {value}
      </span>
      {hint && <span className="stat-hint">{hint}</span>}
    </div>
  );
}

const fmtRate = (v: number | null, unit: string) => (v === null ? '—' : `${v} ${unit}`);

export function SummaryCards({ stats }: { stats: ProjectStats }) {
  const masks = stats.stages.reduce((t, s) => ({ manual: t.manual + s.masks.manual, prefill: t.prefill + s.masks.prefill, auto: t.auto + s.masks.auto }), { manual: 0, prefill: 0, auto: 0 });
  const people = stats.effort.byStage.reduce((t, s) => ({ masks: t.masks + s.masks, activeMs: t.activeMs + s.activeMs, clicks: t.clicks + s.clicks }), { masks: 0, activeMs: 0, clicks: 0 });
  const perMask = people.masks > 0 ? Math.round((people.activeMs / 1000 / people.masks) * 100) / 100 : null;
  const clicksPerMask = people.masks > 0 ? Math.round((people.clicks / people.masks) * 100) / 100 : null;
  const submitted = stats.stages.reduce((t, s) => ({ images: t.images + s.tasks.submitted, activeMs: t.activeMs + s.submittedActiveMs }), { images: 0, activeMs: 0 });
  const perImage = submitted.images > 0 ? Math.round((submitted.activeMs / 1000 / submitted.images) * 10) / 10 : null;
  return (
    <section className="stat-grid" aria-label="Totals">
      <Stat label="Images" value={stats.images.total} metric="images.total" hint={`${stats.images.ready} ready · ${stats.images.pending} pending · ${stats.images.failed} failed`} />
      <Stat label="Manual masks" value={masks.manual} metric="masks.manual" />
      <Stat label="Pre-filled masks" value={masks.prefill} metric="masks.prefill" />
      <Stat label="Automatic masks" value={masks.auto} metric="masks.auto" />
      <Stat label="Active time per mask" value={fmtRate(perMask, 's')} metric="effort.secondsPerMask" hint={`${people.masks} masks by annotators`} />
      <Stat label="Clicks per mask" value={fmtRate(clicksPerMask, '')} metric="effort.clicksPerMask" />
      <Stat label="Active time per image" value={fmtRate(perImage, 's')} metric="effort.secondsPerImage" hint={`${submitted.images} images submitted`} />
    </section>
  );
}
