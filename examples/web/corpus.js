// The demo's bundled corpus: sentences generated from templates with a seeded generator, so that a small model
// learns visible structure in seconds: topics (fruit, vehicles, animals), capitals and their countries, and
// male/female pairs, enough for neighbours and simple analogies (paris : france :: rome : ?).

/** mulberry32: the same sentences on every load. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CAPITALS = [
  ['paris', 'france', 'french'], ['rome', 'italy', 'italian'], ['berlin', 'germany', 'german'], ['madrid', 'spain', 'spanish'],
  ['lisbon', 'portugal', 'portuguese'], ['athens', 'greece', 'greek'], ['vienna', 'austria', 'austrian'], ['warsaw', 'poland', 'polish'],
  ['dublin', 'ireland', 'irish'], ['oslo', 'norway', 'norwegian'],
];
export const PAIRS = [['king', 'queen'], ['man', 'woman'], ['boy', 'girl'], ['father', 'mother'], ['son', 'daughter'], ['brother', 'sister'], ['prince', 'princess'], ['uncle', 'aunt']];
const TOPICS = {
  fruit: { words: ['apple', 'pear', 'plum', 'mango', 'cherry', 'grape', 'peach', 'banana'], ctx: ['eat', 'ripe', 'sweet', 'juicy', 'fresh', 'tree', 'market', 'taste'] },
  vehicle: { words: ['car', 'bus', 'truck', 'train', 'tram', 'bike', 'van', 'taxi'], ctx: ['drive', 'road', 'station', 'wheels', 'fast', 'garage', 'ride', 'traffic'] },
  animal: { words: ['dog', 'cat', 'horse', 'cow', 'sheep', 'goat', 'rabbit', 'fox'], ctx: ['feed', 'farm', 'fur', 'runs', 'sleeps', 'barn', 'wild', 'tail'] },
};

/** About `n` sentences (default 3000). */
export function sampleCorpus(n = 3000, seed = 7) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  const out = [];
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    if (kind === 0) {
      const t = TOPICS[pick(Object.keys(TOPICS))];
      const words = [];
      for (let j = 0; j < 8; j++) words.push(r() < 0.55 ? pick(t.words) : pick(t.ctx));
      out.push(`the ${words.join(' ')}`);
    } else if (kind === 1) {
      const [city, country, lang] = pick(CAPITALS);
      out.push(
        pick([
          `${city} is the capital city of ${country}`,
          `the capital of ${country} is ${city}`,
          `people in ${country} speak ${lang} and many live in ${city}`,
          `the government of ${country} sits in ${city}`,
          `${city} city hall and the ${city} river`,
          `${country} is a country in europe and its language is ${lang}`,
        ]),
      );
    } else if (kind === 2) {
      const [m, f] = pick(PAIRS);
      const [m2, f2] = pick(PAIRS);
      out.push(
        pick([
          `the ${m} said he was tired and he went home`,
          `the ${f} said she was tired and she went home`,
          `he is a ${m} and his ${m2} is tall`,
          `she is a ${f} and her ${f2} is tall`,
          `the ${m} and the ${f} walked together`,
          `a ${m} is male and a ${f} is female`,
          `the ${m2} met the ${m} and he smiled`,
          `the ${f2} met the ${f} and she smiled`,
        ]),
      );
    } else {
      const [m, f] = pick(PAIRS.slice(0, 1).concat(PAIRS.slice(6, 7)));
      out.push(pick([`the ${m} rules the kingdom from the palace and he wears the crown`, `the ${f} rules the kingdom from the palace and she wears the crown`, `the royal ${m} and his crown`, `the royal ${f} and her crown`]));
    }
  }
  return out;
}
