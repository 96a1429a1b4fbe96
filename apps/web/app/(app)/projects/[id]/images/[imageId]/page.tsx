import { notFound } from 'next/navigation';
import { ImageViewerView } from '../../../../../../features/viewer/image-viewer-view';

export default async function ImageViewerPage(props: { params: Promise<{ id: string; imageId: string }> }) {
  const { id, imageId } = await props.params;
  const parsed = Number(imageId);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 2_147_483_647) notFound();
  return <ImageViewerView projectId={id} imageId={parsed} />;
}
