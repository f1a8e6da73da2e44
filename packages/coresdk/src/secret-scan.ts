import { CoreSdkError, native as call } from './error.js';
import { toJsonText, toText } from './json.js';
import type { CustomDetector } from './mask.js';
import native from './native.js';

/** An output format of {@link scanPaths}: NDJSON (one finding per line) or SARIF 2.1.0. */
export type ScanFormat = 'ndjson' | 'sarif';

/** Options of {@link scanPaths}. The same names and defaults as Python's `scan_paths(...)`. */
export interface ScanOptions {
  /** The output format. Default `'ndjson'`. */
  format?: ScanFormat;
  /**
   * A baseline file: the NDJSON output of an earlier scan. Findings whose fingerprint it
   * holds are not reported (counted in `suppressed`).
   */
  baseline?: string;
  /** Files larger than this many bytes are skipped and counted. Default 10 MiB. */
  maxFileBytes?: number;
  /** Exact values never reported (as the masker's `allow`). */
  allow?: string[];
  /** Detectors to add (as the masker's `customDetectors`). */
  customDetectors?: CustomDetector[];
}

/** The outcome of {@link scanPaths}: the rendered output and the counts. */
export interface ScanResult {
  /** The findings in the format asked (NDJSON: `''` when there are none). */
  output: string;
  /** One line of counts for a log (`findings=2 suppressed=0 files=3 ...`). */
  summary: string;
  /** Findings reported (not in the baseline). */
  findings: number;
  /** Findings left out because the baseline holds their fingerprint. */
  suppressed: number;
  /** Files read and scanned. */
  filesScanned: number;
  /** Of those, files that were not valid UTF-8 (read lossily). */
  filesLossy: number;
  /** Files skipped as binary (a NUL byte in the first 8 KiB). */
  skippedBinary: number;
  /** Files skipped as larger than the size limit. */
  skippedTooLarge: number;
  /** Symbolic links met while walking (never followed). */
  skippedLinks: number;
  /** Files already scanned under another root. */
  skippedDuplicates: number;
  /** Entries that are neither files nor directories. */
  skippedSpecial: number;
  /** Directories not entered (`.git`, `node_modules`, `target`). */
  skippedDirs: number;
}

/**
 * Scans files and directories (recursively) for PII and secrets, as a CI gate does
 * (docs/MASKING.md, "Scanning files"). Findings name their type, file, lines, columns
 * (Unicode code points) and a fingerprint, never the value. Blocks until done.
 * @throws CoreSdkError `INVALID_ARGUMENT` (no path, a path or baseline that does not
 * exist, a malformed baseline, a bad option), `SOURCE_UNAVAILABLE` (a file or directory
 * that cannot be read).
 */
export function scanPaths(paths: readonly string[], options: ScanOptions = {}): ScanResult {
  if (!Array.isArray(paths)) throw new CoreSdkError('INVALID_ARGUMENT', 'paths must be an array of strings');
  const checked = paths.map((path) => toText(path, 'path'));
  const config: Record<string, unknown> = {};
  if (options.format !== undefined) config.format = options.format;
  if (options.baseline !== undefined) config.baseline = options.baseline;
  if (options.maxFileBytes !== undefined) config.max_file_bytes = options.maxFileBytes;
  if (options.allow !== undefined) config.allow = options.allow;
  if (options.customDetectors !== undefined) config.custom_detectors = options.customDetectors;
  const optionsJson = toJsonText(config, 'options');
  return call(() => native.scanPaths(checked, optionsJson));
}
