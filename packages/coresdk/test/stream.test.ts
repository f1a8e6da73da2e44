// Streaming masking from Node: every mask fixture cut at every offset and at random chunk
// sizes gives what one-shot maskText gives; the Node Transform and the web TransformStream.
import { Readable } from 'node:stream';
import { text as readText } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { CoreSdkError, Masker, maskingTransform, maskingTransformStream } from '../src/index.js';
import { fixtureTexts } from './helpers.js';

const LINE = '2026-12-07T06:00:00Z INFO request served status=200 took=12ms\n';
const PAD = LINE.repeat(20); // more than the core's lookahead, so cuts happen around the fixture
const masker = new Masker();

function streamed(chunks: (string | Uint8Array)[]): string {
  const stream = masker.stream();
  return chunks.map((c) => stream.push(c)).join('') + stream.finish();
}

describe('StreamMasker', () => {
  const texts = fixtureTexts();

  it('reads the fixtures', () => {
    expect(texts.length).toBeGreaterThan(100);
  });

  it('gives one-shot masking for every fixture cut at every offset (string chunks)', () => {
    for (const text of texts) {
      const whole = `${PAD}${text}\n${PAD}`;
      const expected = masker.maskText(whole);
      for (let i = 0; i <= text.length; i++) {
        const cut = PAD.length + i;
        expect(streamed([whole.slice(0, cut), whole.slice(cut)]), `${text} at ${i}`).toBe(expected);
      }
    }
  });

  it('gives one-shot masking for UTF-8 bytes cut at every byte, inside characters too', () => {
    const encoder = new TextEncoder();
    for (const text of texts.filter((t) => new TextEncoder().encode(t).length !== t.length)) {
      const bytes = encoder.encode(`${PAD}${text}\n${PAD}`);
      const expected = masker.maskText(`${PAD}${text}\n${PAD}`);
      for (let i = 0; i <= bytes.length; i += 7) {
        expect(streamed([bytes.subarray(0, i), bytes.subarray(i)])).toBe(expected);
      }
    }
  });

  it('gives one-shot masking for the whole corpus in random chunk sizes, writing as it goes', () => {
    const whole = texts.map((t) => `${t}\n`).join('');
    const expected = masker.maskText(whole);
    let seed = 7;
    const next = (max: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return 1 + (seed % max);
    };
    for (const max of [3, 50, 400]) {
      const stream = masker.stream();
      let out = '';
      let early = 0;
      for (let at = 0; at < whole.length; ) {
        const size = next(max);
        const part = stream.push(whole.slice(at, at + size));
        early += part.length;
        out += part;
        at += size;
      }
      out += stream.finish();
      expect(out).toBe(expected);
      expect(early).toBeGreaterThan(expected.length / 2);
    }
  });

  it('keeps a surrogate pair cut between chunks whole', () => {
    const whole = `${PAD}😀 bob@example.com 😀\n${PAD}`;
    const at = whole.indexOf('😀') + 1; // between the two halves
    expect(streamed([whole.slice(0, at), whole.slice(at)])).toBe(masker.maskText(whole));
  });

  it('refuses bad chunks with INVALID_ARGUMENT', () => {
    const stream = masker.stream();
    expect(() => stream.push(new Uint8Array([0xff]))).toThrow(CoreSdkError);
    expect(() => stream.push(42 as unknown as string)).toThrow(/INVALID_ARGUMENT/);
    const ended = masker.stream();
    ended.finish();
    expect(() => ended.push('more')).toThrow(/INVALID_ARGUMENT/);
    expect(ended.finish()).toBe('');
    const cut = masker.stream();
    cut.push(new Uint8Array([0xc3]));
    expect(() => cut.finish()).toThrow(/INVALID_ARGUMENT/);
  });
});

describe('maskingTransform and maskingTransformStream', () => {
  const whole = `${PAD}card 4111 1111 1111 1111 for bob@example.com\n${PAD}`.repeat(4);
  const expected = masker.maskText(whole);
  const pieces = (size: number) =>
    Array.from({ length: Math.ceil(whole.length / size) }, (_, i) => whole.slice(i * size, (i + 1) * size));

  it('masks a Node stream of Buffers', async () => {
    const source = Readable.from(pieces(13).map((p) => Buffer.from(p)));
    expect(await readText(source.pipe(maskingTransform()))).toBe(expected);
  });

  it('masks a web stream', async () => {
    const source = new ReadableStream<string>({
      start(controller) {
        for (const piece of pieces(29)) controller.enqueue(piece);
        controller.close();
      },
    });
    const out = source.pipeThrough(maskingTransformStream());
    let text = '';
    for await (const chunk of out) text += chunk;
    expect(text).toBe(expected);
    expect(text).not.toContain('bob@example.com');
  });
});
