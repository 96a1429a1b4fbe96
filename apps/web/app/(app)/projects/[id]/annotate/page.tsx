import { AnnotateView } from '../../../../../features/annotate/annotate-view';

export default async function AnnotatePage(props: { params: Promise<{ id: string }> }) {
  const { id } = await props.params;
  return <AnnotateView projectId={id} />;
}
