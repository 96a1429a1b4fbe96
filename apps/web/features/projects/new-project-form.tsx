'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../../lib/api-error';
import { useTRPC } from '../../lib/trpc';

export function NewProjectForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async (project) => {
        await queryClient.invalidateQueries(trpc.projects.list.queryFilter());
        router.push(`/projects/${project.id}`);
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name, description: description || undefined });
  };
  return (
    <form className="panel inline-form" onSubmit={submit} data-testid="new-project-form">
      <h2 className="panel-title">New project</h2>
      <label className="field">
        <span>Name</span>
        <input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} data-testid="new-project-name" />
      </label>
      <label className="field field-wide">
        <span>Description</span>
        <input maxLength={2000} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="new-project-description" />
      </label>
      <button type="submit" className="button button-primary" disabled={create.isPending} data-testid="new-project-submit">
        {create.isPending ? 'Creating…' : 'Create project'}
      </button>
      {create.isError && (
        <p className="notice notice-error form-error" role="alert">
          {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
}
