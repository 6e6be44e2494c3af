export * from './distill.js';
export * from './prune.js';
