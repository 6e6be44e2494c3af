// `quantext compress`'s public API in one place (one line in index.ts): the search engine (paretoSearch,
// paretoFront, bestUnder, parseSize, parseDuration) and the word-vector search (compressVectors, pca). The report,
// the SVG plot and the classifier search are the command's (src/compress/report.ts, svg.ts, classifier-search.ts):
// kept out of the package entries' import graph unless the command runs.
export * from './search.js';
export * from './vectors.js';
