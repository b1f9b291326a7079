export * from './room-name';
