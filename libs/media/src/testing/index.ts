export * from './generate-media';
export * from './measure-media';
export * from './ivf';
export * from './run-tool';
