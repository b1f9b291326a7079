export * from './dependency-check';
export * from './health';
export * from './logging';
export * from './metrics';
