// Argument validation with Node's error codes, thrown synchronously.
import { invalidArgType, invalidArgValue, outOfRange } from './errors.js';

export function validateObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidArgType(name, 'of type object', value);
  }
}

/** Options objects may be omitted (`undefined`); anything else must be an object. */
export function optionsObject(value: unknown, name = 'options'): Record<string, unknown> {
  if (value === undefined) return {};
  validateObject(value, name);
  return value;
}

export function validateString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidArgType(name, 'of type string', value);
}

export function validateBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidArgType(name, 'of type boolean', value);
}

export function validateFunction(
  value: unknown,
  name: string,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw invalidArgType(name, 'of type function', value);
}

export function validateInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

/** A duration in milliseconds: a finite number >= 0. */
export function validateTimeout(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number', value);
  if (!Number.isFinite(value) || value < 0) throw outOfRange(name, 'a finite number >= 0', value);
}

/** Node's timers take at most this many ms; a longer delay becomes 1 ms (TimeoutOverflowWarning). */
const TIMER_MAX = 2 ** 31 - 1;

/** A delay a JS timer will keep: a duration (as validateTimeout) of at most 2^31-1 ms (~24.8 days). */
export function validateDelay(value: unknown, name: string): asserts value is number {
  validateTimeout(value, name);
  if (value > TIMER_MAX) throw outOfRange(name, `a finite number >= 0 and <= ${TIMER_MAX}`, value);
}

export function validateSignal(value: unknown, name: string): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw invalidArgType(name, 'an instance of AbortSignal', value);
  }
}

export function validateBuffer(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw invalidArgType(name, 'an instance of Buffer or Uint8Array', value);
  }
}

/** A raw OS handle: a Windows `HANDLE` or a Linux fd, as a number or a bigint that fits 64 bits. */
export function validateRawHandle(value: unknown, name: string): asserts value is number | bigint {
  if (typeof value === 'number') validateInteger(value, name, 0, Number.MAX_SAFE_INTEGER);
  else if (typeof value !== 'bigint') throw invalidArgType(name, 'of type number or bigint', value);
  else if (value < 0n || value >= 2n ** 64n) throw outOfRange(name, '>= 0 and < 2 ** 64', value);
}

/** A process id: a positive integer the platform can hold (DWORD on Windows, pid_t on Linux). */
export function validatePid(value: unknown, name: string): asserts value is number {
  const max = process.platform === 'win32' ? 0xffffffff : 0x7fffffff;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
    throw invalidArgValue(name, value, 'must be a positive integer process id');
  }
}

export { invalidArgValue };
