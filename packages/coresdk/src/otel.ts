/**
 * OpenTelemetry integration (`coresdk/otel`): a span processor that masks every span
 * before it reaches the exporter, and `assertNoPii` for test suites. Decision logs as log
 * records: `coresdk/otel-logs`.
 *
 * `@opentelemetry/api` and `@opentelemetry/sdk-trace-base` are optional peer
 * dependencies: only their types are imported here, so nothing is loaded from them at
 * run time.
 * @packageDocumentation
 */
import type { Attributes, AttributeValue, Context, Link } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { Masker } from './mask.js';

/** Options of {@link MaskingSpanProcessor}. */
export interface MaskingSpanProcessorOptions {
  /** The masker to use (its strategy and sensitive keys). Default: `new Masker()`. */
  masker?: Masker;
}

type Scalar = string | number | boolean;

/**
 * Masks an attribute map in one call to the core: keys and strings are scanned;
 * every value under a sensitive key (`password`, `*.authorization`, `db.connection_string`,
 * ...) is replaced; a card number written as a number becomes a token. Values JSON cannot
 * carry (`NaN`, `Infinity`, `undefined`) are kept as they are, under their masked key (inside an array they become
 * `null`, which OTel arrays allow); an array whose elements
 * were partly turned into tokens becomes an array of strings (OTel arrays are
 * homogeneous).
 */
export function maskAttributes(attributes: Attributes, masker: Masker): Attributes {
  const portable: Record<string, AttributeValue> = {};
  const kept: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || (typeof value === 'number' && !Number.isFinite(value)))
      kept[masker.maskText(key)] = value;
    else if (Array.isArray(value))
      portable[key] = value.map((v) => (v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v));
    else portable[key] = value;
  }
  const masked = masker.maskValue(portable) as Record<string, Scalar | (Scalar | null)[]>;
  const out: Attributes = { ...kept };
  for (const [key, value] of Object.entries(masked)) {
    if (Array.isArray(value)) {
      const types = new Set(value.filter((v) => v !== null).map((v) => typeof v));
      out[key] = (types.size > 1 ? value.map((v) => (v === null ? null : String(v))) : value) as AttributeValue;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/**
 * A read-only view of `span` whose name, attributes, events (names and attributes),
 * links (attributes) and status message are masked; every other property and method
 * is the span's own.
 */
export function maskSpan(span: ReadableSpan, masker: Masker = new Masker()): ReadableSpan {
  const events: TimedEvent[] = span.events.map((event) => ({
    ...event,
    name: masker.maskText(event.name),
    ...(event.attributes ? { attributes: maskAttributes(event.attributes, masker) } : {}),
  }));
  const links: Link[] = span.links.map((link) => ({
    ...link,
    ...(link.attributes ? { attributes: maskAttributes(link.attributes, masker) } : {}),
  }));
  const status =
    span.status.message === undefined ? span.status : { ...span.status, message: masker.maskText(span.status.message) };
  const overrides: Record<PropertyKey, unknown> = {
    name: masker.maskText(span.name),
    attributes: maskAttributes(span.attributes, masker),
    events,
    links,
    status,
  };
  return new Proxy(span, {
    get(target, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * A `SpanProcessor` that wraps the downstream one (typically a `BatchSpanProcessor`) and
 * hands it each ended span with its name, attributes (including those set after the span
 * started), events, links and status message already masked, so nothing unmasked is
 * queued or exported. `onStart` and `onEnding` pass the live span through unchanged
 * (nothing is exported from them).
 *
 * ```ts
 * provider = new BasicTracerProvider({
 *   spanProcessors: [new MaskingSpanProcessor(new BatchSpanProcessor(exporter))],
 * });
 * ```
 */
export class MaskingSpanProcessor implements SpanProcessor {
  readonly #downstream: SpanProcessor;
  readonly #masker: Masker;

  constructor(downstream: SpanProcessor, options: MaskingSpanProcessorOptions = {}) {
    this.#downstream = downstream;
    this.#masker = options.masker ?? new Masker();
  }

  onStart(span: Span, parentContext: Context): void {
    this.#downstream.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    this.#downstream.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    this.#downstream.onEnd(maskSpan(span, this.#masker));
  }

  forceFlush(): Promise<void> {
    return this.#downstream.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#downstream.shutdown();
  }
}

/** Where a finding was: `span[2].events[0].attributes.note`, and its type; never the value. */
export interface PiiFinding {
  where: string;
  type: string;
}

/** Every detected value in the strings of `spans` (names, attributes, events, links, status). */
export function findPii(spans: readonly ReadableSpan[], masker: Masker = new Masker()): PiiFinding[] {
  const found: PiiFinding[] = [];
  const text = (where: string, value: unknown) => {
    if (typeof value === 'string') {
      for (const f of masker.scan(value)) found.push({ where, type: f.type });
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => text(`${where}[${i}]`, v));
    } else if (typeof value === 'number' && Number.isInteger(value) && value >= 1e12) {
      for (const f of masker.scan(String(value))) found.push({ where, type: f.type });
    }
  };
  const attributes = (where: string, attrs: Attributes | undefined) => {
    for (const [key, value] of Object.entries(attrs ?? {})) text(`${where}.${key}`, value);
  };
  spans.forEach((span, i) => {
    const at = `span[${i}]`;
    text(`${at}.name`, span.name);
    attributes(`${at}.attributes`, span.attributes);
    span.events.forEach((e, j) => {
      text(`${at}.events[${j}].name`, e.name);
      attributes(`${at}.events[${j}].attributes`, e.attributes);
    });
    span.links.forEach((l, j) => attributes(`${at}.links[${j}].attributes`, l.attributes));
    text(`${at}.status.message`, span.status.message);
  });
  return found;
}

/**
 * Throws an `Error` naming each place in `spans` where a detector finds PII or a secret
 * (type and location, never the value). For users' own test suites:
 * `assertNoPii(exporter.getFinishedSpans())`.
 */
export function assertNoPii(spans: readonly ReadableSpan[], masker?: Masker): void {
  const found = findPii(spans, masker);
  if (found.length > 0) {
    throw new Error(
      `PII or secrets in ${found.length} place(s): ${found.map((f) => `${f.where} (${f.type})`).join(', ')}`,
    );
  }
}
