export * from './object-store';
export * from './object-store.module';
