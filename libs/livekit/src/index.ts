export * from './livekit.module';
export * from './grants';
