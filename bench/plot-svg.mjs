// The SVG scatter plots of the bench reports now live in src/compress/svg.ts (`quantext compress` draws its Pareto
// plot with them); the suites keep importing them from here. Needs dist/ (npm run build).
export { escapeXml, fmtTick, niceTicks, logTicks, scale, textWidth, placeLabels, scatterPanels } from '../dist/compress/svg.js';
