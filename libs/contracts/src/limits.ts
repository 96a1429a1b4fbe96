/**
 * Most procedure calls one batched /trpc request may carry. The web client's batch link splits at
 * this size; the API refuses a larger batch (400) before reading it. A page asks for a handful.
 */
export const TRPC_MAX_BATCH_SIZE = 50;
