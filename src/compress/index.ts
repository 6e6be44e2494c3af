export * from './distill.js';
