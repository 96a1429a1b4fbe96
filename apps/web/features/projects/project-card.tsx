import { STAGE_LABELS, type ProjectDto, type UserDto } from '@dataengine/contracts';
import Link from 'next/link';
import { roleLabel } from '../../lib/permissions';

export function ProjectCard({ project, user }: { project: ProjectDto; user: UserDto }) {
  return (
    <Link href={`/projects/${project.id}`} className="project-card" data-testid="project-card" data-project-name={project.name}>
      <h2 className="project-card-name">{project.name}</h2>
      {project.description && <p className="project-card-description">{project.description}</p>}
      <dl className="facts">
        <div>
          <dt>Stage</dt>
          <dd>
            <span className={`stage-chip stage-${project.stage}`}>{STAGE_LABELS[project.stage]}</span>
          </dd>
        </div>
        <div>
          <dt>Images</dt>
          <dd data-testid="project-image-count">{project.imageCount}</dd>
        </div>
        <div>
          <dt>My role</dt>
          <dd data-testid="project-my-role">{roleLabel(user, project)}</dd>
        </div>
      </dl>
    </Link>
  );
}
