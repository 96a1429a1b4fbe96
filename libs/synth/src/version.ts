/** Bump whenever generator output for a given seed and options changes. */
export const SYNTH_GENERATOR_VERSION = '1.1.0';
export const SYNTH_GENERATOR_NAME = '@dataengine/synth';
