// Sends an annotation file to the API's import route with upload progress; the answer is the
// import run.
import { runSchema, type RunDto, type SplitChoice } from '@dataengine/contracts';
import { uploadFile } from '../../lib/upload-file';
import { importUrl, type ImportFormat } from './exchange-format';

export interface ImportRequest {
  projectId: string;
  format: ImportFormat;
  file: File;
  /** where the images it annotates go: auto (leave them), train or val */
  split?: SplitChoice;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export function uploadImportFile(request: ImportRequest): Promise<RunDto> {
  return uploadFile({ url: importUrl(request.projectId, request.format, request.split), file: request.file, schema: runSchema, what: 'the import upload', onProgress: request.onProgress, signal: request.signal });
}
