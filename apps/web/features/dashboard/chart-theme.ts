// One palette for every chart; provenance and task statuses keep their colours across charts.
export const SERIES_COLORS = ['#2f5bd3', '#1f8a4c', '#b7791f', '#c53030', '#6b46c1', '#0f7c8c', '#d53f8c', '#4a5568'];
export const seriesColor = (i: number): string => SERIES_COLORS[i % SERIES_COLORS.length]!;

export const PROVENANCE_COLORS = { manual: '#2f5bd3', prefill: '#b7791f', auto: '#1f8a4c' } as const;
export const TASK_STATUS_COLORS = { open: '#c3cbd8', leased: '#2f5bd3', submitted: '#1f8a4c', skipped: '#b7791f' } as const;

export const AXIS_TICK = { fontSize: 12, fill: '#5f6b7a' };
export const CHART_HEIGHT = 260;
