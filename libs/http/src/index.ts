export * from './create-http-app';
export * from './http-status';
export * from './global-exception.filter';
export * from './run-service';
export * from './well-formed-validation.pipe';
