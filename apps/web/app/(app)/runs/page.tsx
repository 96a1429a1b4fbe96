import { RunsView } from '../../../features/runs/runs-view';

export default function RunsPage() {
  return <RunsView />;
}
