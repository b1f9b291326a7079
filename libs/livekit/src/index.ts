export * from './livekit.module';
export * from './grants';
export * from './access-token';
