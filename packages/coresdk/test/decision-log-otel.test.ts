// Decision logs as OpenTelemetry log records through a real LoggerProvider
// (@opentelemetry/sdk-logs, in-memory exporter), from an Express service behind
// expressAuthorization: each event one record, masked, with the trace and span of the
// request (the host's span when the middleware is told it, else the caller's traceparent).
import { createServer, type Server } from 'node:http';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionLogger, expressAuthorization } from '../src/index.js';
import { DECISION_LOG_SCOPE, otelLogSink } from '../src/otel-logs.js';
import { listen, send, service, token } from './http-service.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = 'b7ad6b7169203331';

describe('decision logs as OpenTelemetry log records', () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const tracer = new BasicTracerProvider().getTracer('test');
  const { engine, verifier } = service();
  const logger = new DecisionLogger({ sink: otelLogSink(provider), minDelayMs: 3_600_000, maxDelayMs: 3_600_000 });
  engine.setDecisionLogger(logger);
  const serverSpan = tracer.startSpan('GET /accounts/:id');
  let server: Server;
  let base = '';

  beforeAll(async () => {
    const app = express();
    const traced = expressAuthorization({
      engine,
      verifier,
      rule: 'data.http.allow',
      traceContext: () => serverSpan.spanContext(),
    });
    app.get('/accounts/:id', traced, (_req, res) => {
      res.json({ ok: true });
    });
    app.get('/plain/:id', expressAuthorization({ engine, verifier, rule: 'data.http.allow' }), (_req, res) => {
      res.json({ ok: true });
    });
    server = createServer(app);
    base = await listen(server);
  });

  afterAll(async () => {
    serverSpan.end();
    await new Promise<void>((done) => server.close(() => done()));
    await provider.shutdown();
  });

  it('emits one masked record per decision, correlated with the request trace', async () => {
    const traceparent = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
    expect((await send(`${base}/accounts/bob`, token('bob', 'viewer'), { traceparent })).status).toBe(200);
    expect(
      (await send(`${base}/plain/x`, token('eve@example.com', 'viewer'), { traceparent, 'x-email': 'eve@example.com' }))
        .status,
    ).toBe(403);
    expect((await send(`${base}/plain/y`, token('bob', 'admin'))).status).toBe(200);
    await logger.flush();

    const records = exporter.getFinishedLogRecords();
    expect(records).toHaveLength(3);
    const [first, second, third] = records as [ReadableLogRecord, ReadableLogRecord, ReadableLogRecord];
    expect(first.instrumentationScope.name).toBe(DECISION_LOG_SCOPE);
    expect(first.severityText).toBe('INFO');
    expect(first.eventName).toBe('coresdk.decision');
    const body = first.body as Record<string, any>;
    expect(body.path).toBe('http/allow');
    expect(body.result).toBe(true);
    expect(first.attributes['coresdk.decision_id']).toBe(body.decision_id);
    expect(first.attributes['coresdk.path']).toBe('http/allow');
    // The host's span, named by traceContext, wins over the caller's traceparent.
    const host = serverSpan.spanContext();
    expect([body.trace_id, body.span_id]).toEqual([host.traceId, host.spanId]);
    expect(first.spanContext?.traceId).toBe(host.traceId);
    expect(first.spanContext?.spanId).toBe(host.spanId);
    // Without one, the caller's traceparent names the trace.
    expect(second.spanContext?.traceId).toBe(CALLER_TRACE);
    expect(second.spanContext?.spanId).toBe(CALLER_SPAN);
    expect((second.body as Record<string, any>).result).toBe(false);
    // Neither: no trace on the event, and the record is not tied to one.
    expect((third.body as Record<string, any>).trace_id).toBeUndefined();
    expect(third.spanContext).toBeUndefined();
    // The record's time is the decision's.
    const [seconds] = first.hrTime;
    expect(Math.abs(seconds * 1000 - Date.parse(body.timestamp))).toBeLessThan(1000);
    // Masked before it reached the provider.
    expect(JSON.stringify(records.map((r) => [r.body, r.attributes]))).not.toContain('eve@example.com');
    expect((second.body as Record<string, any>).input.claims.sub).toBe('[REDACTED:EMAIL]');
  });

  it('reports a sink that throws as a warning and keeps running', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const failing = new DecisionLogger({
      sink: () => {
        throw new Error('exporter down');
      },
      minDelayMs: 3_600_000,
      maxDelayMs: 3_600_000,
    });
    const { engine: other } = service();
    other.setDecisionLogger(failing);
    await other.evaluate('data.http.allow', { method: 'GET' });
    await failing.close();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).toEqual(['coresdk decision log sink failed: exporter down']);
    expect(failing.metrics.delivered).toBe(1);
  });

  it('refuses a sink beside a file or service, and a sink that is not a function', () => {
    const sink = () => {};
    expect(() => new DecisionLogger({ sink, file: '-' })).toThrow(/one of them/);
    expect(() => new DecisionLogger({ sink, serviceUrl: 'http://127.0.0.1:1' })).toThrow(/one of them/);
    expect(() => new DecisionLogger({ sink: 'nope' as unknown as () => void })).toThrow(/sink must be a function/);
  });
});
