export * from './app-error';
export * from './domain';
