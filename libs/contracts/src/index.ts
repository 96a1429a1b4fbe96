export * from './app-error';
export * from './domain';
export * from './evaluation';
export * from './runs';
export * from './policy';
export * from './limits';
export * from './ids';
export * from './account';
