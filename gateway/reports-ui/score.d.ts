// Types of score.js (plain JavaScript, served to the browser as it is), for the tests and the server.
export type IndicatorKey = 'incidence' | 'loss' | 'correction' | 'resolution';
export declare const INDICATORS: readonly { key: IndicatorKey; label: string; unit: string; lowerIsBetter: boolean }[];
export declare function scoreText(score: number | null | undefined): string;
export declare function litigationIncidence(filed: number | null | undefined, decided: number | null | undefined): number | null;
export interface ScoredAgency<T> {
  rank: number;
  score: number | null;
  parts: Record<IndicatorKey, number | null>;
}
export declare function rankAgencies<T extends { id: string; values: Record<IndicatorKey, number | null> }>(
  agencies: readonly T[],
  weights: Readonly<Record<IndicatorKey, number>>,
): (T & ScoredAgency<T>)[];
