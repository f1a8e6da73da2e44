// The logging integrations, one file each (pino and winston are optional: neither is imported).
export type { PinoMaskingOptions } from './logging/pino.js';
export { pinoMasking } from './logging/pino.js';
export type { WinstonInfo, WinstonMaskingFormat } from './logging/winston.js';
export { winstonMasking } from './logging/winston.js';
