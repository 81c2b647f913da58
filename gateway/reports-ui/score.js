// The bulletin's composite score (综合得分), one pure function shared by the page (which ranks
// what the viewer was shown) and the tests (which rank an independent recount of the records).
//
// The speech asks for units to be compared on core indicators that enter the annual assessment:
// litigation incidence (诉讼发案率), loss rate (败诉率), reconsideration correction rate (行政复议纠错率)
// and substantive resolution rate (实质性化解率). Each is scored among the agencies of the bulletin:
//
//   s_i(a) = 100 × (worst_i − v_i(a)) / (worst_i − best_i)
//
// where best_i and worst_i are the best and worst values of indicator i over the agencies that
// have one (lower is better for incidence, loss and correction; higher for resolution); when all
// agencies have the same value, each gets 100. The composite is the weighted mean over the
// indicators the agency has a value for (a rate with no denominator, e.g. no case closed, is left
// out rather than counted as 0 or 100):
//
//   score(a) = Σ w_i · s_i(a) / Σ w_i      (i with a value for a and w_i > 0)
//
// An agency with no indicator at all has no score and ranks last. Ranks are competition ranks
// (1, 2, 2, 4) by the score as the bulletin shows it (one decimal, scoreText), higher first: two
// agencies shown with the same score share a rank — a reader could not tell why 62.5 ranks above
// 62.5 — and are listed by agency id.

/** The indicators, in the order the page shows them, and which way is better. */
export const INDICATORS = [
  { key: 'incidence', label: '诉讼发案率', unit: '件/百件', lowerIsBetter: true },
  { key: 'loss', label: '行政诉讼败诉率', unit: '%', lowerIsBetter: true },
  { key: 'correction', label: '行政复议纠错率', unit: '%', lowerIsBetter: true },
  { key: 'resolution', label: '实质性化解率', unit: '%', lowerIsBetter: false },
];

/** A score as the bulletin shows it (one decimal; "—" for none). The ranking compares exactly this. */
export function scoreText(score) {
  return typeof score === 'number' && Number.isFinite(score) ? score.toFixed(1) : '—';
}
/** The shown score as a number (null for none): equal texts give the same double, so ties are exact. */
const shownScore = (score) => (typeof score === 'number' && Number.isFinite(score) ? Number(scoreText(score)) : null);

/**
 * Litigation incidence (诉讼发案率): administrative cases filed against the agency in the period per
 * 100 administrative acts it decided in the period; null when it decided none.
 */
export function litigationIncidence(filed, decided) {
  if (typeof filed !== 'number' || typeof decided !== 'number' || decided === 0) return null;
  return (filed / decided) * 100;
}

/**
 * Ranks agencies. `agencies`: [{ id, name, values: { incidence, loss, correction, resolution } }]
 * (each value a number or null); `weights`: { incidence, loss, correction, resolution }.
 * Returns them ordered by rank, each with `rank`, `score` (0–100 or null) and `parts` (each
 * indicator's 0–100 score or null).
 */
export function rankAgencies(agencies, weights) {
  const ranges = {};
  for (const { key, lowerIsBetter } of INDICATORS) {
    const values = agencies.map((a) => a.values[key]).filter((v) => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) continue;
    const min = Math.min(...values);
    const max = Math.max(...values);
    ranges[key] = lowerIsBetter ? { best: min, worst: max } : { best: max, worst: min };
  }
  const scored = agencies.map((agency) => {
    const parts = {};
    let sum = 0;
    let weight = 0;
    for (const { key } of INDICATORS) {
      const v = agency.values[key];
      const range = ranges[key];
      if (typeof v !== 'number' || !Number.isFinite(v) || !range) {
        parts[key] = null;
        continue;
      }
      const part = range.worst === range.best ? 100 : (100 * (range.worst - v)) / (range.worst - range.best);
      parts[key] = part;
      const w = Number(weights[key] ?? 0);
      if (w > 0) {
        sum += w * part;
        weight += w;
      }
    }
    return { ...agency, parts, score: weight > 0 ? sum / weight : null };
  });
  const shown = new Map(scored.map((agency) => [agency, shownScore(agency.score)]));
  scored.sort((a, b) => {
    const x = shown.get(a);
    const y = shown.get(b);
    if (x === y) return cmp(a.id, b.id);
    if (x === null || y === null) return x === null ? 1 : -1;
    return y - x;
  });
  let previous = null;
  return scored.map((agency, index) => {
    const rank = previous && shown.get(previous.agency) === shown.get(agency) ? previous.rank : index + 1;
    previous = { agency, rank };
    return { ...agency, rank };
  });
}

const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
