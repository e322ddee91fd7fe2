#!/usr/bin/env node
// What proactor does, in one run: a pipe server and client on the completion engine (named
// pipes on Windows, AF_UNIX on Linux), the peer's pid, and awaiting a process's exit.
// Run: npm run example
import { getDefaultProactor, pipePath, spawn, waitForExit, backend } from 'proactor';

const proactor = getDefaultProactor();
const path = pipePath(`proactor-demo-${process.pid}`);
console.log(`backend ${backend()}, pipe ${path}`);

const instance = await proactor.createPipeInstance(path, { currentUserOnly: true });
const accepted = proactor.acceptPipe(instance);
const client = await proactor.connectPipe(path, { timeout: 5000 });
const server = await accepted;
console.log(`connected; the server sees client pid ${proactor.peerPid(server)} (this is ${process.pid})`);

await proactor.send(client, Buffer.from('ping'));
const buffer = Buffer.alloc(64);
const n = await proactor.recv(server, buffer);
console.log(`server read ${JSON.stringify(buffer.subarray(0, n).toString())}`);
proactor.closeHandle(client);
proactor.closeHandle(server);

const child = spawn(process.execPath, ['-e', 'setTimeout(() => process.exit(7), 200)']);
console.log(`child ${child.pid} exited with`, await waitForExit(child, { timeout: 5000 }));
console.log('proactor stats', proactor.stats());
await proactor.close();
