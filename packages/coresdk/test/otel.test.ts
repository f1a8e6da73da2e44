import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { Masker } from '../src/index.js';
import { assertNoPii, findPii, MaskingSpanProcessor } from '../src/otel.js';

const EMAIL = 'bob@example.com';
const CARD = '4111 1111 1111 1111';
const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';

/** A real provider and batch processor exporting to memory; `mask` wraps the batch processor. */
function setup(mask: boolean) {
  const exporter = new InMemorySpanExporter();
  const batch = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 });
  const provider = new BasicTracerProvider({ spanProcessors: [mask ? new MaskingSpanProcessor(batch) : batch] });
  return { exporter, provider, tracer: provider.getTracer('coresdk-test') };
}

function recordSpans(tracer: ReturnType<BasicTracerProvider['getTracer']>) {
  const linked = tracer.startSpan('linked');
  linked.end();
  const span = tracer.startSpan(`GET /users/${EMAIL}`, {
    attributes: {
      'user.email': EMAIL,
      'http.request.header.authorization': 'Bearer abc.def.ghi',
      'http.status_code': 200,
    },
    links: [{ context: linked.spanContext(), attributes: { 'peer.card': CARD } }],
  });
  // Set after the span started, and on events.
  span.setAttribute('payment.card', CARD);
  span.setAttribute('payment.card_number', 4111111111111111);
  span.setAttribute('tags', ['ok', `mail ${EMAIL}`]);
  span.setAttribute('ratio', Number.NaN);
  span.addEvent(`token ${TOKEN} used`, { 'db.password': 'hunter2', note: `card ${CARD}` });
  span.setStatus({ code: SpanStatusCode.ERROR, message: `failed for ${EMAIL}` });
  span.end();
}

async function exported(mask: boolean): Promise<ReadableSpan[]> {
  const { exporter, provider, tracer } = setup(mask);
  recordSpans(tracer);
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

describe('MaskingSpanProcessor', () => {
  it('hands the batch processor spans whose name, attributes, events, links and status are masked', async () => {
    const spans = await exported(true);
    expect(spans.map((s) => s.name)).toEqual(['linked', 'GET /users/[REDACTED:EMAIL]']);
    const span = spans[1] as ReadableSpan;
    expect(span.attributes).toEqual({
      'user.email': '[REDACTED:EMAIL]',
      'http.request.header.authorization': '[REDACTED:SECRET]',
      'http.status_code': 200,
      'payment.card': '[REDACTED:CREDIT_CARD]',
      'payment.card_number': '[REDACTED:CREDIT_CARD]',
      tags: ['ok', 'mail [REDACTED:EMAIL]'],
      ratio: Number.NaN,
    });
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        'token [REDACTED:GITHUB_TOKEN] used',
        { 'db.password': '[REDACTED:SECRET]', note: 'card [REDACTED:CREDIT_CARD]' },
      ],
    ]);
    expect(span.links[0]?.attributes).toEqual({ 'peer.card': '[REDACTED:CREDIT_CARD]' });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'failed for [REDACTED:EMAIL]' });
    // Everything else is the span's own.
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.links[0]?.context.spanId).toBe(spans[0]?.spanContext().spanId);
    expect(span.ended).toBe(true);
    expect(span.instrumentationScope.name).toBe('coresdk-test');
    expect(() => assertNoPii(spans)).not.toThrow();
  });

  it('assertNoPii names every place unmasked spans leak, never the values', async () => {
    const spans = await exported(false);
    const found = findPii(spans);
    expect(found).toEqual(
      expect.arrayContaining([
        { where: 'span[1].name', type: 'EMAIL' },
        { where: 'span[1].attributes.user.email', type: 'EMAIL' },
        { where: 'span[1].attributes.payment.card_number', type: 'CREDIT_CARD' },
        { where: 'span[1].attributes.tags[1]', type: 'EMAIL' },
        { where: 'span[1].events[0].name', type: 'GITHUB_TOKEN' },
        { where: 'span[1].links[0].attributes.peer.card', type: 'CREDIT_CARD' },
        { where: 'span[1].status.message', type: 'EMAIL' },
      ]),
    );
    let message = '';
    try {
      assertNoPii(spans);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('span[1].name (EMAIL)');
    expect(message).not.toContain(EMAIL);
    expect(message).not.toContain('4111');
  });

  it('uses the masker given (pseudonyms) and passes flush and shutdown through', async () => {
    const exporter = new InMemorySpanExporter();
    const masker = new Masker({ strategy: 'pseudonymize', key: 'k' });
    const processor = new MaskingSpanProcessor(new BatchSpanProcessor(exporter), { masker });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    context.with(trace.setSpan(context.active(), tracer.startSpan('parent')), () => {
      tracer.startSpan(`user ${EMAIL}`).end();
    });
    await processor.forceFlush();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toMatch(/^user \[EMAIL:[0-9a-f]{16}\]$/);
    await provider.shutdown();
    expect(exporter.getFinishedSpans()).toEqual([]); // shutdown reached the exporter
  });
});
