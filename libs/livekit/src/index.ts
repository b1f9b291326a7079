export * from './livekit.module';
