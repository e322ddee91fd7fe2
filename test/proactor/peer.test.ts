// Who is on the other end: peer process ids, and who may connect at all.
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useProactor } from '../support/engine.js';
import { startPipePeer } from '../support/peers.js';
import { connectedPair, uniquePipePath } from '../support/pipes.js';
import { isWindows, underWine } from '../support/platform.js';

const proactor = useProactor();

describe('peerPid', () => {
  it('a server connection reports the client process id', async () => {
    const path = uniquePipePath('peer-client');
    const instance = await proactor.createPipeInstance(path);
    const accepted = proactor.acceptPipe(instance);
    const { child, ready } = startPipePeer('client', path);
    const server = await accepted;
    await ready;
    expect(proactor.peerPid(server)).toBe(child.pid);
    proactor.closeHandle(server);
    expect((await child).exitCode).toBe(0);
  });

  it('a client connection reports the server process id', async () => {
    const path = uniquePipePath('peer-server');
    const { child, ready } = startPipePeer('server', path);
    await ready;
    const client = await proactor.connectPipe(path, { timeout: 10_000 });
    expect(proactor.peerPid(client)).toBe(child.pid);
    proactor.closeHandle(client);
    expect((await child).exitCode).toBe(0);
  });

  it('both ends in one process report this process', async () => {
    const { server, client } = await connectedPair(proactor, 'peer-self');
    expect(proactor.peerPid(server)).toBe(process.pid);
    expect(proactor.peerPid(client)).toBe(process.pid);
    proactor.closeHandle(server);
    proactor.closeHandle(client);
  });
});

describe('who may connect', () => {
  it('currentUserOnly still lets this user connect', async () => {
    const path = uniquePipePath('owner-only');
    const instance = await proactor.createPipeInstance(path, { currentUserOnly: true });
    if (!isWindows) expect(statSync(path).mode & 0o777).toBe(0o600);
    const accepted = proactor.acceptPipe(instance);
    const client = await proactor.connectPipe(path);
    const server = await accepted;
    proactor.closeHandle(client);
    proactor.closeHandle(server);
  });

  it.runIf(!isWindows)('readableAll and writableAll add the bits for everyone', async () => {
    const path = uniquePipePath('all');
    const instance = await proactor.createPipeInstance(path, { readableAll: true, writableAll: true });
    expect(statSync(path).mode & 0o666).toBe(0o666);
    proactor.closeHandle(instance);
  });

  it.runIf(isWindows)('an explicit SDDL is applied, and a malformed one is refused', async () => {
    const path = uniquePipePath('sddl');
    const instance = await proactor.createPipeInstance(path, { sddl: 'D:P(A;;GA;;;WD)' });
    const accepted = proactor.acceptPipe(instance);
    const client = await proactor.connectPipe(path);
    proactor.closeHandle(client);
    proactor.closeHandle(await accepted);
    await expect(
      proactor.createPipeInstance(uniquePipePath('bad-sddl'), { sddl: 'not sddl' }),
    ).rejects.toMatchObject({
      syscall: 'listen',
      winerror: expect.any(Number),
    });
  });

  // Wine does not check access to named pipes against their DACL: only real Windows can show
  // the refusal, so this test is skipped under Wine, and only there.
  it.runIf(isWindows && !underWine)(
    'an SDDL that grants nobody access refuses every client (skipped under Wine: it does not enforce pipe DACLs)',
    async () => {
      const path = uniquePipePath('deny-all');
      const instance = await proactor.createPipeInstance(path, { sddl: 'D:P' });
      await expect(proactor.connectPipe(path)).rejects.toMatchObject({ code: 'EACCES' });
      proactor.closeHandle(instance);
    },
  );
});
