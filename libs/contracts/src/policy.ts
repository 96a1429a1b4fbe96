// Who may do what: the one statement of the product's access rules. The engine's use cases, the
// API's procedures and the web UI's show/hide all ask these functions; nothing else decides.
// Pure (no database): callers pass the facts — the actor's global role, their role in the project
// (null when they are not a member) and, for masks, who made the mask and who holds its image.
//
// Global roles: admin (everything), ops (runs the engine, reads every project, manages models),
// manager (creates projects; manages those where they are a manager member), annotator (only the
// projects they are a member of). Project roles (membership): manager, annotator.
import type { ProjectRole, RunKind, UserRole } from './domain';

export interface PolicyActor {
  role: UserRole;
}

/** The actor's role in one project; null when they are not a member of it. */
export type Membership = ProjectRole | null;

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOW: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

interface GlobalRule {
  /** global roles allowed */
  roles: readonly UserRole[];
  /** what the action is, as a message's subject ("creating projects") */
  does: string;
}

/** Actions that concern the installation, not one project. */
export const GLOBAL_RULES = {
  'projects.create': { roles: ['manager', 'admin'], does: 'creating projects' },
  /** list and read every project without being a member */
  'projects.view-all': { roles: ['ops', 'admin'], does: 'seeing every project' },
  /** runs across projects (the Runs page) and runs that belong to no project */
  'runs.view-all': { roles: ['ops', 'admin'], does: 'listing runs across projects' },
  /** stopping runs that belong to no project (a global checkpoint's embeddings) */
  'runs.cancel-any': { roles: ['ops', 'admin'], does: 'cancelling runs' },
  /** the Dashboard link: project dashboards (each still checked with stats.view) */
  'dashboards.open': { roles: ['manager', 'ops', 'admin'], does: 'project dashboards' },
  'users.list': { roles: ['manager', 'admin'], does: 'listing users' },
  'users.manage': { roles: ['admin'], does: 'managing users' },
  /** queue health, retrying failed jobs, retrain schedules: the ops console */
  'ops.view': { roles: ['ops', 'admin'], does: 'the ops console' },
  /** list, register, promote and roll back checkpoints; their audit trail */
  'checkpoints.manage': { roles: ['ops', 'admin'], does: 'managing checkpoints' },
} as const satisfies Record<string, GlobalRule>;

export type GlobalAction = keyof typeof GLOBAL_RULES;

interface ProjectRule {
  /** global roles allowed in every project, member or not */
  roles: readonly UserRole[];
  /** project roles allowed in the project they belong to */
  members: readonly ProjectRole[];
  does: string;
}

const ANY_MEMBER = ['annotator', 'manager'] as const;
const ENGINE_WORK = { roles: ['ops', 'admin'], members: [] } as const;
const MANAGERS = { roles: ['admin'], members: ['manager'] } as const;
const MANAGERS_AND_OPS = { roles: ['ops', 'admin'], members: ['manager'] } as const;

/** Actions inside one project. */
export const PROJECT_RULES = {
  /** the project, its images, masks, held-out set, runs, active checkpoint and its events */
  'project.view': { roles: ['ops', 'admin'], members: ANY_MEMBER, does: 'seeing this project' },
  /** lease images and save masks (editing existing masks: see decideMaskEdit) */
  'project.annotate': { roles: ['admin'], members: ANY_MEMBER, does: 'annotating in this project' },
  /** stage, held-out share and splits */
  'project.manage': { ...MANAGERS, does: "changing this project's settings" },
  /** the member list: who works on the project, with their e-mail addresses */
  'members.view': { ...MANAGERS_AND_OPS, does: "seeing this project's members" },
  'members.manage': { ...MANAGERS, does: "changing this project's members" },
  'images.upload': { ...MANAGERS, does: 'uploading images' },
  /** registering images in place from object storage (a bucket prefix or a list of keys) */
  'images.register': { ...MANAGERS, does: 'registering images from object storage' },
  /** the project dashboard (statistics, CSV) */
  'stats.view': { ...MANAGERS_AND_OPS, does: "this project's dashboard" },
  'annotations.export': { ...MANAGERS_AND_OPS, does: 'exporting annotations' },
  'annotations.import': { ...MANAGERS_AND_OPS, does: 'importing annotations' },
  /** edit or delete any mask of the project, whoever made it */
  'masks.edit-any': { ...MANAGERS, does: "changing other people's masks" },
  /** the label set: add, rename, recolour, reorder and delete labels (everyone who sees the project reads it) */
  'labels.manage': { ...MANAGERS, does: "changing this project's labels" },
  /**
   * accept or reject submitted images in the review queue. The project's managers (and admins):
   * they own its labelling guide and its annotators. Ops see every image, its masks and the
   * accept rates (project.view, stats.view) but judge no one's work.
   */
  review: { ...MANAGERS, does: "reviewing this project's images" },
  'runs.reingest': { ...ENGINE_WORK, does: 're-ingesting images' },
  'runs.prefill': { ...ENGINE_WORK, does: 'starting a prefill run' },
  'runs.autogen': { ...ENGINE_WORK, does: 'starting an autogen run' },
  'runs.retrain': { ...ENGINE_WORK, does: 'starting a retrain run' },
  'runs.evaluate': { ...ENGINE_WORK, does: 'starting an evaluate run' },
  /** stopping a run the engine started (everything but exports and imports) */
  'runs.cancel': { ...ENGINE_WORK, does: 'cancelling runs' },
  'retrain.schedule': { ...ENGINE_WORK, does: 'scheduling retraining' },
} as const satisfies Record<string, ProjectRule>;

