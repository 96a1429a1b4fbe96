export { jobCatalog, queueNames } from './job-catalog';
export type { JobCatalog, JobDefinition, JobName, JobPayload } from './job-catalog';
export { createJobProducer } from './job-producer';
export type { JobProducer } from './job-producer';
export { createProducerConnection, createWorkerConnection, isRedisUnavailableError } from './redis-connection';
export { assertProcessorsCoverCatalog, startWorkerRuntime, PermanentJobError, WorkerConfigurationError } from './worker-runtime';
export type { Processor, ProcessorContext, ProcessorMap, WorkerRuntime, WorkerRuntimeOptions } from './worker-runtime';
export { createEventPublisher, subscribeToEvents, engineEventSchema, eventChannel } from './event-bus';
export type { EngineEvent, EventPublisher, EventSubscription } from './event-bus';
