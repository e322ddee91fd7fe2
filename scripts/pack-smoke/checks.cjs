// What the smoke run checks with one copy of the package's API (from import or from require):
// an echo through a pipe server and a client, and waitForExit() of a child. CommonJS, so both
// entry scripts can load it.
'use strict';
const { spawn } = require('node:child_process');

module.exports = async function check(api, label) {
  const path = api.pipePath(`proactor-smoke-${label}-${process.pid}`);
  const server = api.createServer((socket) => socket.pipe(socket));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, resolve);
  });
  const echoed = await new Promise((resolve, reject) => {
    const client = api.connect(path);
    const chunks = [];
    client.on('error', reject);
    client.on('data', (chunk) => chunks.push(chunk));
    client.on('end', () => resolve(Buffer.concat(chunks).toString()));
    client.end(`ping from ${label}`);
  });
  await new Promise((resolve) => server.close(resolve));
  if (echoed !== `ping from ${label}`) throw new Error(`${label}: echo gave ${JSON.stringify(echoed)}`);

  // A shell where there is one: under qemu-user (linux-arm64) a child Node would not start.
  const child =
    process.platform === 'win32'
      ? spawn(process.execPath, ['-e', 'process.exit(7)'])
      : spawn('/bin/sh', ['-c', 'exit 7']);
  const exit = await api.waitForExit(child, { timeout: 10_000 });
  if (exit.exitCode !== 7) throw new Error(`${label}: waitForExit gave ${JSON.stringify(exit)}`);
  console.log(
    `${label}: echo and waitForExit ok (${api.backend()}, Node ${process.version}, ${process.arch})`,
  );
};