export type ProjectAction = keyof typeof PROJECT_RULES;

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
const orList = (items: readonly string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

export function decideGlobal(actor: PolicyActor, action: GlobalAction): Decision {
  const rule: GlobalRule = GLOBAL_RULES[action];
  if (rule.roles.includes(actor.role)) return ALLOW;
  return deny(`${rule.does} needs the ${orList(rule.roles)} role; you are ${article(actor.role)} ${actor.role}`);
}

export const mayGlobal = (actor: PolicyActor, action: GlobalAction): boolean => decideGlobal(actor, action).allowed;

/**
 * One project: allowed by the actor's global role, or by their role in the project. A refusal
 * never names the project (the caller may not be allowed to know what it is called).
 */
export function decideInProject(actor: PolicyActor, membership: Membership, action: ProjectAction): Decision {
  const rule: ProjectRule = PROJECT_RULES[action];
  if (rule.roles.includes(actor.role)) return ALLOW;
  if (membership !== null && rule.members.includes(membership)) return ALLOW;
  const globalNeed = `the ${orList(rule.roles)} role`;
  if (rule.members.length === 0) return deny(`${rule.does} needs ${globalNeed}; you are ${article(actor.role)} ${actor.role}`);
  if (membership === null) {
    return deny(`${rule.does}: you are not a member of this project; ask one of its managers to add you`);
  }
  const memberNeed = `the ${orList(rule.members)} role in this project`;
  return deny(`${rule.does} needs ${memberNeed} or ${globalNeed}; you are ${article(membership)} ${membership} in this project`);
}

export const mayInProject = (actor: PolicyActor, membership: Membership, action: ProjectAction): boolean => decideInProject(actor, membership, action).allowed;

/** The action that starting a run of this kind needs (ingest: an upload batch; re-ingest is runs.reingest). */
export function runStartAction(kind: RunKind): ProjectAction {
  switch (kind) {
    case 'ingest':
      return 'images.upload';
    case 'export':
      return 'annotations.export';
    case 'import':
      return 'annotations.import';
    case 'prefill':
      return 'runs.prefill';
    case 'autogen':
      return 'runs.autogen';
    case 'retrain':
      return 'runs.retrain';
    case 'evaluate':
      return 'runs.evaluate';
    case 'embed':
      return 'runs.reingest';
  }
}

/** Who may stop a run: those who start exports and imports stop them; the rest is engine work. */
export function runCancelAction(kind: RunKind): ProjectAction {
  return kind === 'export' || kind === 'import' ? runStartAction(kind) : 'runs.cancel';
}

export interface MaskFacts {
  /** who drew it; null for the model's masks (pre-filled, automatic) and imported ones */
  authorId: string | null;
  /** the actor holds the task of the mask's image (leased to them and not taken by anyone since) */
  imageHeldByActor: boolean;
}

/**
 * Editing or deleting an existing mask. The project's managers (and admins) change any mask;
 * an annotator changes the masks they drew, and — on the image they hold — the masks nobody drew
 * (the model's pre-filled and automatic masks, imported ones), which is how they correct them.
 * Another annotator's mask stays theirs.
 */
export function decideMaskEdit(actor: PolicyActor & { id: string }, membership: Membership, mask: MaskFacts): Decision {
  const annotate = decideInProject(actor, membership, 'project.annotate');
  if (!annotate.allowed) return annotate;
  if (mayInProject(actor, membership, 'masks.edit-any')) return ALLOW;
  if (mask.authorId === actor.id) return ALLOW;
  if (mask.authorId === null) {
    if (mask.imageHeldByActor) return ALLOW;
    return deny('this mask was made by the model (or imported); annotators change such masks only on the image they hold — take the image from your queue, or ask a project manager');
  }
  return deny('this mask was drawn by another annotator; only its author and the project\'s managers may change or delete it');
}

export const mayEditMask = (actor: PolicyActor & { id: string }, membership: Membership, mask: MaskFacts): boolean => decideMaskEdit(actor, membership, mask).allowed;

/**
 * A checkpoint's files and events: a global checkpoint serves everyone signed in (every project
 * may use it); a project's own checkpoint only those who may see that project.
 */
export function decideCheckpointUse(actor: PolicyActor, checkpoint: { projectId: string | null }, membership: Membership): Decision {
  if (checkpoint.projectId === null) return ALLOW;
  const view = decideInProject(actor, membership, 'project.view');
  return view.allowed ? ALLOW : deny('this checkpoint belongs to a project you are not a member of');
}
