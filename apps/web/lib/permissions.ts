// What the UI offers to whom. Every answer comes from the access policy (@dataengine/contracts
// policy.ts) — the same functions the API enforces — so a button is shown exactly when the call
// behind it is allowed. The API still checks every call; these only decide what to show.
import { mayGlobal, mayInProject, type ProjectDto, type UserDto } from '@dataengine/contracts';

type Who = Pick<UserDto, 'role'>;
type Where = Pick<ProjectDto, 'myRole'>;

/** The Runs page and the ops console. */
export const canSeeRuns = (user: Who): boolean => mayGlobal(user, 'runs.view-all');
export const canOpenOpsConsole = (user: Who): boolean => mayGlobal(user, 'ops.view');
export const canCreateProjects = (user: Who): boolean => mayGlobal(user, 'projects.create');
/** The Users page: accounts, roles, passwords. */
export const canManageUsers = (user: Who): boolean => mayGlobal(user, 'users.manage');
/** The Dashboard link (each project's dashboard: ProjectAbilities.dashboard). */
export const mayHaveDashboards = (user: Who): boolean => mayGlobal(user, 'dashboards.open');

export interface ProjectAbilities {
  /** change the stage and the held-out share */
  manage: boolean;
  upload: boolean;
  /** register images in place from object storage */
  register: boolean;
  /** see the member list (read-only unless `editMembers`) */
  seeMembers: boolean;
  editMembers: boolean;
  reingest: boolean;
  /** open the annotator tool */
  annotate: boolean;
  /** the export and import panels */
  exportAnnotations: boolean;
  importAnnotations: boolean;
  /** the project's dashboard */
  dashboard: boolean;
  /** the review queue: accept or reject submitted images */
  review: boolean;
}

export function projectAbilities(user: Who, project: Where): ProjectAbilities {
  const may = (action: Parameters<typeof mayInProject>[2]) => mayInProject(user, project.myRole, action);
  return {
    manage: may('project.manage'),
    upload: may('images.upload'),
    register: may('images.register'),
    seeMembers: may('members.view'),
    editMembers: may('members.manage'),
    reingest: may('runs.reingest'),
    annotate: may('project.annotate'),
    exportAnnotations: may('annotations.export'),
    importAnnotations: may('annotations.import'),
    dashboard: may('stats.view'),
    review: may('review'),
  };
}

/** The project page's label set editor (others see the set read-only). */
export const canManageLabels = (user: Who, project: Where): boolean => mayInProject(user, project.myRole, 'labels.manage');

/** How the project list names the caller's relation to a project. */
export function roleLabel(user: Who, project: Where): string {
  return project.myRole ?? `${user.role} (all projects)`;
}
