import { DashboardView } from '../../../features/dashboard/dashboard-view';
import '../../../styles/dashboard.css';

export default async function DashboardPage(props: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = await props.searchParams;
  const project = typeof query['project'] === 'string' ? query['project'] : null;
  return <DashboardView projectId={project} />;
}
