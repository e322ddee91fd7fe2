// The server end of the pipe benchmarks, in its own process so client and server each have an
// event loop (and a core) — as in real IPC. The same code runs on node:net or on proactor:
//   node server.mjs <net|proactor> <sink|echo|accept> <path> [bytes]
// sink: read `bytes`, then answer one byte; echo: send back what arrives; accept: take each
// connection and close it. Prints "ready" once listening.
const [implementation, mode, path, bytes] = process.argv.slice(2);
const net = implementation === 'net' ? await import('node:net') : await import('proactor');

const server = net.createServer((socket) => {
  if (mode === 'accept') {
    socket.on('error', () => undefined);
    socket.destroy();
    return;
  }
  if (mode === 'echo') {
    socket.on('error', () => undefined);
    socket.pipe(socket);
    return;
  }
  let received = 0;
  const total = Number(bytes);
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (received >= total) socket.write('k');
  });
  socket.on('error', () => undefined);
});
server.on('error', (error) => {
  console.error(`server: ${error.message}`);
  process.exit(1);
});
server.listen(path, () => process.stdout.write('ready\n'));
process.on('message', () => undefined);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
