import { parseImagePageSize } from '../../../../lib/page-size';
import { ProjectView } from '../../../../features/project/project-view';

export default async function ProjectPage(props: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const [{ id }, query] = await Promise.all([props.params, props.searchParams]);
  return <ProjectView projectId={id} pageSize={parseImagePageSize(query['per'])} />;
}
