import { execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, rawCommand, spawnServer, terminate, waitForPing } from './redisServer.js';

/** A three-master Redis Cluster (no replicas) owned by a test. */
export interface RedisCluster {
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

/**
 * Starts three `redis-server --cluster-enabled yes` nodes on free loopback ports (with explicit bus ports), joins
 * them with `redis-cli --cluster create`, and waits until every node reports `cluster_state:ok`.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rxcb-cluster-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((child) => terminate(child, 'SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ports = await distinctFreePorts(6);
    const nodes = [0, 1, 2].map((index) => ({ port: ports[index], bus: ports[index + 3] }));
    for (const { port, bus } of nodes) {
      const nodeDir = path.join(dir, String(port));
      mkdirSync(nodeDir);
      const args = ['--cluster-enabled', 'yes', '--cluster-port', String(bus)];
      const config = ['--cluster-config-file', path.join(nodeDir, 'nodes.conf')];
      children.push(
        spawnServer(port, nodeDir, [...args, ...config, '--cluster-node-timeout', '2000']),
      );
    }
    await Promise.all(nodes.map(({ port }, index) => waitForPing(port, children[index])));
    const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
    await promisify(execFile)('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await Promise.all(nodes.map(({ port }) => waitForClusterOk(port)));
    return { ports: nodes.map(({ port }) => port), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

async function waitForClusterOk(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const info = await rawCommand(port, 'CLUSTER INFO').catch(() => '');
    if (info.includes('cluster_state:ok')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`cluster node ${port} did not reach cluster_state:ok within 15 s`);
}
