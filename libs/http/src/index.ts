export * from './create-http-app';
export * from './domain-error';
export * from './global-exception.filter';
export * from './run-service';
