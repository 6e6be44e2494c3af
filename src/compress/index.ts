export * from './distill.js';
export * from './prune.js';
export * from './all-search.js';
export * from './classifier.js';
