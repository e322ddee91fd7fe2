// Which platform this leg runs on, decided once for the whole suite.
import { basename } from 'node:path';
import { native } from '../../lib/native.js';

export const isWindows = process.platform === 'win32';

/**
 * True when the Windows leg runs under Wine (ntdll exports `wine_get_version`). A test may skip
 * for it only where Wine lacks what the test needs (DESIGN.md, Wine facts), saying why in its
 * title; it still runs on Linux.
 */
export const underWine: boolean = native.underWine();

/**
 * This process's name as pipeInfo and listPipes report it: its executable's file name (Windows:
 * `node.exe`, or the host's, `Code.exe`; Linux: from /proc/<pid>/exe).
 */
export const ourProcessName = basename(process.execPath);
