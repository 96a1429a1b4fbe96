import type { ImageDto } from '@dataengine/contracts';

export interface ImageRow {
  id: number;
  projectId: string;
  fileName: string;
  mime: string;
  byteSize: number;
  width: number;
  height: number;
  split: 'train' | 'val';
  status: 'pending' | 'ready' | 'failed';
  error: string | null;
  contentHash: string;
  thumbKey: string | null;
  createdAt: Date;
}

export function toImageDto(row: ImageRow): ImageDto {
  return {
    id: row.id,
    projectId: row.projectId,
    fileName: row.fileName,
    mime: row.mime,
    byteSize: row.byteSize,
    width: row.width,
    height: row.height,
    split: row.split,
    status: row.status,
    error: row.error,
    contentHash: row.contentHash,
    createdAt: row.createdAt.toISOString(),
    url: `/api/images/${row.id}/file`,
    thumbUrl: row.thumbKey ? `/api/images/${row.id}/thumbnail` : null,
  };
}
