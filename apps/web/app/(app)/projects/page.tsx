import { ProjectsView } from '../../../features/projects/projects-view';

export default function ProjectsPage() {
  return <ProjectsView />;
}
