import { rng } from '../helpers.js';

/**
 * Documents of noise words with one or two keywords of their class: the class is known, and a model that learns
 * the keywords gets nearly every document right; a model that learns nothing gets about 1 / classes.
 */
export function synthetic(n: number, seed: number, classes = 3): { text: string; label: string }[] {
  const r = rng(seed);
  const docs: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * classes);
    const words: string[] = [];
    const len = 6 + Math.floor(r() * 10);
    for (let j = 0; j < len; j++) words.push(`w${Math.floor(r() * 300)}`);
    const nk = 1 + Math.floor(r() * 2);
    for (let j = 0; j < nk; j++) words.splice(Math.floor(r() * words.length), 0, `key${c}x${Math.floor(r() * 5)}`);
    docs.push({ text: words.join(' '), label: `c${c}` });
  }
  return docs;
}

