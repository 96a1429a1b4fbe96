export * from './app-error';
export * from './domain';
export * from './runs';
