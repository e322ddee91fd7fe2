// The smoke run, CommonJS only: require('proactor') as a CommonJS user has it.
'use strict';
const check = require('./checks.cjs');

check(require('proactor'), 'require').catch((error) => {
  console.error(error);
  process.exit(1);
});
