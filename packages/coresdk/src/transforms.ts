import { Transform } from 'node:stream';
import { Masker } from './mask.js';

/**
 * A Node `Transform` that masks the text written through it (strings or Buffers, any
 * split), writing masked strings: `body.pipe(maskingTransform()).pipe(res)`.
 */
export function maskingTransform(masker: Masker = new Masker()): Transform {
  const stream = masker.stream();
  return new Transform({
    decodeStrings: false,
    readableObjectMode: false,
    transform(chunk: string | Buffer, _encoding, done) {
      try {
        const out = stream.push(chunk);
        done(null, out === '' ? undefined : out);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        const out = stream.finish();
        done(null, out === '' ? undefined : out);
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

/**
 * A web `TransformStream` that masks text (strings or UTF-8 bytes in, strings out), for
 * Fetch API bodies and other web streams: `response.body.pipeThrough(maskingTransformStream())`.
 */
export function maskingTransformStream(masker: Masker = new Masker()): TransformStream<string | Uint8Array, string> {
  const stream = masker.stream();
  return new TransformStream<string | Uint8Array, string>({
    transform(chunk, controller) {
      const out = stream.push(chunk);
      if (out !== '') controller.enqueue(out);
    },
    flush(controller) {
      const out = stream.finish();
      if (out !== '') controller.enqueue(out);
    },
  });
}
