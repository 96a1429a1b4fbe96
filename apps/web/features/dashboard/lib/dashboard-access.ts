// Which projects' dashboards the UI offers. The API checks again (stats.project refuses the rest).
import type { ProjectDto, UserDto } from '@dataengine/contracts';

export function canSeeDashboard(user: Pick<UserDto, 'role'>, project: Pick<ProjectDto, 'myRole'>): boolean {
  return user.role === 'ops' || user.role === 'admin' || project.myRole === 'manager';
}

/** The top bar's link: roles that may manage or read every project. */
export const mayHaveDashboards = (role: UserDto['role']): boolean => role !== 'annotator';
