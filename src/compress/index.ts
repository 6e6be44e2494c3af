export * from './distill.js';
export * from './classifier.js';
