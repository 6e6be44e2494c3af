// `quantext compress`'s public API in one place (one line in index.ts): the search engine, the vector and
// classifier searches, the report and the SVG plot.
export * from './search.js';
export * from './vectors.js';
export * from './classifier-search.js';
export * from './report.js';
export * from './svg.js';
