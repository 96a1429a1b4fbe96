// What the UI offers to whom. The API enforces every rule again; these only decide what to show.
import type { ProjectDto, UserDto, UserRole } from '@dataengine/contracts';

export const canSeeRuns = (role: UserRole): boolean => role === 'ops' || role === 'admin';

export const canCreateProjects = (role: UserRole): boolean => role === 'manager' || role === 'admin';

export interface ProjectAbilities {
  /** upload, change stage, edit members */
  manage: boolean;
  /** see the member list (read-only unless `manage`) */
  seeMembers: boolean;
  reingest: boolean;
  /** open the annotator tool (members of the project, and admins) */
  annotate: boolean;
}

export function projectAbilities(user: Pick<UserDto, 'role'>, project: Pick<ProjectDto, 'myRole'>): ProjectAbilities {
  const manage = user.role === 'admin' || project.myRole === 'manager';
  const global = user.role === 'ops' || user.role === 'admin';
  return { manage, seeMembers: manage || global, reingest: global, annotate: user.role === 'admin' || project.myRole !== null };
}

/** How the project list names the caller's relation to a project. */
export function roleLabel(user: Pick<UserDto, 'role'>, project: Pick<ProjectDto, 'myRole'>): string {
  return project.myRole ?? `${user.role} (all projects)`;
}
