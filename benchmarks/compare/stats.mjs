// Small statistics and formatting helpers shared by the Node comparison scripts.

/** Median of a list of numbers. */
export const median = (xs) => percentile(xs, 50);

/** Nearest-rank percentile (p in 0..100) of a list of numbers. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const sorted = Float64Array.from(xs).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** (max - min) / median of the runs, in percent: the noise between rounds. */
export function spread(xs) {
  const m = median(xs);
  return m ? Math.round(((Math.max(...xs) - Math.min(...xs)) / m) * 100) : 0;
}

/** Microseconds with a precision that suits their size. */
export const formatUs = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(us >= 10 ? 0 : 1)} µs`);

/** A rate with thousands separators. */
export const formatRate = (r) => Math.round(r).toLocaleString('en-US');

/** How CoreSDK (rate `base`) compares with an anchor (rate `rate`), in words. */
export function ratioLabel(base, rate) {
  return base >= rate ? `CoreSDK ${(base / rate).toFixed(2)}× faster` : `anchor ${(rate / base).toFixed(2)}× faster`;
}
