'use client';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { QueryError } from '../../components/error-notice';
import { useCurrentUser } from '../../components/session-gate';
import { rememberLastProject } from '../../lib/last-project';
import { canManageLabels, projectAbilities } from '../../lib/permissions';
import { useTRPC } from '../../lib/trpc';
import { ExportPanel } from './export-panel';
import { HeldOutPanel } from './held-out-panel';
import { ImageGrid } from './image-grid';
import { ImportPanel } from './import-panel';
import { LabelsPanel } from './labels-panel';
import { MembersPanel } from './members-panel';
import { ProjectHeader } from './project-header';
import { RegisterPanel } from './register-panel';
import { ReingestPanel } from './reingest-panel';
import { ReviewSettingsPanel } from './review-settings-panel';
import { SetAsidePanel } from './set-aside-panel';
import { UploadPanel } from './upload-panel';
import './exchange.css';

export function ProjectView({ projectId, pageSize }: { projectId: string; pageSize: number }) {
  const user = useCurrentUser();
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ projectId }));
  useEffect(() => rememberLastProject(user.id, projectId), [user.id, projectId]);

  if (project.isError) return <QueryError error={project.error} what="the project" />;
  if (!project.data) return <p className="muted">Loading project…</p>;

  const can = projectAbilities(user, project.data);
  const hasSide = can.upload || can.register || can.seeMembers || can.reingest || can.exportAnnotations || can.importAnnotations;
  return (
    <div data-testid="project-page" data-project-id={projectId}>
      <ProjectHeader project={project.data} canManage={can.manage} canAnnotate={can.annotate} canReview={can.review} />
      <div className={hasSide ? 'project-layout' : 'project-layout project-layout-single'}>
        <ImageGrid projectId={projectId} imageCount={project.data.imageCount} pageSize={pageSize} />
        {hasSide && (
          <aside className="project-side">
            {can.manage && <SetAsidePanel projectId={projectId} />}
            {can.upload && <UploadPanel projectId={projectId} />}
            {can.register && <RegisterPanel projectId={projectId} />}
            {can.seeMembers && <LabelsPanel projectId={projectId} canEdit={canManageLabels(user, project.data)} />}
            {can.seeMembers && <HeldOutPanel projectId={projectId} canEdit={can.manage} />}
            {can.seeMembers && <ReviewSettingsPanel projectId={projectId} canEdit={can.manage} />}
            {can.exportAnnotations && <ExportPanel projectId={projectId} />}
            {can.importAnnotations && <ImportPanel projectId={projectId} />}
            {can.reingest && <ReingestPanel projectId={projectId} />}
            {can.seeMembers && <MembersPanel projectId={projectId} canEdit={can.editMembers} />}
          </aside>
        )}
      </div>
    </div>
  );
}
