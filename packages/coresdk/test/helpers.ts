import { expect } from 'vitest';
import { CoreSdkError } from '../src/index.js';

/** The code of the CoreSdkError that `f` throws (fails the test if it throws anything else). */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreSdkError);
    return (e as CoreSdkError).code;
  }
  throw new Error('expected a CoreSdkError');
}
