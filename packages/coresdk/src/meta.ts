import { native as call, nativeAsync } from './error.js';
import native from './native.js';

/** The CoreSDK version (one version for the npm packages, the crate and the wheel). */
export const version: string = native.nativeVersion();

/**
 * Panics inside the native core on purpose. For tests of the FFI guard: it throws a
 * `CoreSdkError` with code `INTERNAL`, and the process carries on.
 * @internal
 */
export function panicProbe(): void {
  call(() => native.panicProbe());
}

/** The async variant of {@link panicProbe}: the panic happens on a libuv worker. @internal */
export async function panicProbeAsync(): Promise<void> {
  await nativeAsync(() => native.panicProbeAsync());
}
