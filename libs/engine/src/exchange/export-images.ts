// The images an export covers, with the file names they get inside the artifact.
import type { EngineDeps } from '../engine-deps';

export interface ExportImage {
  id: number;
  /** the uploaded name, made unique within the export (`<id>-<name>` on a clash) */
  exportName: string;
  width: number;
  height: number;
  contentHash: string;
  blobKey: string;
  byteSize: number;
}

export async function loadExportImages(deps: EngineDeps, imageIds: readonly number[]): Promise<ExportImage[]> {
  const out: ExportImage[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < imageIds.length; i += 1_000) {
    const rows = await deps.db.image.findMany({
      where: { id: { in: imageIds.slice(i, i + 1_000) } },
      select: { id: true, fileName: true, width: true, height: true, contentHash: true, blobKey: true, byteSize: true },
      orderBy: { id: 'asc' },
    });
    for (const row of rows) {
      const exportName = taken.has(row.fileName) ? `${row.id}-${row.fileName}` : row.fileName;
      taken.add(exportName);
      out.push({ id: row.id, exportName, width: row.width, height: row.height, contentHash: row.contentHash, blobKey: row.blobKey, byteSize: row.byteSize });
    }
  }
  return out;
}
