// The tokenization the spam data was made with (../shared/data/tools/prep-spam.mjs): NFKC, lowercase, runs of
// letters or digits and the symbols ! $ ? %, tokens longer than 40 characters dropped, the first 1000 kept. The
// classifier only knows tokens made this way, so a message is tokenized the same way before prediction (the Worker
// and the demo page share this file).
export function tokenize(text) {
  const toks = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+|[!$?%]/gu) ?? [];
  return toks.filter((t) => t.length <= 40).slice(0, 1000);
}
