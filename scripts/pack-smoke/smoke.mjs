// The smoke run, ESM: import 'proactor', then require('proactor') in the same process, which
// must be the same implementation (one default proactor, one Server class).
import { createRequire } from 'node:module';
import * as imported from 'proactor';
import check from './checks.cjs';

const required = createRequire(import.meta.url)('proactor');
await check(imported, 'import');
if (imported.getDefaultProactor() !== required.getDefaultProactor() || imported.Server !== required.Server) {
  throw new Error('import and require loaded two copies of proactor');
}
console.log('import + require: one implementation, one default proactor');
