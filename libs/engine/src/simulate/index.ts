export { runSimulation, SimulationFailure, type SimulationHooks } from './run-simulation';
export { SIMULATION_DEFAULTS, DEFAULT_TIME_MODEL, stageImageCounts, validateSimulationOptions, modelledMaskSeconds, type SimulationOptions, type SimulatedStage, type TimeModel } from './simulation-options';
export { formatSimulationTable, type SimulationReport, type SimulationRow, type RetrainRound, type CheckpointRef, type SimulatedImage } from './simulation-report';
export { generateSimulationScene, groundTruthObjects, simulationSceneSeed, type GroundTruthObject, type SimulationScene } from './simulation-scenes';
export { SimulationError } from './simulation-waits';
export type { SimulatedMask } from './simulated-annotator';
