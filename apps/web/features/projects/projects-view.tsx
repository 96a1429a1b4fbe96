'use client';
import { useQuery } from '@tanstack/react-query';
import { useCurrentUser } from '../../components/session-gate';
import { QueryError } from '../../components/error-notice';
import { canCreateProjects } from '../../lib/permissions';
import { useTRPC } from '../../lib/trpc';
import { NewProjectForm } from './new-project-form';
import { ProjectCard } from './project-card';

export function ProjectsView() {
  const user = useCurrentUser();
  const trpc = useTRPC();
  const projects = useQuery(trpc.projects.list.queryOptions());
  return (
    <>
      <div className="page-header">
        <h1>Projects</h1>
        {projects.data && <span className="muted">{projects.data.length} visible to you</span>}
      </div>
      {canCreateProjects(user) && <NewProjectForm />}
      {projects.isError && <QueryError error={projects.error} what="the projects" />}
      {projects.isPending && <p className="muted">Loading projects…</p>}
      {projects.data?.length === 0 && (
        <p className="empty" data-testid="projects-empty">
          No projects yet. {canCreateProjects(user) ? 'Create one above.' : 'Ask a manager to add you to one.'}
        </p>
      )}
      <ul className="project-grid" data-testid="project-list">
        {projects.data?.map((project) => (
          <li key={project.id}>
            <ProjectCard project={project} user={user} />
          </li>
        ))}
      </ul>
    </>
  );
}
