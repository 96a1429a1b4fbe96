/** The caller's prompt or image is invalid (a point outside the image, a malformed box, a bad label…). */
export class PromptError extends Error {
  override readonly name = 'PromptError';
}

/**
 * A checkpoint bundle is unusable. `problems` lists every mismatch found, each naming the file,
 * the tensor and what was expected; `message` joins them.
 */
export class BundleError extends Error {
  override readonly name = 'BundleError';
  constructor(
    readonly dir: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid checkpoint bundle ${dir}:\n  - ${problems.join('\n  - ')}`);
  }
}

/** A model produced something the pipeline cannot use (wrong output shape or dtype at run time). */
export class InferenceError extends Error {
  override readonly name = 'InferenceError';
}
