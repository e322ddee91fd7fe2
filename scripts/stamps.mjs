// Caches that know what they were made from: each writes a stamp file (the key it was made
// from, as JSON) last, so a second run reuses whatever still matches and an interrupted one is
// made again. Used by the Debian roots and the Windows leg's provisioning.
import { readFileSync, writeFileSync } from 'node:fs';

/** The JSON in `path`, or undefined if it is missing or not JSON. */
export function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function stampMatches(stampPath, key) {
  return JSON.stringify(readJson(stampPath)) === JSON.stringify(key);
}

export function writeStamp(stampPath, key) {
  writeFileSync(stampPath, `${JSON.stringify(key, null, 2)}\n`);
}
