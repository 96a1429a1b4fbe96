/**
 * @dataengine/synth/node — Node-only writers (node:fs, sharp). Never import from browser code.
 */
export {
  DEFAULT_JPEG_QUALITY,
  encodeSceneImage,
  writeSceneImage,
  type SceneImageFormat,
  type SceneImageOptions,
} from './node-io/write-scene-image';
export {
  SNAPSHOT_FILES,
  writeSa1bSnapshot,
  type Sa1bSnapshotManifest,
  type Sa1bSnapshotOptions,
} from './node-io/write-sa1b-snapshot';
export { writeFileAtomic } from './node-io/atomic-write';
