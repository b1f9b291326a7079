export * from './errors';
export * from './ffmpeg-binaries';
export * from './roles';
export { describeSource, redactUrls } from './source';
export * from './probe';
export * from './merge-plan';
export * from './run-merge';
export * from './verify';
export * from './merge-recording';
// Test media generators and measurements live in ./testing, imported by tests directly, so
// production code that imports @app/media does not load them.
