export * from './api-error';
export * from './readiness';
export * from './session-ticket';
export * from './media-plane';
export * from './user-management-internal';
export * from './text';
export * from './recording';
