'use client';
import type { Tool } from './annotate-canvas';
import type { Candidate } from './use-mask-prediction';

export interface ToolBarProps {
  tool: Tool;
  brushRadius: number;
  candidates: readonly Candidate[] | null;
  candidate: number;
  onTool(tool: Tool): void;
  onCandidate(index: number): void;
  onAccept(): void;
  onClear(): void;
  onUndo(): void;
  onRedo(): void;
  onHelp(): void;
}

const TOOLS: { tool: Tool; label: string; key: string }[] = [
  { tool: 'prompt', label: 'Click / box', key: 'V' },
  { tool: 'paint', label: 'Brush', key: 'B' },
  { tool: 'erase', label: 'Eraser', key: 'E' },
];

export function ToolBar(p: ToolBarProps) {
  return (
    <div className="annotate-toolbar" data-testid="annotate-toolbar">
      <div className="tool-group" role="radiogroup" aria-label="Tool">
        {TOOLS.map((t) => (
          <button key={t.tool} type="button" role="radio" aria-checked={p.tool === t.tool} className={p.tool === t.tool ? 'button tool-active' : 'button'} onClick={() => p.onTool(t.tool)} title={`${t.label} (${t.key})`} data-testid={`tool-${t.tool}`}>
            {t.label}
          </button>
        ))}
        {p.tool !== 'prompt' && (
          <span className="muted small" data-testid="brush-size">
            size {p.brushRadius} px ([ ])
          </span>
        )}
      </div>
      {p.candidates && p.candidates.length > 1 && (
        <div className="tool-group" aria-label="Candidates (Tab)" data-testid="candidates">
          {p.candidates.map((c, i) => (
            <button key={c.channel} type="button" className={i === p.candidate ? 'button candidate candidate-active' : 'button candidate'} onClick={() => p.onCandidate(i)} title="Tab cycles" data-testid="candidate">
              IoU {c.predictedIou.toFixed(2)}
            </button>
          ))}
        </div>
      )}
      <div className="tool-group">
        <button type="button" className="button" onClick={p.onUndo} title="Ctrl+Z">
          Undo
        </button>
        <button type="button" className="button" onClick={p.onRedo} title="Ctrl+Shift+Z">
          Redo
        </button>
        <button type="button" className="button" onClick={p.onClear} title="Esc">
          Clear
        </button>
        <button type="button" className="button button-primary" onClick={p.onAccept} title="Enter / A" data-testid="accept-mask">
          Accept
        </button>
        <button type="button" className="button button-quiet" onClick={p.onHelp} title="?" data-testid="help-button">
          ?
        </button>
      </div>
    </div>
  );
}
