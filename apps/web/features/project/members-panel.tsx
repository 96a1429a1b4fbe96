'use client';
import { projectRoleSchema, type MemberDto, type ProjectRole } from '@dataengine/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { QueryError } from '../../components/error-notice';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

function useMemberMutations(projectId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries(trpc.projects.members.queryFilter({ projectId }));
  const add = useMutation(trpc.projects.addMember.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.projects.removeMember.mutationOptions({ onSuccess: refresh }));
  return { add, remove };
}

function AddMemberForm({ onAdd, pending }: { onAdd: (email: string, role: ProjectRole) => Promise<unknown>; pending: boolean }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>('annotator');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onAdd(email, role).then(() => setEmail(''), () => undefined); // the error is shown from the mutation state
  };
  return (
    <form className="member-form" onSubmit={submit} data-testid="add-member-form">
      <input type="email" required placeholder="e-mail" aria-label="E-mail of the user to add" value={email} onChange={(e) => setEmail(e.target.value)} data-testid="add-member-email" />
      <select aria-label="Role in the project" value={role} onChange={(e) => setRole(e.target.value as ProjectRole)} data-testid="add-member-role">
        {projectRoleSchema.options.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" className="button" disabled={pending} data-testid="add-member-submit">
        Add
      </button>
    </form>
  );
}

function MemberRow({ member, onRemove }: { member: MemberDto; onRemove: (() => void) | null }) {
  return (
    <li className="member" data-testid="member-row" data-email={member.user.email}>
      <div>
        <div className="member-name">{member.user.name}</div>
        <div className="muted small">{member.user.email}</div>
      </div>
      <span className="role-chip">{member.role}</span>
      {onRemove && (
        <button type="button" className="button button-quiet" onClick={onRemove} aria-label={`Remove ${member.user.name}`} data-testid="remove-member">
          Remove
        </button>
      )}
    </li>
  );
}

export function MembersPanel({ projectId, canEdit }: { projectId: string; canEdit: boolean }) {
  const trpc = useTRPC();
  const members = useQuery(trpc.projects.members.queryOptions({ projectId }));
  const { add, remove } = useMemberMutations(projectId);
  const failure = add.error ?? remove.error;
  return (
    <section className="panel" data-testid="members-panel">
      <h2 className="panel-title">Members</h2>
      {members.isError && <QueryError error={members.error} what="the members" />}
      <ul className="member-list">
        {members.data?.map((member) => (
          <MemberRow
            key={member.user.id}
            member={member}
            onRemove={canEdit ? () => remove.mutate({ projectId, userId: member.user.id }) : null}
          />
        ))}
      </ul>
      {canEdit && <AddMemberForm pending={add.isPending} onAdd={(email, role) => add.mutateAsync({ projectId, email, role })} />}
      {failure && (
        <p className="inline-error" role="alert" data-testid="members-error">
          {errorMessage(failure)}
        </p>
      )}
    </section>
  );
}
