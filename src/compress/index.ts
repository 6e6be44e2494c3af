export * from './distill.js';
export * from './search.js';
export * from './report.js';
export * from './svg.js';
export * from './vectors.js';
